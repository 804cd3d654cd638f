"""The pairing programmes' figures (indicators.md, sections 2 and 5) on a small city whose
answers are worked out by hand below, for the city, a township and several periods; and
the records behind each figure are what it counted."""

import datetime

import pytest
from django.db.models import Min, Sum

from conftest import CITY, OTHER_CITY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, add_other_city
from tongxing import figures
from tongxing.programs import actions
from tongxing.programs.figures import MEASURES
from tongxing.programs.models import Kind
from tongxing.programs.tests import factories as f
from tongxing.regions.actions import import_regions
from tongxing.regions.models import Region
from tongxing.registry.tests.factories import organisation

D = datetime.date
FAR_COUNTY = "590201000000"
YEAR = (D(2026, 1, 1), D(2026, 12, 31))
CITY_P, TOWNSHIP_A, TOWNSHIP_B = "5901", "590101001", "590101002"


def add(prog, code):
    return actions.add_target(programme=prog, region=Region.objects.get(code=code), by=None)


def money(pairing, day, fen, status_by=None):
    return actions.record_pledge(
        pairing=pairing, amount_fen=fen, purpose="产业项目", pledged_on=day, by=status_by
    )


def paid(pairing, day, fen, kind="funds", description=""):
    return actions.record_disbursement(
        pairing=pairing,
        kind=kind,
        amount_fen=fen,
        disbursed_on=day,
        description=description,
        excess_reason="",
        by=None,
    )


