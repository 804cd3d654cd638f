"""The API of events, exemplars, publicity and policies, with its permission matrix:
anonymous 401, a role without the right 403, a record of another region 404, and nothing
changed by any of them."""

import json

import pytest

from conftest import CITY, TOWNSHIP_A, VILLAGE_A1, VILLAGE_B1, api_client_for
from tongxing.events.models import Event, Nomination, PolicyDocument, PublicityItem, StorySubmission
from tongxing.events.tests import factories as f
from tongxing.registry.models import OrganisationKind

EVENT = {
    "kind": "training",
    "title": "电商培训",
    "topic": "ecommerce",
    "starts_on": "2020-05-10",
    "region": TOWNSHIP_A,
    "sites": [{"region": VILLAGE_A1, "address": "村委会"}],
}


def post(user, path, body):
    return api_client_for(user).post(
        f"/api/v1{path}", data=json.dumps(body), content_type="application/json"
    )


def put(user, path, body):
    return api_client_for(user).put(
        f"/api/v1{path}", data=json.dumps(body), content_type="application/json"
    )


def get(user, path):
    return api_client_for(user).get(f"/api/v1{path}")


def test_a_township_records_an_event_and_its_outcomes(tina):
    answer = post(tina, "/events", EVENT)
    assert answer.status_code == 201, answer.content
    event = answer.json()
    assert (event["region"], event["sites"][0]["region"], event["may_record"]) == (
        TOWNSHIP_A,
        VILLAGE_A1,
        True,
    )
    answer = put(tina, f"/events/{event['id']}/outcomes", {"participants": 30})
    assert answer.json()["participants"] == 30
    listed = get(tina, "/events?kind=training").json()
    assert (listed["count"], listed["items"][0]["title"]) == (1, "电商培训")


def test_bad_fields_are_named_and_nothing_is_recorded(tina):
    answer = post(tina, "/events", {**EVENT, "kind": "picnic", "title": ""})
    assert answer.status_code == 400
    fields = {e["field"] for e in answer.json()["errors"]}
    assert {"kind", "title"} <= fields
    assert not Event.objects.exists()
    event = f.event(by=tina)
    answer = put(tina, f"/events/{event.pk}/outcomes", {"participants": -1})
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["participants"]
    event.refresh_from_db()
    assert event.participants is None


@pytest.mark.parametrize(
    "who, status", [(None, 401), ("dora", 403), ("vera", 403), ("victor", 403), ("cody", 403)]
)
def test_who_may_not_record_events(request, tree, who, status):
    user = request.getfixturevalue(who) if who else None
    assert post(user, "/events", EVENT).status_code == status
    assert not Event.objects.exists()


def test_another_township_neither_reads_nor_changes_an_event(tina, tom, carl):
    event = f.event(by=tina)
    for user in (tom, carl):
        assert get(user, f"/events/{event.pk}").status_code == 404
        assert put(user, f"/events/{event.pk}/outcomes", {"participants": 9}).status_code == 404
    assert post(tom, "/events", EVENT).status_code == 404  # township A is beyond his reach
    event.refresh_from_db()
    assert event.participants is None
    assert get(tom, "/events").json()["count"] == 0


def test_a_viewer_reads_the_events_of_the_region_and_changes_none(tina, victor):
    event = f.event(by=tina)
    assert get(victor, f"/events/{event.pk}").json()["may_record"] is False
    answer = put(victor, f"/events/{event.pk}/outcomes", {"participants": 9})
    assert answer.status_code == 403


def test_an_org_rep_records_only_the_events_of_its_organisation(olga, tina, tree):
    ours = f.organisation("青禾电商协会", OrganisationKind.SOCIAL_ORGANISATION)
    f.speaks_for(olga, ours)
    answer = post(olga, "/events", {**EVENT, "organisers": [ours.pk]})
    assert answer.status_code == 201, answer.content
    assert post(olga, "/events", EVENT).status_code == 403  # not as its organiser
    theirs = f.event(by=tina, participating=[ours])
    assert get(olga, f"/events/{theirs.pk}").json()["may_record"] is False
    assert put(olga, f"/events/{theirs.pk}/outcomes", {"participants": 3}).status_code == 403
    other = f.event(by=tina)
    assert get(olga, f"/events/{other.pk}").status_code == 404
    assert get(olga, "/events").json()["count"] == 2


def test_the_attendance_list_names_members_by_surname_and_stars(tina, tom):
    home = f.household("H-1", 1)
    away = f.household("H-2", 2, village=VILLAGE_B1)
    event = f.event(by=tina)
    member = home.members.get()
    answer = put(tina, f"/events/{event.pk}/attendance", {"member_ids": [member.pk]})
    assert answer.json()["attendees"] == ["户**"]
    assert answer.json()["registered_attendees"] == 1
    # A member of another township's household is not within reach: 404, nothing kept.
    answer = put(tina, f"/events/{event.pk}/attendance", {"member_ids": [away.members.get().pk]})
    assert answer.status_code == 404
    assert list(event.attendances.values_list("member_id", flat=True)) == [member.pk]
    answer = post(
        tina,
        f"/events/{event.pk}/income-gains",
        {"amount_fen": 500_00, "recorded_on": "2020-08-01", "household_id": home.pk},
    )
    assert answer.json()["income_gain_fen"] == 500_00


