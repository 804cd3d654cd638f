"""The account pages: login, sign-up, staff accounts and the audit log."""

import pytest
from django.test import Client, override_settings

from conftest import PASSWORD, TOWNSHIP_A, VILLAGE_A1, VILLAGE_B1, client_for, make_user
from tongxing.access import Role
from tongxing.accounts.models import User
from tongxing.audit.models import AuditEvent


@pytest.fixture
def bea(tree):
    return make_user("bea", Role.TOWNSHIP_ADMIN, TOWNSHIP_A, password=PASSWORD)


def test_logging_in_lands_on_the_workspace(bea):
    client = Client()
    response = client.post("/accounts/login/", {"username": "bea", "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/workspace/"
    assert "柳塘镇" in client.get("/workspace/").content.decode()


def test_logging_in_follows_a_local_next_but_not_a_foreign_one(bea):
    response = Client().post(
        "/accounts/login/", {"username": "bea", "password": PASSWORD, "next": "/regions/"}
    )
    assert response.url == "/regions/"
    response = Client().post(
        "/accounts/login/",
        {"username": "bea", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.url == "/workspace/"


def test_a_wrong_password_says_so_without_saying_which(bea):
    response = Client().post("/accounts/login/", {"username": "bea", "password": "nope"})
    assert response.status_code == 400
    assert "The username or password is not right." in response.content.decode()


@override_settings(LOGIN_FAILURES_PER_ACCOUNT=2)
def test_the_login_page_refuses_after_repeated_failures(bea):
    for _ in range(2):
        Client().post("/accounts/login/", {"username": "bea", "password": "nope"})
    response = Client().post("/accounts/login/", {"username": "bea", "password": PASSWORD})
    assert response.status_code == 400
    assert "Too many failed logins" in response.content.decode()


def test_logging_out_takes_a_post(bea):
    client = client_for(bea)
    assert client.get("/accounts/logout/").status_code == 200  # the page that asks
    assert client.get("/workspace/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/workspace/").status_code == 302


def test_signing_up_creates_a_donor_and_logs_them_in(db):
    client = Client()
    response = client.post(
        "/accounts/register/",
        {
            "username": "lin",
            "display_name": "林",
            "password": "a long secret 42",
            "password_again": "a long secret 42",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="lin").role == Role.DONOR
    assert client.get("/workspace/").status_code == 200


def test_sign_up_errors_stand_beside_their_fields(dora):
    response = Client().post(
        "/accounts/register/",
        {"username": "dora", "password": "a long secret 42", "password_again": "other"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"username", "password_again"}
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [("dora", 403), ("cody", 403), ("victor", 403), ("vera", 403), ("tina", 200), ("alice", 200)],
)
def test_the_account_list_is_for_account_administrators(request, tree, persona, status):
    assert (
        client_for(request.getfixturevalue(persona)).get("/accounts/users/").status_code == status
    )


def test_the_account_list_shows_only_the_region(tina, tom, vera):
    html = client_for(tina).get("/accounts/users/").content.decode()
    assert "vera" in html and "tom" not in html


def test_anonymous_visitors_of_staff_pages_go_to_login(tree):
    for url in ("/accounts/users/", "/accounts/users/new/", "/accounts/audit/", "/workspace/"):
        response = Client().get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


NEW_ACCOUNT = {
    "username": "wu",
    "role": "village_admin",
    "region": VILLAGE_A1,
    "display_name": "吴",
}


@pytest.mark.parametrize(
    ("persona", "status"),
    [("dora", 403), ("cody", 403), ("victor", 403), ("vera", 403), ("tom", 400), ("tina", 302)],
)
def test_creating_an_account_from_the_page(request, tree, persona, status):
    response = client_for(request.getfixturevalue(persona)).post(
        "/accounts/users/new/", NEW_ACCOUNT
    )
    assert response.status_code == status
    assert User.objects.filter(username="wu").exists() == (status == 302)


def test_the_new_account_form_offers_only_the_region_of_the_creator(tina):
    form = client_for(tina).get("/accounts/users/new/").context["form"]
    codes = [code for code, _label in form.fields["region"].choices]
    assert VILLAGE_A1 in codes and VILLAGE_B1 not in codes
    assert [r for r, _ in form.fields["role"].choices] == ["village_admin", "cadre", "viewer"]


def test_the_audit_log_page_is_the_city_offices(alice, tina):
    assert client_for(tina).get("/accounts/audit/").status_code == 403
    response = client_for(alice).get("/accounts/audit/")
    assert response.status_code == 200
    assert "The system created the account Tina (Township service station)." in (
        response.content.decode()
    )


def test_the_audit_log_page_counts_the_subtree_and_the_offices_own_events(alice, tina, carl):
    from tongxing.accounts import selectors
    from tongxing.audit.log import record

    # An event of the office outside its subtree (a donor has no region), and one of
    # another city, which the office does not see.
    record(actor=alice, action="test.own", target=alice, region_code="")
    record(actor=carl, action="test.theirs", target=carl, region_code=carl.region_id)
    events = selectors.audit_events_visible_to(alice)
    assert selectors.count_audit_events_visible_to(alice) == events.count() == len(list(events))
    assert {"test.own", "account.create"} <= {event.action for event in events}
    assert "test.theirs" not in {event.action for event in events}
    page = client_for(alice).get("/accounts/audit/").context["page"]
    assert page.paginator.count == events.count()
    assert page[0].action == "test.own"  # the newest first


def test_the_audit_log_cannot_be_changed(alice):
    event = AuditEvent.objects.first()
    event.action = "tampered"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.all().update(action="tampered")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    assert not AuditEvent.objects.filter(action="tampered").exists()


def test_the_pager_keeps_the_filters(alice, tree):
    from conftest import make_user

    for n in range(55):
        make_user(f"cadre{n:02d}", Role.CADRE, VILLAGE_A1)
    html = client_for(alice).get("/accounts/users/?role=cadre&q=cadre").content.decode()
    assert 'href="?role=cadre&amp;q=cadre&amp;page=2"' in html