@pytest.fixture
def city(tree, olga, alice):
    """The city's programmes, as the figures below count them.

    百企联百村 (from 1 March 2026): A1 (key poor), A2 (key poor, relocation), B1
    (provincial key). A1 ← 青禾食品 (private) from 3/1, and 松林建材 (private) from 7/1;
    A2 ← 松林建材 3/15–6/30; B1 ← 梅竹合作社 (a cooperative) from 4/1.
    Pledges: A1 ¥50,000 (3/10), B1 ¥30,000 (4/2), A1 ¥7,000 by 青禾's rep, waiting.
    Disbursed: A1 ¥20,000 funds (4/1) and ¥3,000 of materials (5/1), B1 ¥30,000 (6/1).
    An earlier 百企联百村 ran 1 Nov – 31 Dec 2025 with A1 as its target.
    对口帮扶: the far county (in city 5902) ← 民政局; ¥100,000 pledged 3/5; ¥60,000 funds
    4/1, ¥25,000 of materials 9/1.
    劳务协作 (from 1 Jan 2026): partner regions city 5902 and the far county.
    教育结对: 桃李小学 (A1) ← 青禾一中 from 3/1; 5 teachers sent 3/20, 3 received 10/10.
    定点帮扶: A2 ← 省农业厅 from 2/1, and 省卫健委 2/1–2/28.
    """
    add_other_city()
    rows = [{"code": FAR_COUNTY, "name": "远县"}]
    assert import_regions(rows=list(enumerate(rows, start=2)), by=None).ok
    food = f.enterprise("青禾食品", serial=21)
    build = f.enterprise("松林建材", serial=22)
    coop = organisation(name="梅竹合作社", kind="cooperative", region=VILLAGE_B1, serial=23)
    f.speak_for(olga, food)

    ev = f.programme(starts_on=D(2026, 3, 1))
    a1 = f.pairing(ev, VILLAGE_A1, food)
    f.pairing(ev, VILLAGE_A1, build, since=D(2026, 7, 1))
    a2 = f.pairing(ev, VILLAGE_A2, build, since=D(2026, 3, 15))
    actions.end_pairing(pairing=a2, until=D(2026, 6, 30), by=None)
    b1 = f.pairing(ev, VILLAGE_B1, coop, since=D(2026, 4, 1))
    money(a1, D(2026, 3, 10), 50_000_00)
    money(b1, D(2026, 4, 2), 30_000_00)
    money(a1, D(2026, 3, 11), 7_000_00, status_by=olga)
    paid(a1, D(2026, 4, 1), 20_000_00)
    paid(a1, D(2026, 5, 1), 3_000_00, kind="materials", description="化肥")
    paid(b1, D(2026, 6, 1), 30_000_00)

    earlier = actions.create_programme(
        kind=Kind.ENTERPRISE_VILLAGE,
        name="百企联百村（试点）",
        starts_on=D(2025, 11, 1),
        ends_on=D(2025, 12, 31),
        region=Region.objects.get(code=CITY),
        by=None,
    )
    add(earlier, VILLAGE_A1)

    county = f.programme(kind=Kind.PAIRED_COUNTY, name="对口帮扶远县")
    bureau = organisation(name="青禾市民政局", kind="government_department", serial=24)
    help_far = f.pairing(county, FAR_COUNTY, bureau)
    money(help_far, D(2026, 3, 5), 100_000_00)
    paid(help_far, D(2026, 4, 1), 60_000_00)
    paid(help_far, D(2026, 9, 1), 25_000_00, kind="materials", description="冬衣")

    labour = f.programme(kind=Kind.LABOUR_COOPERATION, name="劳务协作", starts_on=D(2026, 1, 1))
    add(labour, OTHER_CITY)
    add(labour, FAR_COUNTY)

    schools = f.programme(kind=Kind.SCHOOL_PAIRING, name="教育结对")
    village_school = organisation(name="桃李小学", kind="school", serial=25)
    city_school = organisation(name="青禾一中", kind="school", region=VILLAGE_A2, serial=26)
    target = actions.add_target(programme=schools, organisation=village_school, by=None)
    teachers = actions.pair(target=target, helper=city_school, since=D(2026, 3, 1), by=None)
    for day, people, direction in (
        (D(2026, 3, 20), 5, "to_target"),
        (D(2026, 10, 10), 3, "to_helper"),
    ):
        actions.record_exchange(
            pairing=teachers, people=people, exchanged_on=day, direction=direction, by=None
        )

    units = f.programme(kind=Kind.DESIGNATED_UNIT, name="省直驻村", starts_on=D(2026, 2, 1))
    farm = organisation(name="省农业厅", kind="government_department", serial=27)
    health = organisation(name="省卫健委", kind="government_department", serial=28)
    f.pairing(units, VILLAGE_A2, farm, since=D(2026, 2, 1))
    short = f.pairing(units, VILLAGE_A2, health, since=D(2026, 2, 1))
    actions.end_pairing(pairing=short, until=D(2026, 2, 28), by=None)


def values(region: str, first: datetime.date, last: datetime.date) -> dict:
    return figures.evaluate(MEASURES, region, figures.window(first, last))


def test_the_city_figures_of_the_year(city):
    assert values(CITY_P, *YEAR) == {
        "pairing.program_start_month": 3,
        "pairing.villages.key_poor": 2,  # A1, A2
        "pairing.villages.relocation": 1,  # A2
        "pairing.villages.provincial_key": 1,  # B1
        "pairing.enterprises": 2,  # 青禾食品, 松林建材 (the cooperative is none)
        "pairing.targets_paired": 2,  # A1 and B1 on 31 December; A2's ended 30 June
        "pairing.targets": 3,
        "pairing.pledged_fen": 80_000_00,  # 50,000 + 30,000; the rep's 7,000 waits
        "pairing.disbursed_fen": 53_000_00,  # 20,000 + 3,000 of materials + 30,000
        "cooperation.paired_county.funds_fen": 60_000_00,
        "cooperation.paired_county.materials_fen": 25_000_00,
        "cooperation.labor.partner_regions": 2,
        "cooperation.education.teachers_exchanged": 8,  # 5 + 3
        "cooperation.designated.units": 2,
    }


