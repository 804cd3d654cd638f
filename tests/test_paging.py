"""Every list, page and API, takes any page number: none is a server error.

`?page=9223372036854775807` once reached the database as an OFFSET that SQLite and
PostgreSQL both refused (500). A page shows the first page for a number that is not a
whole number ≥ 1 and the last page for one past it; the API refuses the first (422, field
`page`) and answers the second with an empty list and the count.
"""

import datetime
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest

from conftest import api_client_for, client_for
from tongxing.api import api
from tongxing.commerce import actions as commerce_actions
from tongxing.commerce.tests import factories as commerce
from tongxing.events.tests import factories as events_factories
from tongxing.needs.actions import deadlines, pledges, posting
from tongxing.needs.tests import factories as f
from tongxing.paging import page_number
from tongxing.programs.tests import factories as programme_records
from tongxing.registry.tests.factories import organisation, person
from tongxing.visits.tests import factories as visits_factories

HUGE = "9223372036854775807"
HUGER = "9" * 5000
NOT_WHOLE_NUMBERS = ["0", "-1", "abc", "2.5", "1e3", "٣"]

# (path, who) of every paginated API operation; `test_every_paginated_operation_is_here`
# keeps the list whole.
API_LISTS = [
    ("/api/v1/visits", "alice"),
    ("/api/v1/users", "alice"),
    ("/api/v1/audit", "alice"),
    ("/api/v1/notifications", "vera"),
    ("/api/v1/households", "alice"),
    ("/api/v1/organisations", "alice"),
    ("/api/v1/people", "alice"),
    ("/api/v1/regions", "alice"),
    ("/api/v1/needs", None),
    ("/api/v1/needs/review-queue", "alice"),
    ("/api/v1/needs/escalated", "alice"),
    ("/api/v1/needs/region", "alice"),
    ("/api/v1/me/pledges", "dora"),
    ("/api/v1/households/search", "alice"),  # a POST
    ("/api/v1/indicators/{code}/records", "alice"),  # the records behind a figure
    ("/api/v1/commerce/suppliers", "alice"),
    ("/api/v1/commerce/products", "alice"),
    ("/api/v1/commerce/sales", "alice"),
    ("/api/v1/commerce/pavilion", None),
    ("/api/v1/events", "alice"),
    ("/api/v1/events/centres", "alice"),
    ("/api/v1/events/awards/categories", "alice"),
    ("/api/v1/events/awards/nominations", "alice"),
    ("/api/v1/events/stories", "alice"),
    ("/api/v1/events/publicity", "alice"),
    ("/api/v1/events/policies", "alice"),
    ("/api/v1/events/policies/compendia", "alice"),
    ("/api/v1/programmes", "alice"),
    ("/api/v1/programmes/targets", "alice"),
    ("/api/v1/programmes/pairings", "alice"),
    ("/api/v1/programmes/pledges", "alice"),
    ("/api/v1/programmes/disbursements", "alice"),
    ("/api/v1/programmes/exchanges", "alice"),
    ("/api/v1/programmes/labour-activities", "alice"),
]
# A figure whose records the lists of records above read: the needs posted.
FIGURE = "needs.goods.posted"
# (path, who) of every paginated page.
PAGES = [
    ("/visits/", "alice"),
    ("/accounts/users/", "alice"),
    ("/accounts/audit/", "alice"),
    ("/notifications/", "vera"),
    ("/registry/households/", "alice"),
    ("/registry/organisations/", "alice"),
    ("/registry/people/", "alice"),
    ("/needs/", None),
    ("/needs/my-pledges/", "dora"),
    ("/needs/region/", "alice"),
    ("/needs/escalated/", "alice"),
    ("/needs/new/", "vera"),  # the household picker of posting a need
    ("/commerce/", "alice"),
    ("/commerce/sales/", "alice"),
    ("/commerce/pavilion/", None),
    ("/programmes/", "alice"),
]


@pytest.fixture
def world(alice, tina, vera, dora):
    """Something in every list: a household, an organisation, a person, needs in each
    state a list shows, a pledge of Dora's and Vera's notifications of it."""
    organisation()
    person()
    on_board = f.published(f.goods_data(f.household()), by=vera, reviewer=tina)
    pledges.pledge_goods(need=on_board, by=dora, quantity=1)
    posting.create_need(data=f.goods_data(f.household()), by=vera, submit=True)
    expiring = f.published(f.goods_data(f.household(), deadline=f.in_days(1)))
    deadlines.sweep(today=expiring.deadline + datetime.timedelta(days=1))
    visits_factories.visit(visits_factories.visitor(), household=f.household())
    programme_records.one_of_each()
    seller = commerce.supplier(name="青禾果业合作社", serial=9)
    listed = commerce.product(seller)
    commerce_actions.list_in_pavilion(
        product=listed, listed_from=datetime.date(2025, 1, 1), by=None
    )
    commerce.sale(seller)
    events_factories.one_of_each()
    return {"alice": alice, "vera": vera, "dora": dora, None: None}


