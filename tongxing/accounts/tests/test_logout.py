"""Logging out of the browser, and on request signing out the account's apps (its tokens)."""

from django.test import Client

from conftest import PASSWORD, TOWNSHIP_A, client_for, make_user
from tongxing.access import Role
from tongxing.accounts.actions import issue_token
from tongxing.accounts.models import ApiToken
from tongxing.audit.events import describe_event
from tongxing.audit.models import AuditEvent


def bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_the_logout_page_asks_and_logs_nobody_out_by_itself(vera):
    client = client_for(vera)
    response = client.get("/accounts/logout/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="sign_out_apps"' in html
    assert "stop working on every device, this one included" in html
    assert client.get("/workspace/").status_code == 200


def test_every_page_leads_to_the_logout_page(vera):
    html = client_for(vera).get("/workspace/").content.decode()
    assert '<a href="/accounts/logout/">Log out</a>' in html


def test_logging_out_keeps_the_apps_signed_in_unless_asked(vera):
    raw, _token = issue_token(user=vera)
    client = client_for(vera)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/workspace/").status_code == 302
    assert bearer(raw).get("/api/v1/me").status_code == 200
    assert not AuditEvent.objects.filter(action="account.tokens_revoke").exists()


def test_logging_out_with_the_apps_revokes_every_token_of_the_account(vera):
    tina = make_user("tina", Role.TOWNSHIP_ADMIN, TOWNSHIP_A, password=PASSWORD)
    mine = [issue_token(user=vera)[0] for _ in range(2)]
    theirs, _token = issue_token(user=tina)
    client = client_for(vera)

    response = client.post("/accounts/logout/", {"sign_out_apps": "on"}, follow=True)

    assert response.redirect_chain == [("/", 302)]
    assert "You are logged out, and 2 apps were signed out." in response.content.decode()
    assert client.get("/workspace/").status_code == 302
    assert [bearer(raw).get("/api/v1/me").status_code for raw in mine] == [401, 401]
    assert bearer(theirs).get("/api/v1/me").status_code == 200
    assert ApiToken.objects.filter(user=vera).count() == 0
    event = AuditEvent.objects.get(action="account.tokens_revoke")
    assert (event.actor, event.object_id, event.after) == (vera, str(vera.pk), {"tokens": 2})
    assert describe_event(event, vera).summary == (
        f"{vera} logged out and signed out every app of the account (tokens revoked: 2)."
    )


def test_an_anonymous_logout_changes_nothing(vera):
    raw, _token = issue_token(user=vera)
    response = Client().post("/accounts/logout/", {"sign_out_apps": "on"})
    assert response.status_code == 302 and response.url == "/"
    assert bearer(raw).get("/api/v1/me").status_code == 200
    assert not AuditEvent.objects.filter(action="account.tokens_revoke").exists()