def test_the_figures_of_spring(city):
    spring = values(CITY_P, D(2026, 3, 1), D(2026, 5, 31))
    assert spring["pairing.targets_paired"] == 3  # A2's pairing still held on 31 May
    assert spring["pairing.pledged_fen"] == 80_000_00
    assert spring["pairing.disbursed_fen"] == 23_000_00  # B1's came on 1 June
    assert spring["cooperation.paired_county.funds_fen"] == 60_000_00
    assert spring["cooperation.paired_county.materials_fen"] == 0
    assert spring["cooperation.education.teachers_exchanged"] == 5
    assert spring["cooperation.designated.units"] == 1  # 省卫健委's ended in February


def test_the_earlier_programme_counts_in_its_own_year(city):
    last_year = values(CITY_P, D(2025, 1, 1), D(2025, 12, 31))
    assert last_year["pairing.program_start_month"] == 11
    assert last_year["pairing.targets"] == 1
    assert last_year["pairing.targets_paired"] == 0  # nobody paired with it
    assert last_year["pairing.pledged_fen"] == 0


def test_a_township_counts_its_own_targets_and_none_of_the_far_county(city):
    a = values(TOWNSHIP_A, *YEAR)
    assert a["pairing.villages.key_poor"] == 2
    assert a["pairing.villages.provincial_key"] == 0
    assert (a["pairing.pledged_fen"], a["pairing.disbursed_fen"]) == (50_000_00, 23_000_00)
    assert a["cooperation.paired_county.funds_fen"] == 0  # the office's, not A's
    assert a["cooperation.labor.partner_regions"] == 0
    assert a["cooperation.education.teachers_exchanged"] == 8  # the village school is in A1
    assert a["pairing.program_start_month"] is None  # the city runs the programme
    b = values(TOWNSHIP_B, *YEAR)
    assert (b["pairing.targets"], b["pairing.targets_paired"]) == (1, 1)
    assert b["pairing.enterprises"] == 0


def test_by_township_the_figures_add_up_to_the_citys_where_they_should(city):
    by = figures.evaluate_by(MEASURES, CITY_P, figures.window(*YEAR), length=9)
    assert by[TOWNSHIP_A]["pairing.pledged_fen"] + by[TOWNSHIP_B]["pairing.pledged_fen"] == (
        80_000_00
    )
    assert by["590100000"]["cooperation.paired_county.funds_fen"] == 60_000_00
    assert by[TOWNSHIP_B]["pairing.program_start_month"] is None


def test_no_records_give_zeros_and_no_month(tree):
    empty = values(CITY_P, *YEAR)
    assert empty["pairing.program_start_month"] is None
    assert {v for k, v in empty.items() if k != "pairing.program_start_month"} == {0}


@pytest.mark.parametrize("region", [CITY_P, TOWNSHIP_A, TOWNSHIP_B])
@pytest.mark.parametrize("period", [YEAR, (D(2026, 3, 1), D(2026, 5, 31))])
def test_the_records_behind_each_figure_are_what_it_counted(city, region, period):
    window = figures.window(*period)
    computed = figures.evaluate(MEASURES, region, window)
    for code, measure in MEASURES.items():
        listed = figures.records(measure, region, window)
        if measure.how == figures.SUM:
            assert (listed.aggregate(t=Sum(measure.field))["t"] or 0) == computed[code], code
        elif measure.how == figures.MIN:
            assert listed.aggregate(m=Min(measure.field))["m"] == computed[code], code
        else:
            assert listed.count() == computed[code], code


def test_the_records_of_the_village_figures_are_the_villages(city):
    villages = figures.records(MEASURES["pairing.villages.key_poor"], CITY_P, figures.window(*YEAR))
    assert sorted(villages.values_list("code", flat=True)) == [VILLAGE_A1, VILLAGE_A2]
    units = figures.records(MEASURES["cooperation.designated.units"], CITY_P, figures.window(*YEAR))
    assert sorted(units.values_list("name", flat=True)) == ["省农业厅", "省卫健委"]
