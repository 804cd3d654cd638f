"""The visits' figures (indicators.md, section 4) on a small data set worked out by hand, and
each drill-down listing exactly what its figure counted.

Villages: A1 and A2 are key poor villages, B1 is not (root conftest's tags). Households: h1
(A1, registered poor), h2 (A1, under monitoring), h3 (A2, registered poor), h4 (A2, exited),
h5 (B1, registered poor). The year is 2025; its campaign day is 17 October (none is set).

- The city party secretary: A1 on 1 March and 17 October, B1 on 1 April, A2 on
  17 October 2024 → 3 visits in 2025, of which the poor villages are A1 alone (B1 is not
  tagged key poor): 1.
- Township A's party secretary: h1 on 17 October and 1 November, h5 (of township B) on
  1 May, h4 (exited) on 2 May; township B's secretary h5 on 31 December 2024 → one poor
  household visited by its own township's secretary (h1) of 4 poor households.
- On 17 October 2025: the township A secretary → h1 (3 pieces of clothing, 10 jin of grain
  and oil), a volunteer → h2 (2 pieces, 20 jin, ¥100) and → h4 (5 pieces), the city
  secretary → A1 (50 jin); on 18 October another volunteer → h3 (100 pieces).
  Visitors 3; poor households 2 (h1, h2: h4 has exited); clothing 3 + 2 + 5 = 10 pieces;
  grain and oil 10 + 20 + 50 = 80 jin.
"""

import datetime

import pytest

from conftest import CITY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tongxing.figures import SUM, evaluate, evaluate_by, records, window
from tongxing.needs.tests import factories as nf
from tongxing.regions.models import Region
from tongxing.registry.models import Household, HouseholdStatus
from tongxing.visits import actions
from tongxing.visits.figures import MEASURES
from tongxing.visits.tests import factories as f

D = datetime.date
YEAR = window(D(2025, 1, 1), D(2025, 12, 31))


@pytest.fixture
def world(tree):
    h = {
        "h1": nf.household(village=VILLAGE_A1, head="张一"),
        "h2": nf.household(village=VILLAGE_A1, head="王二"),
        "h3": nf.household(village=VILLAGE_A2, head="李三"),
        "h4": nf.household(village=VILLAGE_A2, head="赵四"),
        "h5": nf.household(village=VILLAGE_B1, head="钱五"),
    }
    Household.objects.filter(pk=h["h2"].pk).update(status=HouseholdStatus.UNDER_MONITORING)
    Household.objects.filter(pk=h["h4"].pk).update(status=HouseholdStatus.EXITED)
    city_secretary = f.visitor(position="city_party_secretary", region=CITY)
    secretary_a = f.visitor(position="township_party_secretary", region=TOWNSHIP_A)
    secretary_b = f.visitor(position="township_party_secretary", region=TOWNSHIP_B)
    volunteer = f.visitor(position="volunteer")
    other_volunteer = f.visitor(position="volunteer")
    f.visit(city_secretary, village=VILLAGE_A1, on=D(2025, 3, 1))
    f.visit(city_secretary, village=VILLAGE_A1, on=D(2025, 10, 17), lines=[("grain_oil", 50)])
    f.visit(city_secretary, village=VILLAGE_B1, on=D(2025, 4, 1))
    f.visit(city_secretary, village=VILLAGE_A2, on=D(2024, 10, 17))
    f.visit(
        secretary_a,
        household=h["h1"],
        on=D(2025, 10, 17),
        lines=[("clothing", 3), ("grain_oil", 10)],
    )
    f.visit(secretary_a, household=h["h1"], on=D(2025, 11, 1))
    f.visit(secretary_a, household=h["h5"], on=D(2025, 5, 1))
    f.visit(secretary_a, household=h["h4"], on=D(2025, 5, 2))
    f.visit(secretary_b, household=h["h5"], on=D(2024, 12, 31))
    f.visit(
        volunteer,
        household=h["h2"],
        on=D(2025, 10, 17),
        lines=[("clothing", 2), ("grain_oil", 20), ("cash", 100_00)],
    )
    f.visit(volunteer, household=h["h4"], on=D(2025, 10, 17), lines=[("clothing", 5)])
    f.visit(other_volunteer, household=h["h3"], on=D(2025, 10, 18), lines=[("clothing", 100)])
    return h


def drilled(code: str, region: str, period=YEAR) -> int:
    """What the drill-down of a figure adds up to: its records, or their sum."""
    measure = MEASURES[code]
    rows = records(measure, region, period)
    if measure.how == SUM:
        return sum(rows.values_list(measure.field, flat=True))
    return rows.count()


def test_the_city_figures_of_the_year(world):
    assert evaluate(MEASURES, "5901", YEAR) == {
        "visits.city_secretary.count": 3,
        "visits.city_secretary.villages": 1,
        "visits.township_secretary.households_visited": 1,
        "visits.poor_households": 4,
        "visits.day.visitors": 3,
        "visits.day.households": 2,
        "visits.day.clothing_pieces": 10,
        "visits.day.grain_oil_jin": 80,
    }


def test_each_drill_down_adds_up_to_its_figure(world):
    values = evaluate(MEASURES, "5901", YEAR)
    assert {code: drilled(code, "5901") for code in MEASURES} == values
    assert list(records(MEASURES["visits.city_secretary.villages"], "5901", YEAR)) == [
        Region.objects.get(code=VILLAGE_A1)
    ]
    assert list(
        records(MEASURES["visits.township_secretary.households_visited"], "5901", YEAR)
    ) == [world["h1"]]


def test_the_figures_by_township(world):
    by = evaluate_by(MEASURES, "5901", YEAR, length=9)
    a, b = by["590101001"], by["590101002"]
    assert (a["visits.city_secretary.count"], b["visits.city_secretary.count"]) == (2, 1)
    assert (a["visits.city_secretary.villages"], b["visits.city_secretary.villages"]) == (1, 0)
    assert (a["visits.poor_households"], b["visits.poor_households"]) == (3, 1)
    # h5's visit by township A's secretary is no visit by its own township's secretary.
    assert (
        a["visits.township_secretary.households_visited"],
        b["visits.township_secretary.households_visited"],
    ) == (1, 0)
    assert (a["visits.day.clothing_pieces"], a["visits.day.grain_oil_jin"]) == (10, 80)
    assert (b["visits.day.visitors"], b["visits.day.households"]) == (0, 0)


def test_a_configured_campaign_day_takes_the_place_of_17_october(world):
    actions.set_campaign_day(day=D(2025, 10, 18), name="扶贫日", by=None)
    values = evaluate(MEASURES, "5901", YEAR)
    assert (
        values["visits.day.visitors"],
        values["visits.day.households"],
        values["visits.day.clothing_pieces"],
        values["visits.day.grain_oil_jin"],
    ) == (1, 1, 100, 0)
    assert drilled("visits.day.clothing_pieces", "5901") == 100


def test_a_period_without_its_campaign_day_counts_nothing_that_day(world):
    spring = window(D(2025, 1, 1), D(2025, 6, 30))
    values = evaluate(MEASURES, "5901", spring)
    assert (values["visits.day.visitors"], values["visits.city_secretary.count"]) == (0, 2)
