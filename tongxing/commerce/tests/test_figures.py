"""The figures of consumption assistance (indicators.md §8) on a small data set whose
answers are worked out by hand below, and their drill-downs: the records behind each
figure add up to it."""

import datetime

import pytest

from conftest import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tongxing import figures
from tongxing.commerce import actions
from tongxing.commerce.figures import MEASURES
from tongxing.commerce.models import Channel
from tongxing.commerce.tests.factories import (
    budget_unit,
    fair,
    household_supplier,
    product,
    sale,
    supplier,
)

D = datetime.date
CITY, TOWNSHIP_A, TOWNSHIP_B = "5901", "590101001", "590101002"
YEAR_2025 = figures.window(D(2025, 1, 1), D(2025, 12, 31))


@pytest.fixture
def market(tree):
    """Four suppliers, eleven sales and five listings.

    coop (A1): certified 2025-03-01, revoked from 2025-10-01.
    firm (B1): certified since 2024-01-01.   home (A1, a household): certified 2025-01-01.
    stranger (A2): never certified.
    """
    coop = supplier(certified_on=D(2025, 3, 1))
    actions.revoke_certification(supplier=coop, revoked_on=D(2025, 10, 1), reason="停产", by=None)
    firm = supplier(
        name="乙镇果业公司",
        kind="private_enterprise",
        region=VILLAGE_B1,
        serial=2,
        certified_on=D(2024, 1, 1),
    )
    home = household_supplier(certified_on=D(2025, 1, 1))
    stranger = supplier(
        name="外地商贸公司",
        kind="private_enterprise",
        region=VILLAGE_A2,
        serial=3,
        certified_on=None,
    )
    school = budget_unit()
    summer_fair = fair(title="夏季展销会", starts_on=D(2025, 7, 31), ends_on=D(2025, 8, 2))
    sale(coop, channel=Channel.ONLINE, sold_on=D(2025, 2, 15), amount_fen=1000_00)  # not yet
    sale(coop, channel=Channel.ONLINE, sold_on=D(2025, 3, 1), amount_fen=2000_00)
    sale(coop, channel=Channel.OFFLINE, sold_on=D(2025, 9, 30), amount_fen=3000_00)
    sale(coop, channel=Channel.OFFLINE, sold_on=D(2025, 10, 1), amount_fen=4000_00)  # revoked
    sale(firm, channel=Channel.ONLINE, sold_on=D(2025, 6, 1), amount_fen=500_00)
    sale(firm, channel=Channel.PROCUREMENT, sold_on=D(2025, 7, 1), amount_fen=6000_00, buyer=school)
    sale(
        firm,
        channel=Channel.FAIR_OFFLINE,
        sold_on=D(2025, 8, 1),
        amount_fen=700_00,
        event=summer_fair,
    )
    sale(firm, channel=Channel.ONLINE, sold_on=D(2026, 1, 2), amount_fen=9_00)  # next year
    sale(home, channel=Channel.ONLINE, sold_on=D(2025, 5, 5), amount_fen=80_00)
    sale(home, channel=Channel.OFFLINE, sold_on=D(2024, 12, 31), amount_fen=90_00)  # last year
    sale(stranger, channel=Channel.ONLINE, sold_on=D(2025, 5, 5), amount_fen=10_000_00)
    rice, tea = product(coop, name="高山大米"), product(coop, name="云雾茶")
    pears, apples = product(firm, name="雪梨"), product(firm, name="苹果")
    eggs = product(home, name="土鸡蛋")
    actions.list_in_pavilion(product=rice, listed_from=D(2024, 6, 1), by=None)
    actions.unlist_from_pavilion(product=rice, listed_until=D(2025, 2, 28), by=None)
    actions.list_in_pavilion(product=tea, listed_from=D(2025, 11, 1), by=None)
    actions.list_in_pavilion(product=pears, listed_from=D(2025, 12, 31), by=None)
    actions.list_in_pavilion(product=apples, listed_from=D(2026, 1, 5), by=None)  # next year
    actions.list_in_pavilion(product=eggs, listed_from=D(2024, 1, 1), by=None)
    actions.unlist_from_pavilion(product=eggs, listed_until=D(2024, 12, 31), by=None)  # last year
    return {"coop": coop, "firm": firm, "home": home}