def test_page_numbers_are_read_as_whole_numbers_from_1():
    assert page_number("3") == 3
    assert page_number(" 3 ") == 3
    assert [page_number(value) for value in [*NOT_WHOLE_NUMBERS, "+2", None]] == [1] * 8
    assert page_number("999999999999999999") == 999999999999999999
    # Longer numbers are past every page: the page brings them down to the last.
    assert page_number(HUGE) == page_number(HUGER) == 10**18


# --- The API ------------------------------------------------------------------------------------


def get_page(client, path: str, page: str | None = None):
    query = {} if page is None else {"page": page}
    path = path.replace("{code}", FIGURE)
    if path.endswith("/search"):
        address = f"{path}?{urlencode(query)}" if query else path
        return client.post(address, {}, content_type="application/json")
    return client.get(path, query)


@pytest.mark.parametrize(("path", "who"), API_LISTS)
def test_an_api_list_past_its_last_page_is_empty_with_the_count(world, path, who):
    client = api_client_for(world[who])
    first = get_page(client, path)
    assert first.status_code == 200, first.content
    count, size = first.json()["count"], len(first.json()["items"])
    assert count >= 1 and size >= 1
    past = str(-(-count // size) + 1)  # the page after the last
    for page in (past, HUGE):
        response = get_page(client, path, page)
        assert response.status_code == 200, (page, response.content)
        assert response.json() | {"items": []} == first.json() | {"items": []}
        assert response.json()["items"] == []


@pytest.mark.parametrize(("path", "who"), API_LISTS)
def test_an_api_list_refuses_a_page_that_is_not_a_whole_number_from_1(world, path, who):
    client = api_client_for(world[who])
    for page in [*NOT_WHOLE_NUMBERS, HUGER]:
        response = get_page(client, path, page)
        assert response.status_code == 422, (page, response.content)
        body = response.json()
        assert body["detail"] == "Some fields are not valid."
        assert [error["field"] for error in body["errors"]] == ["query.page"]


def test_an_api_page_size_is_bounded_too(world):
    client = api_client_for(world["alice"])
    response = client.get("/api/v1/regions", {"page_size": HUGE, "page": HUGE})
    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 7}
    response = client.get("/api/v1/regions", {"page_size": "3", "page": "3"})
    assert [region["code"] for region in response.json()["items"]] == ["590101002001"]


def test_every_paginated_operation_is_here():
    paginated = {
        path
        for path, operations in api.get_openapi_schema()["paths"].items()
        for operation in operations.values()
        if any(parameter["name"] == "page" for parameter in operation.get("parameters", []))
    }
    assert paginated == {path for path, _who in API_LISTS}


# --- The pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "who"), PAGES)
def test_a_page_past_the_last_shows_the_last(world, path, who):
    client = client_for(world[who])
    first = client.get(path)
    assert first.status_code == 200
    assert first.context["page"].number == 1 and len(first.context["page"]) >= 1
    pages = first.context["page"].paginator.num_pages
    last = client.get(path, {"page": str(pages)})
    for page in (str(pages + 1), HUGE, HUGER):
        response = client.get(path, {"page": page})
        assert response.status_code == 200, page
        assert response.context["page"].number == pages  # the last
        assert list(response.context["page"]) == list(last.context["page"])


@pytest.mark.parametrize(("path", "who"), PAGES)
def test_a_page_that_is_not_a_whole_number_from_1_shows_the_first(world, path, who):
    client = client_for(world[who])
    for page in NOT_WHOLE_NUMBERS:
        response = client.get(path, {"page": page})
        assert response.status_code == 200, page
        assert response.context["page"].number == 1


def test_every_page_is_cut_by_the_one_pager():
    package = Path(__file__).resolve().parent.parent / "tongxing"
    cutting = sorted(
        str(source.relative_to(package))
        for source in package.rglob("*.py")
        if "tests" not in source.parts
        and re.search(r"\bPaginator\(|\bPageNumberPagination\b", source.read_text())
    )
    assert cutting == ["paging.py"]


def test_the_household_pickers_show_more_takes_any_page_too(world):
    client = client_for(world["vera"])
    for page in (HUGE, HUGER, "-1", "abc"):
        response = client.post("/needs/new/", {"page": page}, headers={"HX-Request": "true"})
        assert response.status_code == 200, page
        assert response.context["page"].number == 1
