"""The figures of sections 1, 3, 7 and 9 of indicators.md on a small data set built by
hand, each answer worked out in the test; and each figure's drill-down lists what it
counted (its count, or for a sum its total, is the figure)."""

import datetime

import pytest
from django.db.models import Sum

from conftest import CITY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tongxing import figures
from tongxing.events.actions import events as ev
from tongxing.events.actions import exemplars as ex
from tongxing.events.actions import publicity as pub
from tongxing.events.figures import MEASURES
from tongxing.events.models import EventKind, Topic
from tongxing.events.tests import factories as f
from tongxing.indicators import engine
from tongxing.registry import actions as registry_actions
from tongxing.registry.models import HouseholdStatus, OrganisationKind, Position

D = datetime.date
YEAR_2020 = figures.window(D(2020, 1, 1), D(2020, 12, 31))
A = "590101001"
B = "590101002"


def r(code):
    return f.region(code)


def build_publicity():
    for title, level, day, code in [
        ("P1", "national", D(2020, 3, 1), CITY),  # counts
        ("P2", "provincial", D(2020, 6, 1), CITY),  # counts
        ("P3", "city", D(2020, 12, 31), CITY),  # counts: the last day
        ("P4", "county", D(2020, 7, 1), CITY),  # a county outlet: not counted
        ("P5", "city", D(2019, 12, 31), CITY),  # the year before
        ("P6", "city", D(2020, 5, 1), TOWNSHIP_A),  # counts, in township A
    ]:
        pub.record_publicity(
            title=title, outlet="报", outlet_level=level, published_on=day, region=r(code), by=None
        )
    for title, category, since, until in [
        ("D1", "social_security", D(2019, 1, 1), None),  # in force
        ("D2", "social_security", D(2020, 2, 1), None),  # in force, same category
        ("D3", "health", D(2018, 1, 1), D(2019, 12, 31)),  # lapsed before the year
        ("D4", "health", D(2020, 12, 31), None),  # in force from the last day
        ("D5", "education", D(2021, 1, 1), None),  # not yet
        ("D6", "industry", D(2019, 1, 1), D(2020, 1, 1)),  # in force on the first day
    ]:
        pub.add_policy(
            title=title,
            category=category,
            issuing_body="市政府",
            in_force_from=since,
            in_force_until=until,
            region=r(CITY),
            by=None,
        )
    for year, published in [
        (2019, D(2019, 12, 20)),
        (2020, D(2020, 12, 15)),
        (2021, D(2021, 1, 5)),
    ]:
        compendium = pub.create_compendium(year=year, region=r(CITY), by=None)
        pub.publish_compendium(compendium=compendium, published_on=published, by=None)
    pub.create_compendium(year=2022, region=r(CITY), by=None)  # never published


def build_exemplars():
    cats = {c.key: c for c in ex.create_default_categories(year=2020, region=r(CITY), by=None)}
    homes = [f.household(f"H-{i}", i) for i in range(1, 5)]
    home_b = f.household("H-5", 5, village=VILLAGE_B1)
    decisions = [  # (nominee, selected?, decided on)
        (homes[0], True, D(2020, 10, 17)),
        (homes[1], True, D(2020, 11, 1)),
        (homes[2], False, D(2020, 10, 17)),
        (homes[3], None, None),  # not decided
        (home_b, True, D(2021, 1, 10)),  # selected the year after
    ]
    for home, selected, day in decisions:
        n = ex.nominate(
            category=cats["hardworking_household"], household=home, reason="勤劳", by=None
        )
        if selected is not None:
            ex.decide_nomination(nomination=n, selected=selected, reason="评审", on=day, by=None)
    member = registry_actions.create_person(
        name="王队员", position=Position.WORK_TEAM_MEMBER, region=r(VILLAGE_A1), by=None
    )
    department = f.organisation("市民政局", OrganisationKind.GOVERNMENT_DEPARTMENT)
    firm = f.organisation("青禾食品", OrganisationKind.PRIVATE_ENTERPRISE)
    other_firm = f.organisation("青禾物流", OrganisationKind.PRIVATE_ENTERPRISE)
    for category, kwargs, selected in [
        ("village_team_member", {"person": member}, True),
        ("city_department", {"organisation": department}, True),
        ("market_entity", {"organisation": firm}, True),
        ("market_entity", {"organisation": other_firm}, False),
    ]:
        n = ex.nominate(category=cats[category], reason="好", by=None, **kwargs)
        ex.decide_nomination(
            nomination=n, selected=selected, reason="评审", on=D(2020, 12, 1), by=None
        )
    stories = [D(2020, 3, 1), D(2020, 6, 1), D(2020, 9, 1), D(2019, 9, 1)]
    for i, day in enumerate(stories):
        story = ex.submit_story(
            campaign="最美帮扶人",
            title=f"故事{i}",
            author="作者",
            text="正文",
            region=r(VILLAGE_A1),
            submitted_on=day,
            by=None,
        )
        if i == 1:
            ex.review_story(story=story, accepted=False, reason="重复", by=None)


