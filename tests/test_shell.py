"""The public home page, the workspace of each role, and the language switch."""

import pytest
from django.test import Client

from conftest import VILLAGE_A2, client_for, make_user
from tongxing.access import Role
from tongxing.needs.tests import factories
from tongxing.regions.actions import import_regions
from tongxing.registry.models import Household
from tongxing.registry.tests.factories import assign


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


def test_the_home_page_writes_its_figures_with_thousands_separators_in_chinese(tree, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    # 1,000 more villages in townships B and A, each a relocation village.
    codes = [f"590101002{n:03d}" for n in range(2, 1000)] + ["590101001003", "590101001004"]
    rows = [{"code": code, "name": f"新村{code[-4:]}", "tags": "移民村"} for code in codes]
    result = import_regions(rows=list(enumerate(rows, start=2)), by=None)
    assert result.ok, result.errors[:3]
    html = Client().get("/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "<strong>1,003</strong>" in html  # villages (Django's intcomma wrote 1003 in Chinese)
    assert "<strong>1,001</strong>" in html  # relocation villages


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


@pytest.fixture
def three_households(tree):
    """Two households in village A1 (Vera's), one in A2."""
    return [
        factories.household(head="王五"),
        factories.household(head="赵六"),
        factories.household(village=VILLAGE_A2, head="孙七"),
    ]


def test_a_village_admins_workspace_counts_the_households_of_the_village(three_households, vera):
    response = client_for(vera).get("/workspace/")
    html = response.content.decode()
    # A village has no villages under it: "0 villages" was the count of its children.
    assert response.context["figures"] == {"households": 2}
    assert '<span data-testid="workspace-count">2 households</span>' in html
    assert "0 villages" not in html


@pytest.mark.parametrize(
    ("who", "text"), [("tina", "2 villages"), ("alice", "3 villages"), ("tom", "1 village")]
)
def test_a_township_or_city_workspace_counts_its_villages(request, three_households, who, text):
    html = client_for(request.getfixturevalue(who)).get("/workspace/").content.decode()
    assert f'<span data-testid="workspace-count">{text}</span>' in html


def test_a_cadres_workspace_lists_the_households_assigned_to_them(three_households, cody):
    wang, _zhao, sun = three_households
    assign(cody, wang)
    assign(cody, sun)
    response = client_for(cody).get("/workspace/")
    html = response.content.decode()
    assert response.context["figures"] == {"households": 2}
    assert '<span data-testid="workspace-count">2 households</span>' in html
    assert [h.head_name for h in response.context["assigned"]] == ["王五", "孙七"]
    assert f'<a href="/registry/households/{wang.pk}/">王五</a>' in html
    assert "赵六" not in html and 'data-testid="nothing-assigned"' not in html


def test_a_cadre_with_no_household_is_told_who_assigns_them(three_households, cody):
    response = client_for(cody).get("/workspace/")
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["figures"] == {"households": 0}
    assert (
        '<p class="notice" role="status" data-testid="nothing-assigned">No households are '
        "assigned to you yet; the township station assigns them.</p>"
    ) in html
    assert 'data-testid="household-table"' not in html


def test_a_cadres_workspace_shows_twenty_households_and_links_to_them_all(tree, cody):
    for n in range(21):
        assign(cody, factories.household(head=f"王{n:02d}"))
    response = client_for(cody).get("/workspace/")
    html = response.content.decode()
    assert len(response.context["assigned"]) == 20
    assert '<a href="/registry/households/">All 21 households →</a>' in html


def test_the_workspace_count_carries_thousands_separators(tree, vera, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    home = factories.household()
    # Plain rows (no members): the count is what is tested, not the registry's actions.
    Household.objects.bulk_create(
        Household(
            registry_number=f"B-{n:05d}",
            village=home.village,
            status=home.status,
            status_since=home.status_since,
        )
        for n in range(1_001)
    )
    html = client_for(vera).get("/workspace/", headers={"accept-language": "zh-hans"})
    assert '<span data-testid="workspace-count">1,002 户</span>' in html.content.decode()


def test_the_django_admin_is_for_superusers_only(alice):
    assert client_for(alice).get("/admin/").status_code == 302


def test_the_home_figures_are_computed_once_for_a_few_minutes(tree, django_assert_num_queries):
    Client().get("/")
    with django_assert_num_queries(1):  # the board's version: the page is kept under it
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
