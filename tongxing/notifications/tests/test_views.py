"""The notifications page, its buttons, and the unread count in the navigation."""

import pytest
from django.test import RequestFactory

from conftest import client_for
from tongxing.navigation import navigation
from tongxing.notifications.actions import notify
from tongxing.notifications.models import Notification


def persona(request, name):
    return request.getfixturevalue(name) if name else None


@pytest.fixture
def doras_three(dora, olga):
    """Three notifications for Dora (the newest read), one for Olga."""
    notify(
        recipients=[dora],
        kind="need_pledged",
        params={"title": "棉被", "donor": "林", "amount": "2 床"},
        url="/needs/1/",
    )
    notify(
        recipients=[dora],
        kind="pledge_confirmed",
        params={"title": "棉被", "amount": "2 床"},
        url="/needs/my-pledges/",
    )
    notify(
        recipients=[dora],
        kind="pledge_thanked",
        params={"title": "棉被", "thanks": "谢谢！", "rating": 5},
    )
    notify(recipients=[olga], kind="pledge_confirmed", params={"title": "大米", "amount": "1 袋"})
    newest = Notification.objects.filter(recipient=dora).order_by("-pk").first()
    Notification.objects.filter(pk=newest.pk).update(read_at=newest.created_at)
    return list(Notification.objects.filter(recipient=dora).order_by("pk"))


@pytest.mark.parametrize("who", [None, "dora", "olga", "cody", "victor", "vera", "tina", "alice"])
def test_the_notifications_page_is_for_every_account(request, tree, who):
    response = client_for(persona(request, who)).get("/notifications/")
    if who is None:
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    else:
        assert response.status_code == 200


def test_one_sees_only_ones_own_newest_first_unread_highlighted(doras_three, dora):
    response = client_for(dora).get("/notifications/")
    listed = list(response.context["page"])
    assert [n.kind for n in listed] == ["pledge_thanked", "pledge_confirmed", "need_pledged"]
    html = response.content.decode()
    assert html.count('class="notification unread"') == 2
    assert "The household thanks you" in html
    assert "For “棉被”: 谢谢！ (5/5)" in html
    assert "大米" not in html


def test_marking_all_read_marks_only_ones_own(doras_three, dora, olga):
    response = client_for(dora).post("/notifications/read/")
    assert response.status_code == 302 and response.url == "/notifications/"
    assert Notification.objects.filter(recipient=dora, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(recipient=olga, read_at__isnull=True).count() == 1


def test_marking_all_read_takes_a_post(doras_three, dora):
    assert client_for(dora).get("/notifications/read/").status_code == 405
    assert Notification.objects.filter(recipient=dora, read_at__isnull=True).count() == 2


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(doras_three, dora):
    first = doras_three[0]
    response = client_for(dora).post(f"/notifications/{first.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response.url == "/needs/1/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert Notification.objects.filter(recipient=dora, read_at__isnull=True).count() == 1


def test_marking_one_read_stays_on_the_list(doras_three, dora):
    second = doras_three[1]
    response = client_for(dora).post(f"/notifications/{second.pk}/read/")
    assert response.url == "/notifications/"
    second.refresh_from_db()
    assert second.read_at is not None


def test_another_accounts_notification_is_not_found_and_stays_unread(doras_three, olga):
    first = doras_three[0]
    assert client_for(olga).post(f"/notifications/{first.pk}/read/").status_code == 404
    first.refresh_from_db()
    assert first.read_at is None


def test_a_link_to_another_site_is_not_followed(dora):
    notify(recipients=[dora], kind="need_published", params={"title": "x"}, url="//evil.example/")
    note = Notification.objects.get()
    response = client_for(dora).post(f"/notifications/{note.pk}/read/", {"open": "1"})
    assert response.url == "/notifications/"


def test_an_unknown_kind_still_shows_its_code(dora):
    notify(recipients=[dora], kind="retired_kind", params={})
    assert "retired_kind" in client_for(dora).get("/notifications/").content.decode()


def test_the_navigation_shows_the_unread_count(doras_three, dora, olga):
    html = client_for(dora).get("/workspace/").content.decode()
    assert '<span class="badge" data-testid="unread-count">2</span>' in html
    client_for(dora).post("/notifications/read/")
    response = client_for(dora).get("/workspace/")
    assert response.status_code == 200
    assert 'data-testid="unread-count"' not in response.content.decode()


def test_the_count_costs_one_query(doras_three, dora, django_assert_num_queries):
    request = RequestFactory().get("/workspace/")
    request.user = dora
    with django_assert_num_queries(1):
        context = navigation(request)
    assert context["unread_notifications"] == 2


def test_anonymous_visitors_cost_no_query(db, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert navigation(request) == {"nav_items": [], "can": {}}