def build_events():
    f.event(kind=EventKind.CONTEST, topic="", starts_on=D(2020, 9, 1), ends_on=D(2020, 9, 1))
    f.event(kind=EventKind.CONTEST, topic="", starts_on=D(2019, 11, 1), ends_on=D(2019, 11, 1))
    poor = [f.household(f"T-{i}", 20 + i) for i in range(2)]
    not_poor = f.household("T-9", 29, status=HouseholdStatus.NOT_POOR)
    t1 = f.event(starts_on=D(2020, 4, 10), ends_on=D(2020, 4, 10))
    ev.set_attendance(
        event=t1, members=[h.members.get() for h in [*poor, not_poor]], by=None
    )  # 3 attend, 2 of registered households
    ev.record_outcomes(event=t1, participants=40, by=None)
    t2 = f.event(
        region=r(TOWNSHIP_B),
        sites=[(r(VILLAGE_B1), "")],
        starts_on=D(2020, 6, 1),
        ends_on=D(2020, 6, 1),
    )
    ev.record_outcomes(event=t2, participants=25, registered_attendees=10, by=None)
    t3 = f.event(starts_on=D(2019, 8, 1), ends_on=D(2019, 8, 1))
    ev.record_outcomes(event=t3, participants=30, registered_attendees=5, by=None)
    t4 = f.event(topic=Topic.AGRICULTURE, starts_on=D(2020, 7, 1), ends_on=D(2020, 7, 1))
    ev.record_outcomes(event=t4, participants=50, registered_attendees=20, by=None)
    ev.record_income_gain(
        event=t1, household=poor[0], amount_fen=1200_00, recorded_on=D(2020, 8, 1), by=None
    )
    ev.record_income_gain(event=t1, amount_fen=300_00, recorded_on=D(2020, 9, 1), by=None)
    ev.record_income_gain(event=t3, amount_fen=500_00, recorded_on=D(2020, 1, 15), by=None)
    ev.record_income_gain(event=t2, amount_fen=100_00, recorded_on=D(2021, 1, 2), by=None)
    ev.record_income_gain(event=t4, amount_fen=999_00, recorded_on=D(2020, 8, 1), by=None)

    centre = ev.create_centre(name="电商中心", region=r(CITY), by=None)
    for name, since, until, people in [
        ("S1", D(2019, 5, 1), None, 12),  # resident all year
        ("S2", D(2020, 3, 1), D(2020, 6, 30), 5),  # resident part of the year
        ("S3", D(2019, 1, 1), D(2019, 12, 31), 7),  # left before the year
        ("S4", D(2021, 2, 1), None, 9),  # came after it
    ]:
        company = f.organisation(name, OrganisationKind.ECOMMERCE_COMPANY)
        ev.add_resident(
            centre=centre, organisation=company, since=since, until=until, people=people, by=None
        )

    hospital = f.organisation("市人民医院", OrganisationKind.HOSPITAL)
    clinic = f.organisation("市中医院", OrganisationKind.HOSPITAL)
    centre_m = f.organisation("市妇幼保健中心", OrganisationKind.HOSPITAL)
    other = f.organisation("区医院", OrganisationKind.HOSPITAL)
    clinics = [
        (CITY, D(2020, 10, 17), [VILLAGE_A1, VILLAGE_A2, VILLAGE_B1], [hospital], [clinic], 300),
        (TOWNSHIP_A, D(2020, 11, 20), [VILLAGE_A1], [hospital], [centre_m], 120),
        (CITY, D(2019, 10, 17), [VILLAGE_A2], [other], [], 50),
    ]
    for code, day, sites, organisers, participating, served in clinics:
        event = f.event(
            kind=EventKind.FREE_CLINIC,
            topic=Topic.HEALTH,
            region=r(code),
            starts_on=day,
            ends_on=day,
            sites=[(r(site), "村委会") for site in sites],
            organisers=organisers,
            participating=participating,
        )
        ev.record_outcomes(event=event, people_served=served, by=None)

    # Fairs and their live streams' viewers (F4's unknown); a training's stream is no fair's.
    fairs = [
        (CITY, D(2020, 9, 20), D(2020, 9, 22), 80_000),  # F1
        (TOWNSHIP_B, D(2020, 6, 6), D(2020, 6, 6), 2_500),  # F2
        (CITY, D(2019, 9, 20), D(2019, 9, 22), 50_000),  # F3
        (CITY, D(2020, 12, 1), D(2020, 12, 1), None),  # F4
    ]
    for code, first, last, viewers in fairs:
        fair = f.event(kind=EventKind.FAIR, topic="", region=r(code), starts_on=first, ends_on=last)
        ev.record_outcomes(event=fair, viewers=viewers, by=None)
    ev.record_outcomes(event=t1, participants=40, viewers=333, by=None)


@pytest.fixture
def data(tree):
    build_publicity()
    build_exemplars()
    build_events()


