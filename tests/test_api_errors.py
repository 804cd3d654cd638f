"""Every error of the API answers JSON (`{"detail": …}`), never Django's HTML page.

The path unknown (404), the method not allowed (405), the body too large (413), the CSRF
check of a session's write (403), an unexpected exception (500, logged), and the body
that is not JSON at all (400).
"""

import json
import logging

import pytest
from django.test import Client, override_settings

from conftest import client_for
from tongxing.accounts.models import LoginFailure
from tongxing.needs.models import Need
from tongxing.needs.tests import factories as f
from tongxing.notifications.models import Notification


def assert_json_error(response, status: int, detail: str) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == {"detail": detail}


@pytest.mark.parametrize(
    "path",
    ["/api/v1/nothing-here", "/api/v1/needs/12/nothing", "/api/v1/", "/api/v2/needs"],
)
def test_an_unknown_api_path_is_404_in_json(db, path):
    assert_json_error(Client().get(path), 404, "Not found.")


def test_an_unknown_api_path_is_404_in_json_for_a_logged_in_user_too(alice):
    assert_json_error(client_for(alice).post("/api/v1/nothing-here"), 404, "Not found.")


def test_a_method_the_path_does_not_take_is_405_in_json_with_the_allowed_ones(alice):
    response = client_for(alice).delete("/api/v1/regions")
    assert_json_error(response, 405, "This method is not allowed here.")
    assert response["Allow"] == "GET"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_over_the_limit_is_413_in_json_and_changes_nothing(vera):
    body = json.dumps({"username": "x" * 2000, "password": "wrong"})
    response = Client().post("/api/v1/auth/token", body, content_type="application/json")
    assert_json_error(response, 413, "The request is too large: send at most 1,000 bytes.")
    assert LoginFailure.objects.count() == 0

    home = f.household()
    need = {
        "kind": "goods",
        "category": "clothing",
        "title": "棉被",
        "story": "冬" * 2000,
        "deadline": str(f.in_days(30)),
        "household_id": home.pk,
        "quantity": 3,
        "unit": "床",
        "unit_value_fen": 15000,
    }
    response = client_for(vera).post("/api/v1/needs", need, content_type="application/json")
    assert_json_error(response, 413, "The request is too large: send at most 1,000 bytes.")
    assert Need.objects.count() == 0


def test_a_sessions_write_without_the_csrf_token_is_403_in_json_and_changes_nothing(alice):
    f.published(f.goods_data(f.household()))  # tells Alice's office of the need
    unread = Notification.objects.filter(recipient=alice, read_at__isnull=True).count()
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(
        "/api/v1/notifications/read", {"all": True}, content_type="application/json"
    )
    assert_json_error(
        response,
        403,
        "The CSRF check failed: send the page's CSRF token in the X-CSRFToken header, "
        "or use a bearer token.",
    )
    assert Notification.objects.filter(recipient=alice, read_at__isnull=True).count() == unread


def test_a_body_that_is_not_json_is_400_in_json(db):
    response = Client().post(
        "/api/v1/auth/token", '{"username": "x", "pass', content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert set(response.json()) == {"detail"}


@pytest.mark.urls("tests.faulty_urls")
def test_an_unexpected_exception_is_logged_and_answered_in_json(db, caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/api/v1/test-fault")
    assert_json_error(
        response, 500, "Something went wrong on our side. It has been logged; try again later."
    )
    [logged] = [r for r in caplog.records if r.name == "django.request"]
    assert logged.getMessage() == "Internal Server Error: /api/v1/test-fault"
    assert logged.exc_info[0] is RuntimeError


def test_the_apis_own_errors_stay_as_they_were(db):
    assert_json_error(Client().get("/api/v1/me"), 401, "Log in first: send a bearer token.")


def test_an_anonymous_write_without_a_token_is_401_not_a_csrf_refusal(db):
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/notifications/read", {"all": True}, content_type="application/json"
    )
    assert_json_error(response, 401, "Log in first: send a bearer token.")


def test_a_field_the_schema_refuses_is_named_in_the_requests_language(alice):
    from conftest import api_client_for

    body = {"name": "长" * 60, "position": "mayor", "region": "bad", "phone": 5}
    answer = api_client_for(alice).post(
        "/api/v1/people", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert answer.status_code == 422
    messages = {error["field"]: error["message"] for error in answer.json()["errors"]}
    assert messages["name"] == "Keep it to 50 characters."
    assert messages["position"].startswith("Choose one of: ")
    assert messages["region"] == "This is not in the expected form."
    chinese = api_client_for(alice).post(
        "/api/v1/people",
        {"position": "mayor"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert chinese.status_code == 422
    assert "Field required" not in chinese.content.decode()
    assert all(error["message"] for error in chinese.json()["errors"])