def test_the_citys_figures_of_2025(market):
    assert figures.evaluate(MEASURES, CITY, YEAR_2025) == {
        # rice (until 28 Feb), tea (from 1 Nov), pears (from 31 Dec): of coop and firm.
        "consumption.pavilion.products": 3,
        "consumption.pavilion.suppliers": 2,
        # coop 2,000 (1 Mar) + firm 500 + home 80; not coop's 1,000 of 15 Feb (before its
        # certification) nor the stranger's 10,000 (never certified).
        "consumption.sales.online_fen": 2580_00,
        # coop 3,000 (30 Sep); not 4,000 of 1 Oct (revoked that day) nor home's of 2024.
        "consumption.sales.offline_fen": 3000_00,
        "consumption.sales.household_own_fen": 80_00,
        # coop 2,000 + 3,000; firm 500 + 6,000 + 700.
        "consumption.sales.other_entities_fen": 12_200_00,
        "consumption.procurement_fen": 6000_00,
        # firm's stall at the summer fair: a private enterprise's (test_fair.py has more).
        "fair.online_orders": 0,
        "fair.online_sales_fen": 0,
        "fair.offline_enterprises": 1,
        "fair.offline_enterprise_sales_fen": 700_00,
        "fair.townships": 0,
        "fair.township_sales_fen": 0,
        "fair.total_sales_fen": 700_00,
    }


NO_FAIR = {code: 0 for code in MEASURES if code.startswith("fair.")}


def test_the_figures_by_township(market):
    by = figures.evaluate_by(MEASURES, CITY, YEAR_2025, length=9)
    assert by[TOWNSHIP_A] == {
        "consumption.pavilion.products": 2,
        "consumption.pavilion.suppliers": 1,
        "consumption.sales.online_fen": 2080_00,
        "consumption.sales.offline_fen": 3000_00,
        "consumption.sales.household_own_fen": 80_00,
        "consumption.sales.other_entities_fen": 5000_00,
        "consumption.procurement_fen": 0,
        **NO_FAIR,
    }
    assert by[TOWNSHIP_B] == {
        "consumption.pavilion.products": 1,
        "consumption.pavilion.suppliers": 1,
        "consumption.sales.online_fen": 500_00,
        "consumption.sales.offline_fen": 0,
        "consumption.sales.household_own_fen": 0,
        "consumption.sales.other_entities_fen": 7200_00,
        "consumption.procurement_fen": 6000_00,
        **NO_FAIR,
        "fair.offline_enterprises": 1,
        "fair.offline_enterprise_sales_fen": 700_00,
        "fair.total_sales_fen": 700_00,
    }
    assert figures.evaluate(MEASURES, TOWNSHIP_B, YEAR_2025) == by[TOWNSHIP_B]


def test_a_single_day_counts_the_sales_of_that_day(market):
    day = figures.window(D(2025, 3, 1), D(2025, 3, 1))
    values = figures.evaluate(MEASURES, VILLAGE_A1, day)
    assert values["consumption.sales.online_fen"] == 2000_00
    assert values["consumption.pavilion.products"] == 0


@pytest.mark.parametrize("code", sorted(MEASURES))
def test_each_figures_records_add_up_to_the_figure(market, code):
    measure = MEASURES[code]
    value = figures.evaluate({code: measure}, CITY, YEAR_2025)[code]
    behind = figures.records(measure, CITY, YEAR_2025)
    if measure.how == figures.SUM:
        assert sum(behind.values_list(measure.field, flat=True)) == value
    else:
        assert behind.count() == value


def test_the_drill_down_lists_the_counted_sales_and_suppliers(market):
    online = figures.records(MEASURES["consumption.sales.online_fen"], CITY, YEAR_2025)
    assert sorted(online.values_list("amount_fen", flat=True)) == [80_00, 500_00, 2000_00]
    suppliers = figures.records(MEASURES["consumption.pavilion.suppliers"], CITY, YEAR_2025)
    assert set(suppliers) == {market["coop"], market["firm"]}


def test_the_catalogue_turns_the_figures_on(market):
    from tongxing.indicators.catalogue import MEASURES as CATALOGUE

    for code in MEASURES:
        assert CATALOGUE[code] is MEASURES[code]
