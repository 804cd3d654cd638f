"""My notifications through the API: each account reads and marks only its own."""

import json

import pytest
from django.utils import translation
from ninja.responses import NinjaJSONEncoder

from conftest import VILLAGE_B1, api_client_for, make_user
from tongxing.access import Role
from tongxing.needs.actions import posting
from tongxing.needs.tests import factories
from tongxing.notifications.actions import notify
from tongxing.notifications.kinds import render
from tongxing.notifications.models import Notification

EVERY_ACCOUNT = [
    "dora",
    "olga",
    "hana",
    "cody",
    "victor",
    "vera",
    "wade",
    "tina",
    "tom",
    "alice",
    "carl",
]


@pytest.fixture
def hana(db):
    """A household's account."""
    return make_user("hana", Role.HOUSEHOLD)


@pytest.fixture
def wade(tree):
    return make_user("wade", Role.VILLAGE_ADMIN, VILLAGE_B1)


def stamp(value) -> str:
    return json.loads(json.dumps(value, cls=NinjaJSONEncoder))


def client(request, who):
    return api_client_for(request.getfixturevalue(who) if who else None)


def rejected(user, title: str = "棉被"):
    notify(
        recipients=[user],
        kind="need_rejected",
        params={"title": title, "reason": "重复"},
        url="/needs/1/",
    )
    return Notification.objects.filter(recipient=user).first()


def test_anonymous_callers_have_no_notifications(tree):
    assert api_client_for(None).get("/api/v1/notifications").status_code == 401
    response = api_client_for(None).post(
        "/api/v1/notifications/read", {"all": True}, content_type="application/json"
    )
    assert response.status_code == 401


@pytest.mark.parametrize("who", EVERY_ACCOUNT)
def test_every_account_reads_its_own_notifications_only(request, dora, tina, who):
    mine = rejected(request.getfixturevalue(who), title="我的")
    if who != "dora":
        rejected(dora, title="别人的")
    response = client(request, who).get("/api/v1/notifications")
    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "unread": 1,
        "items": [
            {
                "id": mine.pk,
                "kind": "need_rejected",
                "title": "Your need was not approved",
                "body": "“我的” was rejected: 重复",
                "url": "/needs/1/",
                "created_at": stamp(mine.created_at),
                "read_at": None,
            }
        ],
    }


def test_notifications_are_written_in_the_language_of_the_request(dora):
    rejected(dora)
    response = api_client_for(dora).get("/api/v1/notifications", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.headers["Content-Language"] == "zh-hans"
    with translation.override("zh-hans"):
        expected = render("need_rejected", {"title": "棉被", "reason": "重复"})
    item = response.json()["items"][0]
    assert (item["title"], item["body"]) == expected


def test_the_newest_come_first_and_the_unread_are_counted(dora):
    first = rejected(dora, title="一")
    second = rejected(dora, title="二")
    Notification.objects.filter(pk=first.pk).update(read_at=first.created_at)
    body = api_client_for(dora).get("/api/v1/notifications").json()
    assert [item["id"] for item in body["items"]] == [second.pk, first.pk]
    assert (body["count"], body["unread"]) == (2, 1)


@pytest.mark.parametrize("who", EVERY_ACCOUNT)
def test_marking_notifications_read(request, who):
    user = request.getfixturevalue(who)
    first, second = rejected(user, title="一"), rejected(user, title="二")
    response = client(request, who).post(
        "/api/v1/notifications/read", {"ids": [first.pk]}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json() == {"marked": 1, "unread": 1}
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.read_at is not None, second.read_at is None) == (True, True)


def test_marking_all_read(dora):
    rejected(dora, title="一")
    rejected(dora, title="二")
    response = api_client_for(dora).post(
        "/api/v1/notifications/read", {"all": True}, content_type="application/json"
    )
    assert response.json() == {"marked": 2, "unread": 0}


def test_nobody_marks_another_accounts_notifications(dora, olga):
    theirs = rejected(olga)
    response = api_client_for(dora).post(
        "/api/v1/notifications/read", {"ids": [theirs.pk]}, content_type="application/json"
    )
    assert response.json() == {"marked": 0, "unread": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_needs_ids_or_all(dora):
    response = api_client_for(dora).post(
        "/api/v1/notifications/read", {}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "ids", "message": "Give the notifications to mark read, or all: true."}
    ]


def test_a_submitted_need_reaches_its_township_reviewer(tina, vera):
    need = posting.create_need(data=factories.goods_data(factories.household()), by=vera)
    api_client_for(vera).post(f"/api/v1/needs/{need.pk}/submit", content_type="application/json")
    items = api_client_for(tina).get("/api/v1/notifications").json()["items"]
    assert [(item["kind"], item["body"]) for item in items] == [
        ("need_submitted", "“棉被” in 桃李村 was submitted for review.")
    ]


def test_an_id_no_notification_can_have_is_a_schema_error(dora):
    response = api_client_for(dora).post(
        "/api/v1/notifications/read", {"ids": [2**64]}, content_type="application/json"
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["ids.0"]
