"""An organisation's representative records exchanges and labour activities for its own
pairings; they wait for the office's review (the same review as pledges and disbursements)
and count in the figures only once accepted.

Personas: Olga speaks for 青禾职业中学, which sends teachers to 桃李小学 (A1's school) and
places its graduates with the partner city 远山市 (5902); Otto speaks for 松林中学, paired with
梅竹小学 (B1's school) only. Alice runs the city office, Tina township A's station, Tom
township B's, Carl the neighbouring city's office; Dora is a caring person, Victor a viewer
of township A.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import OTHER_CITY, VILLAGE_B1, api_client_for, client_for, make_user
from tongxing import figures
from tongxing.access import Role
from tongxing.audit import events
from tongxing.audit.models import AuditEvent
from tongxing.programs import actions
from tongxing.programs.figures import MEASURES
from tongxing.programs.models import Exchange, Kind, LabourActivity, Review
from tongxing.programs.tests import factories as f
from tongxing.regions.models import Region
from tongxing.registry.tests.factories import organisation

D = datetime.date
YEAR = (D(2026, 1, 1), D(2026, 12, 31))
# The figures take a region by its code prefix.
CITY_P, TOWNSHIP_A_P = "5901", "590101001"
EXCHANGE_DAY, FAIR_DAY = D(2026, 3, 20), D(2026, 4, 8)


@pytest.fixture
def world(alice, tina, tom, carl, olga, dora, victor):
    otto = make_user("otto", Role.ORG_REP)
    vocational = organisation(name="青禾职业中学", kind="school", serial=41)
    pines = organisation(name="松林中学", kind="school", region=VILLAGE_B1, serial=42)
    village_school = organisation(name="桃李小学", kind="school", serial=43)
    b1_school = organisation(name="梅竹小学", kind="school", region=VILLAGE_B1, serial=44)
    f.speak_for(olga, vocational)
    f.speak_for(otto, pines)

    schools = f.programme(kind=Kind.SCHOOL_PAIRING, name="教育结对")
    a1_target = actions.add_target(programme=schools, organisation=village_school, by=None)
    b1_target = actions.add_target(programme=schools, organisation=b1_school, by=None)
    teachers = actions.pair(target=a1_target, helper=vocational, since=f.START, by=None)
    others = actions.pair(target=b1_target, helper=pines, since=f.START, by=None)

    labour = f.programme(kind=Kind.LABOUR_COOPERATION, name="劳务协作")
    partner = actions.add_target(
        programme=labour, region=Region.objects.get(code=OTHER_CITY), by=None
    )
    placing = actions.pair(target=partner, helper=vocational, since=f.START, by=None)
    people = {u.username: u for u in (alice, tina, tom, carl, olga, otto, dora, victor)}
    return {
        "schools": schools,
        "teachers": teachers,
        "others": others,
        "labour": labour,
        "partner": partner,
        "placing": placing,
        **people,
    }


def exchange(world, who, *, pairing="teachers", people=5, day=EXCHANGE_DAY):
    return actions.record_exchange(
        pairing=world[pairing],
        people=people,
        exchanged_on=day,
        direction="to_target",
        note="骨干教师支教",
        by=world[who],
    )


def job_fair(world, who, *, placed=12, day=FAIR_DAY):
    return actions.record_labour_activity(
        target=world["partner"], kind="job_fair", held_on=day, people_placed=placed, by=world[who]
    )


def teachers_exchanged(region: str = CITY_P) -> int:
    values = figures.evaluate(MEASURES, region, figures.window(*YEAR))
    return values["cooperation.education.teachers_exchanged"]


def api(world, who):
    return api_client_for(world[who] if who else None)


# --- The actions ------------------------------------------------------------------------------


def test_a_reps_exchange_waits_for_review_and_an_offices_counts_at_once(world):
    mine = exchange(world, "olga")
    theirs = exchange(world, "tina", people=4, day=D(2026, 3, 25))
    assert (mine.status, theirs.status) == (Review.PENDING, Review.ACCEPTED)
    assert mine.region_code == theirs.region_code == world["teachers"].region_code
    event = AuditEvent.objects.get(action="exchange.recorded", object_id=str(mine.pk))
    assert event.after["status"] == "pending"


def test_a_rep_of_another_organisation_may_not_record_an_exchange_on_the_pairing(world):
    with pytest.raises(PermissionDenied):
        exchange(world, "otto")
    assert not Exchange.objects.exists()
    assert not AuditEvent.objects.filter(action="exchange.recorded").exists()


def test_a_reps_job_fair_hangs_on_her_pairing_and_waits_for_review(world):
    fair = job_fair(world, "olga")
    assert (fair.status, fair.pairing_id, fair.target_id) == (
        Review.PENDING,
        world["placing"].pk,
        world["partner"].pk,
    )
    office = job_fair(world, "alice", placed=3)
    assert (office.status, office.pairing_id) == (Review.ACCEPTED, None)


def test_a_rep_may_record_a_labour_activity_only_while_her_pairing_held(world):
    with pytest.raises(ValidationError) as exc:
        job_fair(world, "olga", day=D(2026, 2, 20))  # the pairing starts on 1 March
    assert exc.value.message_dict == {
        "held_on": ["Your organisation was not paired with this partner region on that day."]
    }
    with pytest.raises(PermissionDenied):
        job_fair(world, "otto")  # 松林中学 has no pairing with the partner city
    with pytest.raises(PermissionDenied):
        job_fair(world, "tina")  # the partner city's records are the city office's
    assert not LabourActivity.objects.exists()


def test_a_rejection_says_why_and_the_rep_never_reviews_her_own(world):
    mine = exchange(world, "olga")
    with pytest.raises(ValidationError) as exc:
        actions.review_exchange(exchange=mine, accept=False, by=world["tina"])
    assert exc.value.message_dict == {"review_note": ["Say why it is rejected."]}
    with pytest.raises(PermissionDenied):
        actions.review_exchange(exchange=mine, accept=True, by=world["olga"])
    with pytest.raises(PermissionDenied):
        actions.review_exchange(exchange=mine, accept=True, by=world["tom"])
    rejected = actions.review_exchange(
        exchange=mine, accept=False, note="人数有误", by=world["tina"]
    )
    assert (rejected.status, rejected.review_note) == (Review.REJECTED, "人数有误")
    with pytest.raises(ValidationError) as exc:
        actions.review_exchange(exchange=mine, accept=True, by=world["alice"])
    assert exc.value.message_dict == {"status": ["It has been reviewed already."]}


def test_the_review_events_read_as_sentences(world):
    mine = exchange(world, "olga")
    fair = job_fair(world, "olga")
    actions.review_exchange(exchange=mine, accept=True, by=world["tina"])
    actions.review_labour_activity(activity=fair, accept=False, note="重复登记", by=world["alice"])
    said = [
        events.describe_event(event, world["alice"]).summary
        for event in AuditEvent.objects.filter(
            action__in=["exchange.accepted", "labour_activity.rejected"]
        ).order_by("pk")
    ]
    assert said == [
        f"Tina accepted the exchange #{mine.pk}.",
        f"Alice rejected the labour activity #{fair.pk}.",
    ]


# --- The figures -------------------------------------------------------------------------------


def test_the_teachers_exchanged_count_only_what_the_office_accepted(world):
    exchange(world, "tina", people=4, day=D(2026, 3, 25))  # the station's own: counts
    waiting = exchange(world, "olga", people=5)
    refused = exchange(world, "olga", people=2, day=D(2026, 5, 1))
    assert teachers_exchanged() == 4
    actions.review_exchange(exchange=waiting, accept=True, by=world["alice"])
    actions.review_exchange(exchange=refused, accept=False, note="未成行", by=world["alice"])
    assert teachers_exchanged() == 9  # 4 + 5; the 2 refused never count
    assert teachers_exchanged(TOWNSHIP_A_P) == 9  # 桃李小学 lies in A1
    listed = figures.records(
        MEASURES["cooperation.education.teachers_exchanged"], CITY_P, figures.window(*YEAR)
    )
    assert sorted(listed.values_list("people", flat=True)) == [4, 5]


# --- The API -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "pairing", "status", "review"),
    [
        (None, "teachers", 401, None),
        ("dora", "teachers", 403, None),
        ("victor", "teachers", 403, None),
        ("olga", "teachers", 201, Review.PENDING),
        ("otto", "teachers", 404, None),  # another organisation's pairing
        ("olga", "others", 404, None),
        ("tom", "teachers", 404, None),  # another township's
        ("carl", "teachers", 404, None),  # another city's
        ("tina", "teachers", 201, Review.ACCEPTED),
        ("alice", "others", 201, Review.ACCEPTED),
    ],
)
def test_who_records_an_exchange_through_the_api(world, who, pairing, status, review):
    response = api(world, who).post(
        f"/api/v1/programmes/pairings/{world[pairing].pk}/exchanges",
        {"people": 3, "exchanged_on": "2026-04-02", "direction": "to_target"},
        content_type="application/json",
    )
    assert response.status_code == status
    assert list(Exchange.objects.values_list("status", flat=True)) == ([review] if review else [])
    if status == 201:
        assert response.json()["status"] == review


@pytest.mark.parametrize(
    ("who", "status", "review"),
    [
        (None, 401, None),
        ("dora", 403, None),
        ("olga", 201, Review.PENDING),
        ("otto", 404, None),
        ("tina", 404, None),  # the partner city lies outside township A
        ("carl", 404, None),
        ("alice", 201, Review.ACCEPTED),
    ],
)
def test_who_records_a_labour_activity_through_the_api(world, who, status, review):
    response = api(world, who).post(
        f"/api/v1/programmes/targets/{world['partner'].pk}/labour-activities",
        {"kind": "placement", "held_on": "2026-04-02", "people_placed": 7},
        content_type="application/json",
    )
    assert response.status_code == status
    assert list(LabourActivity.objects.values_list("status", flat=True)) == (
        [review] if review else []
    )


def test_a_reps_bad_exchange_is_refused_field_by_field(world):
    response = api(world, "olga").post(
        f"/api/v1/programmes/pairings/{world['teachers'].pk}/exchanges",
        {
            "people": 3,
            "exchanged_on": "2026-02-01",
            "direction": "to_target",
            "note": "13800138000",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"exchanged_on", "note"}
    assert not Exchange.objects.exists()


@pytest.mark.parametrize(
    ("who", "status", "after"),
    [
        (None, 401, Review.PENDING),
        ("olga", 403, Review.PENDING),
        ("otto", 403, Review.PENDING),
        ("victor", 403, Review.PENDING),
        ("tom", 404, Review.PENDING),
        ("carl", 404, Review.PENDING),
        ("tina", 200, Review.ACCEPTED),
        ("alice", 200, Review.ACCEPTED),
    ],
)
def test_the_office_of_the_targets_region_reviews_an_exchange(world, who, status, after):
    mine = exchange(world, "olga")
    response = api(world, who).post(
        f"/api/v1/programmes/exchanges/{mine.pk}/review",
        {"accept": True},
        content_type="application/json",
    )
    assert response.status_code == status
    mine.refresh_from_db()
    assert mine.status == after


@pytest.mark.parametrize(
    ("who", "status", "after"),
    [
        ("olga", 403, Review.PENDING),
        ("tina", 404, Review.PENDING),  # the partner city is the city office's to review
        ("carl", 404, Review.PENDING),
        ("alice", 200, Review.REJECTED),
    ],
)
def test_the_city_office_reviews_a_labour_activity_with_a_far_partner(world, who, status, after):
    fair = job_fair(world, "olga")
    response = api(world, who).post(
        f"/api/v1/programmes/labour-activities/{fair.pk}/review",
        {"accept": False, "note": "日期有误"},
        content_type="application/json",
    )
    assert response.status_code == status
    fair.refresh_from_db()
    assert fair.status == after


def test_a_rep_lists_her_own_records_and_their_review(world):
    mine = exchange(world, "olga")
    exchange(world, "alice", pairing="others", people=2)
    job_fair(world, "olga")
    job_fair(world, "alice", placed=3)  # the office's own: no organisation's
    actions.review_exchange(exchange=mine, accept=False, note="人数有误", by=world["tina"])
    seen = api(world, "olga").get("/api/v1/programmes/exchanges").json()["items"]
    assert [(e["people"], e["status"], e["review_note"]) for e in seen] == [
        (5, "rejected", "人数有误")
    ]
    fairs = api(world, "olga").get("/api/v1/programmes/labour-activities").json()["items"]
    assert [(a["people_placed"], a["pairing"]) for a in fairs] == [(12, world["placing"].pk)]
    assert api(world, "otto").get("/api/v1/programmes/labour-activities").json()["items"] == []
    waiting = api(world, "alice").get("/api/v1/programmes/labour-activities?status=pending")
    assert [a["people_placed"] for a in waiting.json()["items"]] == [12]


# --- The pages -----------------------------------------------------------------------------------


def post(world, who, url, data):
    return client_for(world[who] if who else None).post(url, data)


EXCHANGE = {"people": "6", "exchanged_on": "2026-04-15", "direction": "to_target", "note": ""}


@pytest.mark.parametrize(
    ("who", "status", "review"),
    [
        (None, 302, None),  # to the login page
        ("dora", 403, None),
        ("victor", 403, None),
        # Otto and Tom see the programme (松林中学 and 梅竹小学 are in it) but not this
        # pairing: it is not among the form's choices, and the form says so.
        ("otto", 400, None),
        ("tom", 400, None),
        ("olga", 302, Review.PENDING),
        ("carl", 404, None),
        ("tina", 302, Review.ACCEPTED),
    ],
)
def test_who_records_an_exchange_on_the_programme_page(world, who, status, review):
    url = f"/programmes/{world['schools'].pk}/exchanges/"
    response = post(world, who, url, {**EXCHANGE, "pairing": world["teachers"].pk})
    assert response.status_code == status
    assert list(Exchange.objects.values_list("status", flat=True)) == ([review] if review else [])


def test_a_rep_outside_the_programme_gets_404_and_nothing_changes(world):
    url = f"/programmes/{world['labour'].pk}/labour/"
    data = {"target": world["partner"].pk, "kind": "job_fair", "held_on": "2026-04-08"}
    assert post(world, "otto", url, {**data, "people_placed": "4"}).status_code == 404
    assert not LabourActivity.objects.exists()
    response = post(world, "olga", url, {**data, "people_placed": "4"})
    assert response.status_code == 302
    assert response["Location"] == f"/programmes/{world['labour'].pk}/#labour"
    fair = LabourActivity.objects.get()
    assert (fair.status, fair.pairing_id) == (Review.PENDING, world["placing"].pk)


def test_the_rep_sees_where_her_records_stand_on_the_programme_page(world):
    waiting = exchange(world, "olga")
    refused = exchange(world, "olga", people=2, day=D(2026, 5, 1))
    actions.review_exchange(exchange=refused, accept=False, note="未成行", by=world["tina"])
    html = client_for(world["olga"]).get(f"/programmes/{world['schools'].pk}/").content.decode()
    assert '<span class="status">waiting for review</span>' in html
    assert '<span class="tag">rejected: 未成行</span>' in html
    assert "Record an exchange" in html
    assert "It counts once the office has reviewed it." in html
    assert waiting.pairing.target.organisation.name in html


def test_the_one_review_page_lists_exchanges_and_labour_activities(world):
    mine = exchange(world, "olga")
    fair = job_fair(world, "olga")
    html = client_for(world["alice"]).get("/programmes/review/").content.decode()
    assert f"/programmes/review/exchanges/{mine.pk}/" in html
    assert f"/programmes/review/labour/{fair.pk}/" in html
    township = client_for(world["tina"]).get("/programmes/review/").content.decode()
    assert f"/programmes/review/exchanges/{mine.pk}/" in township
    assert f"/programmes/review/labour/{fair.pk}/" not in township  # the partner city's


@pytest.mark.parametrize(
    ("who", "status", "after"),
    [
        (None, 302, Review.PENDING),
        ("olga", 403, Review.PENDING),
        ("tom", 404, Review.PENDING),
        ("carl", 404, Review.PENDING),
        ("tina", 302, Review.ACCEPTED),
        ("alice", 302, Review.ACCEPTED),
    ],
)
def test_who_reviews_an_exchange_on_the_review_page(world, who, status, after):
    mine = exchange(world, "olga")
    response = post(world, who, f"/programmes/review/exchanges/{mine.pk}/", {"accept": "1"})
    assert response.status_code == status
    mine.refresh_from_db()
    assert mine.status == after


def test_htmx_rejects_a_labour_activity_in_place_and_asks_for_a_reason(world):
    fair = job_fair(world, "olga")
    url = f"/programmes/review/labour/{fair.pk}/"
    htmx = client_for(world["alice"])
    bad = htmx.post(url, {"accept": "0", "note": ""}, headers={"HX-Request": "true"})
    assert bad.status_code == 400
    assert "Say why it is rejected." in bad.content.decode()
    good = htmx.post(url, {"accept": "0", "note": "日期有误"}, headers={"HX-Request": "true"})
    assert good.status_code == 200
    assert '<span class="status">rejected</span>' in good.content.decode()
    fair.refresh_from_db()
    assert (fair.status, fair.review_note) == (Review.REJECTED, "日期有误")


def test_the_record_page_leads_a_rep_to_where_she_records_people(world):
    html = client_for(world["olga"]).get("/programmes/record/").content.decode()
    assert f'href="/programmes/{world["schools"].pk}/#exchanges"' in html
    assert f'href="/programmes/{world["labour"].pk}/#labour"' in html
    otto = client_for(world["otto"]).get("/programmes/record/").content.decode()
    assert f'href="/programmes/{world["labour"].pk}/#labour"' not in otto  # not his


def test_a_reps_only_pairing_is_chosen_already(world):
    html = client_for(world["olga"]).get(f"/programmes/{world['schools'].pk}/").content.decode()
    assert f'<option value="{world["teachers"].pk}" selected>' in html
    office = client_for(world["alice"]).get(f"/programmes/{world['schools'].pk}/").content.decode()
    assert '<option value="" selected>Pairing</option>' in office  # two: the office chooses


def test_a_rejected_pledge_tells_the_rep_why_on_her_record_page(world):
    pledge = actions.record_pledge(
        pairing=world["teachers"],
        amount_fen=2_000_00,
        purpose="图书",
        pledged_on=EXCHANGE_DAY,
        by=world["olga"],
    )
    actions.review_pledge(pledge=pledge, accept=False, note="金额有误", by=world["tina"])
    html = client_for(world["olga"]).get("/programmes/record/").content.decode()
    assert '<span class="status">rejected</span> · 金额有误' in html


def test_a_designated_units_page_records_its_staff_exchanges(world):
    units = f.programme(kind=Kind.DESIGNATED_UNIT, name="省直驻村")
    html = client_for(world["alice"]).get(f"/programmes/{units.pk}/").content.decode()
    assert "Record an exchange" in html


def test_on_a_phone_each_amount_of_the_money_table_says_what_it_is(world):
    actions.record_pledge(
        pairing=world["teachers"],
        amount_fen=2_000_00,
        purpose="图书",
        pledged_on=EXCHANGE_DAY,
        by=None,
    )
    html = client_for(world["tina"]).get(f"/programmes/{world['schools'].pk}/").content.decode()
    assert '<td class="number" data-label="Pledged">¥2,000.00</td>' in html
    assert '<td class="number" data-label="Gap"><span class="tag">¥2,000.00</span></td>' in html


def test_on_the_programme_page_the_office_goes_from_a_waiting_exchange_to_its_review(world):
    exchange(world, "olga")
    html = client_for(world["tina"]).get(f"/programmes/{world['schools'].pk}/").content.decode()
    assert '<a class="status" href="/programmes/review/">waiting for review</a>' in html