CITY_2020 = {
    # P1, P2, P3, P6 (not the county outlet P4, not P5 of 2019)
    "publicity.news_items": 4,
    # social security (D1, D2), health (D4), industry (D6)
    "policy.categories": 3,
    # 2019 and 2020 published by the year's end (2021 after it, 2022 never)
    "policy.compendium_year": 2020,
    # H-1 and H-2 (H-3 not selected, H-4 undecided, H-5 selected in 2021)
    "awards.selected.hardworking_household": 2,
    "awards.selected.village_team_member": 1,
    "awards.selected.pairing_cadre": 0,
    "awards.selected.city_department": 1,
    "awards.selected.market_entity": 1,
    # three of 2020, the rejected one too; not the one of 2019
    "awards.stories_submitted": 3,
    "events.contests": 1,
    # S1 and S2: 12 + 5 people
    "ecommerce.center.companies": 2,
    "ecommerce.center.people": 17,
    # T1 and T2 (T3 of 2019, T4 on agriculture)
    "ecommerce.trainings.count": 2,
    # T1's list: 2; T2's count: 10
    "ecommerce.trainings.poor_attendances": 12,
    # T1 1,200 + 300 yuan, T3's 500 yuan recorded in 2020; not T2's of 2021 nor T4's
    "ecommerce.trainings.income_gain_fen": 2000_00,
    # T1 40 + T2 25 + T3 30 (as of the year's end)
    "ecommerce.trainings.cumulative_trainees": 95,
    "health.clinics.events": 2,
    # 市人民医院, 市中医院, 市妇幼保健中心
    "health.clinics.institutions": 3,
    # A1, A2, B1
    "health.clinics.sites": 3,
    "health.clinics.people_served": 420,
    # F1 80,000 + F2 2,500 (F3 of 2019, F4 unknown, not T1's stream)
    "fair.online_viewers": 82_500,
}


def test_every_figure_of_the_city_for_2020(data):
    assert figures.evaluate(MEASURES, "5901", YEAR_2020) == CITY_2020


def test_township_a_counts_what_belongs_to_it(data):
    values = figures.evaluate(MEASURES, A, YEAR_2020)
    assert values["publicity.news_items"] == 1  # P6
    assert values["awards.selected.hardworking_household"] == 2
    assert values["ecommerce.trainings.count"] == 1  # T1
    assert values["ecommerce.trainings.poor_attendances"] == 2
    assert values["ecommerce.trainings.income_gain_fen"] == 1500_00 + 500_00
    assert values["health.clinics.events"] == 1  # the township's own clinic
    assert values["health.clinics.sites"] == 2  # A1 and A2, of either clinic
    assert values["health.clinics.people_served"] == 120
    assert values["policy.compendium_year"] is None  # the city's, not the township's


def test_figures_by_township_are_one_grouped_query_each(data):
    by = figures.evaluate_by(MEASURES, "5901", YEAR_2020, length=9, units=[A, B])
    assert by[B]["ecommerce.trainings.poor_attendances"] == 10
    assert by[B]["health.clinics.sites"] == 1
    assert by[B]["policy.compendium_year"] is None
    assert by[B]["fair.online_viewers"] == 2_500  # F2, the township's own fair


def test_the_year_of_2019_has_its_own_figures(data):
    values = figures.evaluate(MEASURES, "5901", figures.window(D(2019, 1, 1), D(2019, 12, 31)))
    assert values["policy.compendium_year"] == 2019
    assert values["ecommerce.trainings.cumulative_trainees"] == 30
    assert values["events.contests"] == 1
    assert values["ecommerce.center.companies"] == 2  # S1 and S3


@pytest.mark.parametrize("code", sorted(CITY_2020))
def test_each_drill_down_lists_what_its_figure_counted(data, code):
    measure = MEASURES[code]
    rows = figures.records(measure, "5901", YEAR_2020)
    if measure.how == figures.SUM:
        assert rows.aggregate(total=Sum(measure.field))["total"] == CITY_2020[code]
    elif measure.how == figures.MAX:
        assert [row.year for row in rows] == [CITY_2020[code]]
    else:
        assert rows.count() == CITY_2020[code]


def test_the_catalogue_computes_them_from_these_records(data):
    figure = engine.compute_one("health.clinics.sites", "5901", D(2020, 1, 1), D(2020, 12, 31))
    assert figure.value == 3
    year = engine.compute_one("policy.compendium_year", "5901", D(2020, 1, 1), D(2020, 12, 31))
    assert year.value == 2020


def test_every_model_a_figure_lists_has_its_columns(data):
    from tongxing.events.record_columns import COLUMNS

    for code, measure in MEASURES.items():
        rows = figures.records(measure, "5901", YEAR_2020)
        label = rows.model._meta.label
        if label == "regions.Region":
            continue  # the indicators' own columns name regions
        columns, related = COLUMNS[label]
        for row in rows.select_related(*related):
            assert all(key for key, *_rest in columns), code
            [cell(row) for _key, _heading, cell, _money in columns]
