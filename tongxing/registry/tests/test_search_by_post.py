"""A search by ID or phone number goes by POST, so the number never stands in an address.

An address (a GET's query string) is written to every access log, kept in the browser's
history and sent on as the next page's Referer: `?q=<ID>` once put full ID numbers into
the logs. The list's search form posts; a search without a number is sent on to its
address (so it can be bookmarked and paged), one with a number is answered in place. The
API has `POST /households/search`, and its GET refuses a number.
"""

import re
from urllib.parse import quote

import pytest
from django.test import Client

from conftest import TOWNSHIP_A, VILLAGE_A1, VILLAGE_B1, api_client_for, client_for, make_user
from tongxing.access import Role
from tongxing.registry.models import Household
from tongxing.registry.tests import factories
from tongxing.registry.tests.factories import id_number

WANG_ID = id_number(2)
WANG_PHONE = factories.phone(2)
# Attributes that hold addresses, and headers that send the browser to one.
ADDRESS_ATTRIBUTE = re.compile(r'\s(?:href|action|src|hx-[a-z-]+)="([^"]*)"')
ADDRESS_HEADERS = ("Location", "HX-Push-Url", "HX-Replace-Url", "HX-Location", "HX-Redirect")


@pytest.fixture
def three_households(tree):
    factories.register(number="H-001", head="张建国")
    factories.register(
        number="H-002",
        head="李秀英",
        head_id=id_number(1, sex="female"),
        head_phone=factories.phone(1),
        village="590101001002",
        status="exited",
    )
    factories.register(
        number="X-003",
        head="王强",
        head_id=WANG_ID,
        head_phone=WANG_PHONE,
        village=VILLAGE_B1,
        status="under_monitoring",
    )


def assert_in_no_address(response, number: str) -> None:
    """The number is in no header that sends the browser somewhere, nor in any link."""
    for header in ADDRESS_HEADERS:
        assert number not in response.get(header, ""), header
    for address in ADDRESS_ATTRIBUTE.findall(response.content.decode()):
        assert number not in address and quote(number) not in address, address


def listed(response) -> list[str]:
    return [household.registry_number for household in response.context["page"]]


# --- The page --------------------------------------------------------------------------------


def test_the_search_form_posts(alice, three_households):
    html = client_for(alice).get("/registry/households/").content.decode()
    assert '<form class="filters household-filters" method="post"' in html
    assert 'hx-post="/registry/households/"' in html and 'hx-get="/registry' not in html
    assert 'name="csrfmiddlewaretoken"' in html


@pytest.mark.parametrize("typed", [WANG_ID, f"{WANG_ID[:6]} {WANG_ID[6:14]} {WANG_ID[14:]}"])
def test_a_search_by_id_number_finds_the_household_in_place(alice, three_households, typed):
    response = client_for(alice).post("/registry/households/", {"q": typed, "village": VILLAGE_B1})
    assert response.status_code == 200
    assert listed(response) == ["X-003"]
    assert_in_no_address(response, WANG_ID)
    html = response.content.decode()
    assert f'href="/registry/households/export/?village={VILLAGE_B1}"' in html
    assert "no-store" in response["Cache-Control"]


