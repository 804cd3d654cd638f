"""The error pages wear the site's frame, speak the visitor's language and offer a way back.

Tests run with DEBUG off, as production does, so these are the pages a visitor meets.
"""

import pytest
from django.test import Client, override_settings

from conftest import client_for

WAY_HOME = '<a class="button" href="/">Home</a>'
WAY_TO_LOG_IN = '<a class="button secondary" href="/accounts/login/">Log in</a>'
WAY_TO_WORK = '<a class="button secondary" href="/workspace/">My workspace</a>'


def framed(response) -> str:
    html = response.content.decode()
    assert '<header class="top">' in html and "<footer>" in html
    return html


def test_a_missing_page_says_so_in_the_frame_with_a_way_home_and_to_log_in(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    html = framed(response)
    assert "<h1>This page is not here</h1>" in html
    assert WAY_HOME in html and WAY_TO_LOG_IN in html


def test_a_missing_page_offers_a_logged_in_user_their_workspace(vera):
    html = framed(client_for(vera).get("/registry/households/999999/"))
    assert "<h1>This page is not here</h1>" in html
    assert WAY_HOME in html and WAY_TO_WORK in html and WAY_TO_LOG_IN not in html


def test_a_missing_page_is_in_the_visitors_language(db):
    response = Client(headers={"Accept-Language": "zh-CN"}).get("/no-such-page/")
    html = framed(response)
    assert '<html lang="zh-hans">' in html
    assert '<a href="/accounts/login/">登录</a>' in html


def test_a_page_the_role_may_not_open_says_so_in_the_frame(vera):
    response = client_for(vera).get("/accounts/audit/")
    assert response.status_code == 403
    html = framed(response)
    assert "<h1>You may not open this page</h1>" in html
    assert WAY_HOME in html and WAY_TO_WORK in html


def test_a_form_without_its_csrf_token_is_told_it_has_expired(db):
    response = Client(enforce_csrf_checks=True).post(
        "/accounts/login/", {"username": "vera", "password": "x"}
    )
    assert response.status_code == 403
    assert "<h1>The form has expired</h1>" in framed(response)


def test_a_request_for_an_unknown_host_is_400_in_the_frame(db):
    response = Client(HTTP_HOST="evil.example").get("/")
    assert response.status_code == 400
    assert "<h1>The request was not understood</h1>" in framed(response)


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_form_over_the_size_limit_is_413_in_the_frame(db):
    response = Client().post("/accounts/login/", {"username": "x" * 2000, "password": "x"})
    assert response.status_code == 413
    html = framed(response)
    assert "<h1>What you sent is too large</h1>" in html
    assert "at most 1,000 bytes" in html


@pytest.mark.urls("tests.faulty_urls")
def test_a_server_error_renders_in_the_frame_without_the_database():
    """No `db` fixture: any query from here fails the test, as a database that is down would
    fail the page. The session cookie makes the account a query away."""
    client = Client(raise_request_exception=False, headers={"Accept-Language": "zh-CN"})
    client.cookies["sessionid"] = "a" * 32
    response = client.get("/test-fault/")
    assert response.status_code == 500
    html = framed(response)
    assert '<html lang="zh-hans">' in html
    assert "<h1>系统出错了</h1>" in html
    assert '<a class="button" href="/">' in html
    # No language switcher: it would post without a CSRF token.
    assert 'action="/i18n/setlang/"' not in html
