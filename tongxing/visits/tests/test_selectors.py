"""Reading visits: who sees which, the campaign days, and the coverage of poor households.

The data set of the coverage, in the year 2025:
- h1 (A1, registered poor), helped by Cleo: Cleo visited it, and so did township A's
  party secretary;
- h2 (A1, under monitoring), helped by 王干部, who visited it only on 31 December 2024; a
  volunteer visited it in 2025;
- h3 (A2, registered poor), helped by no one, visited by no one;
- h4 (A2, exited): not poor, left out of everything;
- h5 (B1, registered poor): township A's secretary visited it — not its own township's;
- the city party secretary visited the village A2 twice in 2025 and B1 once in 2024.
"""

import datetime

import pytest
from django.http import Http404

from conftest import CITY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, make_user
from tongxing.access import Role
from tongxing.needs.tests import factories as nf
from tongxing.regions.models import Region
from tongxing.registry import actions as registry_actions
from tongxing.registry.models import Household, HouseholdStatus, Person
from tongxing.registry.tests.factories import assign, person
from tongxing.visits import actions, selectors
from tongxing.visits.models import CampaignDay
from tongxing.visits.selectors import VisitFilters
from tongxing.visits.tests import factories as f

D = datetime.date
YEAR = (D(2025, 1, 1), D(2025, 12, 31))


@pytest.fixture
def world(tree):
    h1 = nf.household(village=VILLAGE_A1, head="张一")
    h2 = nf.household(village=VILLAGE_A1, head="王二")
    h3 = nf.household(village=VILLAGE_A2, head="李三")
    h4 = nf.household(village=VILLAGE_A2, head="赵四")
    h5 = nf.household(village=VILLAGE_B1, head="钱五")
    Household.objects.filter(pk=h2.pk).update(status=HouseholdStatus.UNDER_MONITORING)
    Household.objects.filter(pk=h4.pk).update(status=HouseholdStatus.EXITED)
    cleo = make_user("cleo", Role.CADRE, TOWNSHIP_A)
    assign(cleo, h1)
    cleo_person = Person.objects.get(account=cleo)
    wang = person(name="王干部", position="assigned_cadre", region=VILLAGE_A1)
    registry_actions.assign_helper(person=wang, household=h2, since=D(2020, 1, 1), by=None)
    secretary_a = f.visitor(position="township_party_secretary", region=TOWNSHIP_A)
    volunteer = f.visitor(position="volunteer")
    city_secretary = f.visitor(position="city_party_secretary", region=CITY)
    f.visit(cleo_person, household=h1, on=D(2025, 3, 5))
    f.visit(secretary_a, household=h1, on=D(2025, 10, 17))
    f.visit(wang, household=h2, on=D(2024, 12, 31))
    f.visit(volunteer, household=h2, on=D(2025, 10, 17))
    f.visit(secretary_a, household=h5, on=D(2025, 6, 1))
    f.visit(city_secretary, village=VILLAGE_A2, on=D(2025, 5, 1))
    f.visit(city_secretary, village=VILLAGE_A2, on=D(2025, 10, 17))
    f.visit(city_secretary, village=VILLAGE_B1, on=D(2024, 10, 17))
    return {"h1": h1, "h2": h2, "h3": h3, "h4": h4, "h5": h5, "cleo": cleo, "wang": wang}


def numbers(households) -> list[str]:
    return [h.registry_number for h in households]


def test_the_city_coverage_names_each_gap(world):
    h = world
    cover = selectors.coverage(Region.objects.get(code=CITY), *YEAR)
    assert cover.poor_households == 4
    assert numbers(cover.not_by_cadre) == numbers([h["h2"], h["h3"], h["h5"]])
    assert numbers(cover.not_by_township_secretary) == numbers([h["h2"], h["h3"], h["h5"]])
    assert numbers(cover.not_by_anyone) == numbers([h["h3"]])
    assert [
        (
            g.village.code,
            g.poor_households,
            g.not_by_cadre,
            g.not_by_township_secretary,
            g.not_by_anyone,
        )
        for g in cover.villages
    ] == [(VILLAGE_A1, 2, 1, 1, 0), (VILLAGE_A2, 1, 1, 1, 1), (VILLAGE_B1, 1, 1, 1, 0)]
    assert [(g.name, numbers(g.households)) for g in cover.cadres] == [
        ("王干部", numbers([h["h2"]]))
    ]
    assert [(v.code, n) for v, n in cover.city_leader_villages] == [(VILLAGE_A2, 2)]