def test_a_search_by_id_number_with_htmx_leaves_the_address_as_it_was(alice, three_households):
    response = client_for(alice).post(
        "/registry/households/",
        {"q": WANG_ID, "status": "under_monitoring"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert listed(response) == ["X-003"]
    assert response["HX-Push-Url"] == "false"
    assert "<html" not in response.content.decode()
    assert_in_no_address(response, WANG_ID)


def test_a_search_by_name_is_sent_on_to_its_address(alice, three_households):
    client = client_for(alice)
    response = client.post("/registry/households/", {"q": "王", "village": VILLAGE_B1, "flag": []})
    assert response.status_code == 303
    assert response["Location"] == f"/registry/households/?q=%E7%8E%8B&village={VILLAGE_B1}"
    assert listed(client.get(response["Location"])) == ["X-003"]


def test_a_search_by_name_with_htmx_shows_its_address_and_pages_with_it(alice, tree):
    for i in range(51):
        factories.register(
            number=f"H-{i:03d}",
            head=f"户主{i}",
            head_id=id_number(i),
            head_phone=factories.phone(i),
        )
    response = client_for(alice).post(
        "/registry/households/", {"q": "户主"}, headers={"HX-Request": "true"}
    )
    assert response["HX-Push-Url"] == "/registry/households/?q=%E6%88%B7%E4%B8%BB"
    assert len(response.context["page"]) == 50
    assert 'href="?q=%E6%88%B7%E4%B8%BB&amp;page=2"' in response.content.decode()


@pytest.mark.parametrize("number", [WANG_ID, WANG_PHONE, "0731-8888 6666", WANG_ID[:16]])
def test_an_address_holding_an_id_or_phone_number_is_refused(alice, three_households, number):
    response = client_for(alice).get("/registry/households/", {"q": number, "status": "exited"})
    assert response.status_code == 400
    assert listed(response) == []
    # Not linked again either: the export links keep the other filters only.
    assert_in_no_address(response, number)
    assert 'href="/registry/households/export/?status=exited"' in response.content.decode()
    assert response.context["form"].errors["q"] == [
        "Search an ID or phone number with the Search button: it keeps the number out of "
        "the page's address, and so out of logs and the browser's history."
    ]


def test_an_address_with_a_name_or_registry_number_still_searches(alice, three_households):
    client = client_for(alice)
    assert listed(client.get("/registry/households/", {"q": "李秀"})) == ["H-002"]
    assert listed(client.get("/registry/households/", {"q": "X-0"})) == ["X-003"]


def test_a_long_registry_number_is_no_id_number_and_searches_by_address(alice, tree):
    factories.register(number="5901010020010003", head="赵大山", village=VILLAGE_B1)
    page = client_for(alice).get("/registry/households/", {"q": "590101002001000"})
    assert page.status_code == 200
    assert listed(page) == ["5901010020010003"]
    api = api_client_for(alice).get("/api/v1/households", {"q": "5901010020010003"})
    assert [household["registry_number"] for household in api.json()["items"]] == [
        "5901010020010003"
    ]


def test_a_search_outside_the_region_finds_nothing(vera, three_households):
    response = client_for(vera).post("/registry/households/", {"q": WANG_ID})
    assert listed(response) == []


# --- The API ---------------------------------------------------------------------------------


def test_the_api_finds_a_household_by_id_number_through_a_post(alice, three_households):
    response = api_client_for(alice).post(
        "/api/v1/households/search", {"q": WANG_ID}, content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [household["registry_number"] for household in body["items"]] == ["X-003"]


def test_the_api_search_takes_the_filters_and_pages(alice, three_households):
    client = api_client_for(alice)
    search = {"village": VILLAGE_A1, "flag": ["disability"]}
    response = client.post("/api/v1/households/search", search, content_type="application/json")
    assert response.json() == {"items": [], "count": 0}
    search = {"status": "exited"}
    response = client.post("/api/v1/households/search", search, content_type="application/json")
    assert [household["registry_number"] for household in response.json()["items"]] == ["H-002"]
    response = client.post(
        "/api/v1/households/search?page=2", {"q": "H-0"}, content_type="application/json"
    )
    assert response.json() == {"items": [], "count": 2}


@pytest.mark.parametrize("number", [WANG_ID, WANG_PHONE])
def test_the_api_refuses_an_id_or_phone_number_in_the_address(alice, three_households, number):
    response = api_client_for(alice).get("/api/v1/households", {"q": number})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "q",
            "message": "Search an ID or phone number with POST /api/v1/households/search: "
            "the address of a GET is written to access logs.",
        }
    ]


@pytest.fixture
def cleo(three_households):
    """The cadre of township A assigned to H-001."""
    account = make_user("cleo", Role.CADRE, TOWNSHIP_A)
    factories.assign(account, Household.objects.get(registry_number="H-001"))
    return account


@pytest.mark.parametrize(
    ("who", "status", "found"),
    [
        (None, 401, None),
        ("dora", 403, None),
        ("olga", 403, None),
        ("cleo", 200, ["H-001"]),
        ("cody", 200, []),  # a cadre of the township who does not help H-001
        ("victor", 200, ["H-001"]),
        ("tina", 200, ["H-001"]),
        ("tom", 200, []),
    ],
)
def test_the_api_search_is_for_staff_with_a_region(request, three_households, who, status, found):
    client = Client() if who is None else api_client_for(request.getfixturevalue(who))
    response = client.post(
        "/api/v1/households/search", {"q": id_number(0)}, content_type="application/json"
    )
    assert response.status_code == status
    if found is None:
        assert "items" not in response.json()
    else:
        assert [h["registry_number"] for h in response.json()["items"]] == found


def test_the_api_search_finds_nothing_outside_the_region(vera, three_households):
    response = api_client_for(vera).post(
        "/api/v1/households/search", {"q": WANG_ID}, content_type="application/json"
    )
    assert response.json() == {"items": [], "count": 0}
