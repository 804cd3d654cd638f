"""Tokens for API clients, and how failed logins are slowed down."""

import pytest
from django.test import Client, override_settings

from conftest import PASSWORD, make_user
from tongxing.access import Role
from tongxing.accounts.models import ApiToken, LoginFailure


@pytest.fixture
def bea(tree):
    return make_user("bea", Role.VILLAGE_ADMIN, "590101001001", password=PASSWORD)


def post_token(username, password, address="10.0.0.1"):
    return Client(REMOTE_ADDR=address).post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )


def test_a_token_from_username_and_password_opens_the_api(bea):
    response = post_token("bea", PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["username"] == "bea" and body["user"]["role"] == "village_admin"
    me = Client(headers={"Authorization": f"Bearer {body['token']}"}).get("/api/v1/me")
    assert me.status_code == 200 and me.json()["region"] == "590101001001"


def test_only_a_digest_of_the_token_is_stored(bea):
    token = post_token("bea", PASSWORD).json()["token"]
    assert not ApiToken.objects.filter(digest=token).exists()
    assert ApiToken.objects.get().digest != token


def test_passwords_are_hashed_with_argon2(bea):
    assert bea.password.startswith("argon2")


def test_a_wrong_password_gets_401_and_is_counted(bea):
    response = post_token("bea", "wrong")
    assert response.status_code == 401
    assert response.json() == {"detail": "The username or password is not right."}
    assert LoginFailure.objects.filter(username="bea").count() == 1


@override_settings(LOGIN_FAILURES_PER_ACCOUNT=3)
def test_an_account_is_locked_for_a_while_after_repeated_failures(bea):
    for _ in range(3):
        assert post_token("bea", "wrong").status_code == 401
    # Even the right password is refused now, so guessing on tells nothing.
    assert post_token("bea", PASSWORD).status_code == 429
    # Another account from another address is not affected.
    make_user("cai", Role.DONOR, password=PASSWORD)
    assert post_token("cai", PASSWORD, address="10.0.0.2").status_code == 200


@override_settings(LOGIN_FAILURES_PER_ADDRESS=4)
def test_an_address_that_tries_many_accounts_is_slowed_down(bea):
    for name in ("a1", "a2", "a3", "a4"):
        assert post_token(name, "guess").status_code == 401
    assert post_token("bea", PASSWORD).status_code == 429
    assert post_token("bea", PASSWORD, address="10.0.0.9").status_code == 200


def test_a_revoked_token_no_longer_works(bea):
    token = post_token("bea", PASSWORD).json()["token"]
    client = Client(headers={"Authorization": f"Bearer {token}"})
    assert client.delete("/api/v1/auth/token").status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_a_deactivated_account_loses_its_tokens(bea, alice):
    from tongxing.accounts.actions import update_user

    token = post_token("bea", PASSWORD).json()["token"]
    update_user(user=bea, by=alice, is_active=False)
    assert Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/me").status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"username": "bea"},
        {"username": "", "password": "x"},
        {"username": ["x"], "password": "y"},
    ],
)
def test_malformed_credentials_get_422_with_fields(bea, body):
    response = Client().post("/api/v1/auth/token", body, content_type="application/json")
    assert response.status_code == 422
    assert all("field" in e and "message" in e for e in response.json()["errors"])


def test_a_garbage_bearer_token_is_401(db):
    client = Client(headers={"Authorization": "Bearer nonsense"})
    assert client.get("/api/v1/me").status_code == 401


def test_the_openapi_description_is_served(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/auth/token" in paths and "/api/v1/regions" in paths
    assert Client().get("/api/v1/docs").status_code == 200
