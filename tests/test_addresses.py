"""The client's address, as the login limits count it, with and without the proxy.

Behind the README's proxy every request arrives from the proxy (REMOTE_ADDR 10.0.0.2 here)
and the proxy appends the address that connected to it to X-Forwarded-For.
"""

import pytest
from django.test import Client, RequestFactory, override_settings

from conftest import PASSWORD, TOWNSHIP_A, make_user
from tongxing.access import Role
from tongxing.accounts.models import LoginFailure
from tongxing.addresses import client_address

PROXY = "10.0.0.2"
STRANGER = "203.0.113.7"
CLERK = "198.51.100.23"


@pytest.fixture
def bea(tree):
    return make_user("bea", Role.TOWNSHIP_ADMIN, TOWNSHIP_A, password=PASSWORD)


def request_from(remote_addr: str, forwarded_for: str | None = None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for is not None else {}
    return RequestFactory(REMOTE_ADDR=remote_addr, headers=headers).get("/")


def post_token(username: str, password: str, *, remote_addr: str, forwarded_for: str = ""):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return Client(REMOTE_ADDR=remote_addr, headers=headers).post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )


def post_login(username: str, password: str, *, remote_addr: str, forwarded_for: str = ""):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return Client(REMOTE_ADDR=remote_addr, headers=headers).post(
        "/accounts/login/", {"username": username, "password": password}
    )


# --- The function -----------------------------------------------------------------------------


def test_without_the_proxy_setting_the_address_is_the_connections_own():
    assert client_address(request_from(STRANGER, "1.2.3.4")) == STRANGER
    assert client_address(request_from(STRANGER)) == STRANGER


@override_settings(TONGXING_BEHIND_PROXY=True)
def test_behind_the_proxy_the_address_is_the_hop_the_proxy_appended():
    assert client_address(request_from(PROXY, STRANGER)) == STRANGER
    # Whatever the client wrote before the proxy's hop is not believed.
    assert client_address(request_from(PROXY, f"1.2.3.4, 5.6.7.8,{STRANGER}")) == STRANGER
    assert client_address(request_from(PROXY, "2001:db8::1")) == "2001:db8::1"


@override_settings(TONGXING_BEHIND_PROXY=True)
def test_behind_the_proxy_a_request_without_a_usable_hop_counts_as_the_proxys():
    assert client_address(request_from(PROXY)) == PROXY
    assert client_address(request_from(PROXY, "1.2.3.4, not-an-address")) == PROXY


def test_a_connection_without_an_address_has_none():
    assert client_address(request_from("")) is None


# --- The login limits without the setting ---------------------------------------------------


@override_settings(LOGIN_FAILURES_PER_ADDRESS=3)
def test_without_the_setting_a_forged_header_still_counts_against_the_connection(bea):
    for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        response = post_token("nobody", "guess", remote_addr=STRANGER, forwarded_for=forged)
        assert response.status_code == 401
    assert list(LoginFailure.objects.values_list("address", flat=True)) == [STRANGER] * 3
    # The stranger is slowed down, whatever address they claim next.
    response = post_token("bea", PASSWORD, remote_addr=STRANGER, forwarded_for="4.4.4.4")
    assert response.status_code == 429
    assert (
        post_login("bea", PASSWORD, remote_addr=STRANGER, forwarded_for="4.4.4.4").status_code
        == 400
    )


# --- The login limits behind the proxy --------------------------------------------------------


@override_settings(TONGXING_BEHIND_PROXY=True)
def test_behind_the_proxy_a_strangers_failures_do_not_lock_out_another_client(bea):
    for number in range(20):
        response = post_token(f"guess{number}", "guess", remote_addr=PROXY, forwarded_for=STRANGER)
        assert response.status_code == 401
    assert set(LoginFailure.objects.values_list("address", flat=True)) == {STRANGER}
    # The stranger is now slowed down, on the API and on the page ...
    assert post_token("bea", PASSWORD, remote_addr=PROXY, forwarded_for=STRANGER).status_code == 429
    assert post_login("bea", PASSWORD, remote_addr=PROXY, forwarded_for=STRANGER).status_code == 400
    # ... while a clerk behind the same proxy logs in, through the API and the page.
    assert post_token("bea", PASSWORD, remote_addr=PROXY, forwarded_for=CLERK).status_code == 200
    assert post_login("bea", PASSWORD, remote_addr=PROXY, forwarded_for=CLERK).status_code == 302


@override_settings(TONGXING_BEHIND_PROXY=True, LOGIN_FAILURES_PER_ADDRESS=3)
def test_behind_the_proxy_a_client_forging_an_earlier_hop_still_counts_as_itself(bea):
    for forged in ("1.1.1.1", "2.2.2.2", CLERK):
        chain = f"{forged}, {STRANGER}"  # what the proxy passes on: the forgery, then its hop
        assert (
            post_login("nobody", "guess", remote_addr=PROXY, forwarded_for=chain).status_code == 400
        )
    assert list(LoginFailure.objects.values_list("address", flat=True)) == [STRANGER] * 3
    chain = f"{CLERK}, {STRANGER}"
    assert post_token("bea", PASSWORD, remote_addr=PROXY, forwarded_for=chain).status_code == 429
    assert post_token("bea", PASSWORD, remote_addr=PROXY, forwarded_for=CLERK).status_code == 200


@override_settings(TONGXING_BEHIND_PROXY=True, LOGIN_FAILURES_PER_ACCOUNT=3)
def test_behind_the_proxy_the_per_account_limit_still_holds_across_addresses(bea):
    for client in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        assert (
            post_token("bea", "wrong", remote_addr=PROXY, forwarded_for=client).status_code == 401
        )
    # Even the right password, from yet another address, is refused for a while.
    assert post_token("bea", PASSWORD, remote_addr=PROXY, forwarded_for=CLERK).status_code == 429
    assert post_login("bea", PASSWORD, remote_addr=PROXY, forwarded_for=CLERK).status_code == 400
    assert LoginFailure.objects.filter(username="bea").count() == 3