def test_nominations_and_their_selection(alice, tina, tom):
    categories = post(
        alice, "/events/awards/categories/defaults", {"year": 2020, "region": CITY}
    ).json()
    assert len(categories) == 5
    household_category = categories[0]["id"]
    home = f.household("H-1", 1)
    answer = post(
        tina,
        "/events/awards/nominations",
        {"category_id": household_category, "household_id": home.pk, "reason": "勤劳"},
    )
    assert answer.status_code == 201, answer.content
    nomination = answer.json()
    assert nomination["nominee"] == "H-1"
    # Tom cannot see the household; Tina cannot select.
    assert (
        post(
            tom,
            "/events/awards/nominations",
            {"category_id": household_category, "household_id": home.pk, "reason": "又"},
        ).status_code
        == 404
    )
    path = f"/events/awards/nominations/{nomination['id']}/decision"
    assert post(tina, path, {"selected": True, "reason": "好"}).status_code == 403
    assert post(alice, path, {"selected": True, "reason": ""}).status_code == 400
    answer = post(alice, path, {"selected": True, "reason": "事迹突出"})
    assert answer.json()["status"] == "selected"
    assert get(tom, "/events/awards/nominations").json()["count"] == 0
    assert Nomination.objects.count() == 1


def test_stories_are_sent_reviewed_and_kept_free_of_phone_numbers(vera, tina, tom):
    story = {"campaign": "最美帮扶人", "title": "好人", "author": "李", "region": VILLAGE_A1}
    answer = post(vera, "/events/stories", {**story, "text": "电话13812345678"})
    assert answer.status_code == 400
    assert {e["field"] for e in answer.json()["errors"]} == {"text"}
    answer = post(vera, "/events/stories", {**story, "text": "他走遍了每一户。"})
    assert answer.status_code == 201
    path = f"/events/stories/{answer.json()['id']}/review"
    assert post(tom, path, {"accepted": True}).status_code == 404
    assert post(vera, path, {"accepted": True}).status_code == 403
    assert post(tina, path, {"accepted": True}).json()["status"] == "accepted"
    assert StorySubmission.objects.count() == 1


def test_publicity_and_the_policy_library(alice, tina, tom, victor):
    item = {
        "title": "报道",
        "outlet": "青禾日报",
        "outlet_level": "city",
        "published_on": "2020-06-01",
        "region": CITY,
    }
    assert post(alice, "/events/publicity", item).status_code == 201
    assert post(tina, "/events/publicity", item).status_code == 404  # the city is above her
    assert post(victor, "/events/publicity", item).status_code == 403
    assert get(tom, "/events/publicity").json()["count"] == 1
    policy = {
        "title": "兜底保障政策",
        "category": "social_security",
        "issuing_body": "市民政局",
        "in_force_from": "2020-01-01",
        "region": TOWNSHIP_A,
    }
    assert post(tina, "/events/policies", policy).status_code == 201
    assert post(tom, "/events/policies", policy).status_code == 404
    assert get(tom, "/events/policies").json()["count"] == 0
    assert get(tina, "/events/policies?in_force_on=2019-06-01").json()["count"] == 0
    compendium = post(alice, "/events/policies/compendia", {"year": 2020, "region": CITY}).json()
    answer = post(
        alice,
        f"/events/policies/compendia/{compendium['id']}/publish",
        {"published_on": "2020-12-01"},
    )
    assert answer.json()["published_on"] == "2020-12-01"
    assert PublicityItem.objects.count() == 1 and PolicyDocument.objects.count() == 1


def test_the_service_centre_and_its_companies(alice, tina):
    centre = post(alice, "/events/centres", {"name": "电商中心", "region": CITY}).json()
    shop = f.organisation("网店", OrganisationKind.ECOMMERCE_COMPANY)
    path = f"/events/centres/{centre['id']}/residents"
    body = {"organisation_id": shop.pk, "since": "2020-03-01", "people": 12}
    assert post(tina, path, body).status_code == 403
    assert post(alice, path, body).status_code == 201
    assert get(tina, path).json()[0]["people"] == 12


def test_lists_are_paginated(tina):
    for day in range(1, 4):
        f.event(by=tina, starts_on=f.datetime.date(2020, 5, day), ends_on=None)
    answer = get(tina, "/events?page_size=2&page=2").json()
    assert (answer["count"], len(answer["items"])) == (3, 1)
