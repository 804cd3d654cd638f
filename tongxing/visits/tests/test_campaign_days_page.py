"""The campaign days page: the city office sets, renames and removes the days (with htmx in
place, or as a plain form), a bad day or name refused on its field and changing nothing;
every other role is refused; the visit list links to it for the city office only.

Alice is the city office; Carl another city's; Tina township A's station; Vera village A1's
point; Cody a cadre; Victor a viewer of township A; Dora a caring person; Olga an
organisation's rep.
"""

import datetime

import pytest

from conftest import client_for
from tongxing.audit.models import AuditEvent
from tongxing.visits import actions
from tongxing.visits.models import CampaignDay
from tongxing.visits.selectors import campaign_days

D = datetime.date
PAGE = "/visits/campaign-days/"
HTMX = {"HX-Request": "true"}


def days() -> list[tuple[datetime.date, str]]:
    return list(CampaignDay.objects.values_list("day", "name"))


def test_the_city_office_sets_a_day_and_is_sent_back_to_the_page(alice):
    client = client_for(alice)
    response = client.post(PAGE, {"day": "2025-10-18", "name": "扶贫日"})
    assert (response.status_code, response.url) == (302, PAGE)
    assert days() == [(D(2025, 10, 18), "扶贫日")]
    page = client.get(PAGE).content.decode()
    assert 'data-day="2025-10-18"' in page and "扶贫日" in page
    assert "Campaign day 2025-10-18 is set." in page
    event = AuditEvent.objects.get(action="visit.campaign_day_set")
    assert (event.actor, event.after) == (alice, {"day": "2025-10-18", "name": "扶贫日"})


def test_htmx_sets_renames_and_removes_a_day_in_place(alice):
    client = client_for(alice)
    set_ = client.post(PAGE, {"day": "2025-10-17", "name": "帮扶日"}, headers=HTMX)
    assert set_.status_code == 200
    fragment = set_.content.decode()
    assert "<html" not in fragment and 'id="campaign-days"' in fragment  # the part only
    assert 'data-day="2025-10-17"' in fragment
    renamed = client.post(PAGE, {"day": "2025-10-17", "name": "全国帮扶日"}, headers=HTMX)
    assert "全国帮扶日" in renamed.content.decode()
    assert days() == [(D(2025, 10, 17), "全国帮扶日")]
    removed = client.post(f"{PAGE}2025-10-17/remove/", headers=HTMX)
    assert removed.status_code == 200
    assert 'data-day="2025-10-17"' not in removed.content.decode()
    assert days() == []
    assert list(
        AuditEvent.objects.filter(action__startswith="visit.campaign_day")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["visit.campaign_day_set", "visit.campaign_day_set", "visit.campaign_day_removed"]


def test_a_removal_as_a_plain_form_comes_back_to_the_page(alice):
    actions.set_campaign_day(day=D(2024, 10, 17), name="扶贫日", by=None)
    response = client_for(alice).post(f"{PAGE}2024-10-17/remove/")
    assert (response.status_code, response.url) == (302, PAGE)
    assert days() == []


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"day": "", "name": "扶贫日"}, {"day": ["This field is required."]}),
        ({"day": "2025-10-17", "name": ""}, {"name": ["This field is required."]}),
        ({"day": "17/10/2025", "name": "扶贫日"}, {"day": ["Enter a valid date."]}),
        (
            {"day": "1999-10-17", "name": "扶贫日"},
            {"day": ["Give a day from 2000 to three years from now."]},
        ),
        (
            {"day": "2025-10-17", "name": "扶" * 61},
            {"name": ["Ensure this value has at most 60 characters (it has 61)."]},
        ),
    ],
    ids=["no day", "no name", "not a date", "before 2000", "name too long"],
)
def test_a_bad_day_or_name_is_refused_on_its_field_and_sets_nothing(alice, body, errors):
    response = client_for(alice).post(PAGE, body, headers=HTMX)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors == errors
    assert days() == [] and not AuditEvent.objects.filter(action__startswith="visit.").exists()


def test_removing_a_day_not_set_is_a_404(alice):
    assert client_for(alice).post(f"{PAGE}2025-10-17/remove/").status_code == 404
    assert client_for(alice).post(f"{PAGE}not-a-day/remove/").status_code == 404


def test_removing_is_a_post_only(alice):
    actions.set_campaign_day(day=D(2025, 10, 17), name="扶贫日", by=None)
    assert client_for(alice).get(f"{PAGE}2025-10-17/remove/").status_code == 405
    assert len(days()) == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("alice", 200),
        ("carl", 200),  # a city office: the days hold for the whole platform
        ("tina", 403),
        ("vera", 403),
        ("cody", 403),
        ("victor", 403),
        ("dora", 403),
        ("olga", 403),
        (None, 302),  # to the login
    ],
)
def test_only_a_city_office_opens_sets_or_removes_campaign_days(request, who, status):
    request.getfixturevalue("tree")
    user = request.getfixturevalue(who) if who else None
    actions.set_campaign_day(day=D(2025, 10, 17), name="扶贫日", by=None)
    client = client_for(user)
    assert client.get(PAGE).status_code == status
    changed = 302 if status == 200 else status
    assert client.post(PAGE, {"day": "2025-10-18", "name": "另一天"}).status_code == changed
    assert client.post(f"{PAGE}2025-10-17/remove/").status_code == changed
    if status == 200:
        assert days() == [(D(2025, 10, 18), "另一天")]
    else:
        assert days() == [(D(2025, 10, 17), "扶贫日")]


def test_the_visit_list_links_to_the_page_for_the_city_office_only(alice, tina):
    assert 'data-testid="campaign-days-link"' in client_for(alice).get("/visits/").content.decode()
    assert 'data-testid="campaign-days-link"' not in (
        client_for(tina).get("/visits/").content.decode()
    )


def test_a_day_set_on_the_page_replaces_its_years_17_october(alice):
    # The filter the page feeds: a year with a day set no longer has its 17 October.
    client = client_for(alice)
    client.post(PAGE, {"day": "2025-10-18", "name": "扶贫日"})
    assert campaign_days(D(2025, 1, 1), D(2026, 12, 31)) == [D(2025, 10, 18), D(2026, 10, 17)]
