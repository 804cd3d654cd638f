"""The public home page, the workspace of each role, and the language switch."""

import pytest
from django.test import Client

from conftest import client_for, make_user
from tongxing.accounts.models import Role


def test_the_home_page_shows_the_citys_figures_to_anyone(tree, dora):
    response = Client().get("/")
    assert response.status_code == 200
    figures = response.context["figures"]
    assert (figures["root"].code, figures["villages"], figures["key_poor_village"]) == (
        "590100000000",
        3,
        2,
    )
    assert figures["donors"] == 1


def test_the_home_page_works_before_any_region_exists(db):
    assert Client().get("/").status_code == 200


@pytest.mark.parametrize(
    ("language", "lang_attribute"), [("zh-hans", "zh-hans"), ("zh-hant", "zh-hant"), ("en", "en")]
)
def test_the_language_switch_sets_the_pages_language(db, language, lang_attribute):
    client = Client()
    response = client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert client.cookies["django_language"].value == language
    assert response.status_code == 302
    assert f'<html lang="{lang_attribute}">' in client.get("/").content.decode()


def test_simplified_chinese_is_the_default(db, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    html = Client().get("/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "社会帮扶，你我同行" in html


def test_a_browser_asking_for_traditional_chinese_gets_it(db):
    html = Client(headers={"Accept-Language": "zh-TW"}).get("/").content.decode()
    assert '<html lang="zh-hant">' in html
    assert "社會幫扶，你我同行" in html


def test_api_errors_speak_the_callers_language(tree, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    assert Client().get("/api/v1/regions").json()["detail"] == "请先登录：请求需附带 Bearer 令牌。"
    english = Client(headers={"Accept-Language": "en"}).get("/api/v1/regions")
    assert english.json()["detail"] == "Log in first: send a bearer token."


@pytest.mark.parametrize("role", Role.values)
def test_every_role_has_a_workspace(tree, role):
    scoped = {
        "city_admin": "590100000000",
        "township_admin": "590101001000",
        "village_admin": "590101001001",
        "cadre": "590101001001",
        "viewer": "590101000000",
    }
    user = make_user(f"u-{role}", role, scoped.get(role))
    assert client_for(user).get("/workspace/").status_code == 200


def test_the_django_admin_is_for_superusers_only(alice):
    assert client_for(alice).get("/admin/").status_code == 302


def test_the_home_figures_are_computed_once_for_a_few_minutes(tree, django_assert_num_queries):
    Client().get("/")
    with django_assert_num_queries(0):
        Client().get("/")


def test_a_superuser_adds_an_account_in_the_django_admin(tree):
    from tongxing.accounts.models import User

    root = User.objects.create_superuser("root", "root@example.org", "a long secret 42")
    response = client_for(root).post(
        "/admin/accounts/user/add/",
        {
            "username": "zhou",
            "password1": "a long secret 42",
            "password2": "a long secret 42",
            "usable_password": "true",
            "role": "township_admin",
            "region": "590101001000",
            "display_name": "周",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.get(username="zhou").region_id == "590101001000"