def test_a_township_coverage_holds_its_own_households_only(world):
    cover = selectors.coverage(Region.objects.get(code=TOWNSHIP_B), *YEAR)
    assert (cover.poor_households, numbers(cover.not_by_anyone)) == (1, [])
    assert numbers(cover.not_by_township_secretary) == numbers([world["h5"]])
    assert cover.city_leader_villages == []


def test_an_assignment_ended_before_the_period_leaves_no_cadre_gap(world):
    assignment = world["wang"].assignments.get()
    registry_actions.end_assignment(assignment=assignment, until=D(2024, 12, 31), by=None)
    cover = selectors.coverage(Region.objects.get(code=CITY), *YEAR)
    assert cover.cadres == []
    # h2 still has no cadre who visited it in the period.
    assert world["h2"].registry_number in numbers(cover.not_by_cadre)


def test_the_campaign_day_is_17_october_unless_the_year_has_its_own(tree):
    assert selectors.campaign_days(D(2024, 1, 1), D(2025, 12, 31)) == [
        D(2024, 10, 17),
        D(2025, 10, 17),
    ]
    actions.set_campaign_day(day=D(2025, 6, 1), name="六一慰问", by=None)
    assert selectors.campaign_days(D(2024, 1, 1), D(2025, 12, 31)) == [
        D(2024, 10, 17),
        D(2025, 6, 1),
    ]
    assert selectors.campaign_days(D(2025, 7, 1), D(2025, 12, 31)) == []
    assert CampaignDay.objects.count() == 1


def test_the_campaign_filter_lists_the_visits_of_campaign_days(world, alice):
    on_day = selectors.filtered_visits(alice, VisitFilters(campaign=True))
    assert sorted(v.visited_on.isoformat() for v in on_day) == [
        "2024-10-17",
        "2025-10-17",
        "2025-10-17",
        "2025-10-17",
    ]
    in_2025 = selectors.filtered_visits(
        alice, VisitFilters(first=D(2025, 1, 1), last=D(2025, 12, 31), campaign=True)
    )
    assert in_2025.count() == 3


def test_each_reader_sees_the_visits_of_their_scope(world, alice, tina, tom, cody, victor, dora):
    visible = {
        user.username: selectors.visits_visible_to(user).count()
        for user in (alice, tina, tom, cody, victor, dora, world["cleo"])
    }
    # Township A: the four household visits of A1 and the city secretary's two in A2.
    assert visible == {
        "alice": 8,
        "tina": 6,
        "tom": 2,
        "cody": 0,
        "victor": 6,
        "dora": 0,
        "cleo": 2,  # her own visit to h1 and the secretary's, to the household she helps
    }


def test_a_visit_outside_the_scope_is_not_found(world, tom):
    visit = (
        selectors.visits_visible_to(make_user("ann", Role.CITY_ADMIN, CITY))
        .filter(village_id=VILLAGE_A1)
        .first()
    )
    with pytest.raises(Http404):
        selectors.access_visit(tom, visit.pk)


def test_coverage_is_asked_of_a_region_of_ones_own(world, tina, cody):
    assert selectors.coverage_region(tina, None).code == TOWNSHIP_A
    assert selectors.coverage_region(tina, VILLAGE_A2).code == VILLAGE_A2
    for user, code in ((tina, TOWNSHIP_B), (tina, "999999999999"), (cody, None)):
        with pytest.raises(Http404):
            selectors.coverage_region(user, code)
