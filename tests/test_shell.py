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
    assert response.status_code == 302
    assert f'<html lang="{lang_attribute}">' in client.get("/").content.decode()


def test_simplified_chinese_is_the_default(db):
    assert '<html lang="zh-hans">' in Client().get("/").content.decode()


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
