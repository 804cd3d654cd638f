"""The web shell in a phone's browser: languages, logging in, and the region tree."""

import re

import pytest
from playwright.sync_api import Page, expect

from conftest import CITY, PASSWORD, TOWNSHIP_A, TOWNSHIP_B, make_user
from tongxing.access import Role

pytestmark = pytest.mark.browser


def switch_language(page: Page, code: str) -> None:
    """Pick a language in the footer's select, which posts itself to set_language."""
    with page.expect_navigation():
        page.select_option("select#language", code)


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base_url}/workspace/")


def test_a_visitor_switches_between_the_three_languages(live_server, page, page_errors):
    html = page.locator("html")
    login_link = page.locator("header .account a")

    page.goto(live_server.url)
    expect(html).to_have_attribute("lang", "zh-hans")

    switch_language(page, "en")
    expect(html).to_have_attribute("lang", "en")
    expect(login_link).to_have_text("Log in")

    switch_language(page, "zh-hant")
    expect(html).to_have_attribute("lang", "zh-hant")
    expect(login_link).to_have_text("登入")

    switch_language(page, "zh-hans")
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(login_link).to_have_text("登录")
    assert page_errors == []


def test_a_township_admin_sees_only_their_township(live_server, tree, page, page_errors):
    make_user("tina", Role.TOWNSHIP_ADMIN, TOWNSHIP_A, password=PASSWORD)
    log_in(page, live_server.url, "tina")

    page.click('nav.menu a[href="/regions/"]')
    page.wait_for_url(f"{live_server.url}/regions/{TOWNSHIP_A}/")
    expect(page.locator("h1")).to_contain_text("柳塘镇")
    villages = page.locator("#tree > ul.tree > li summary .name")
    expect(villages).to_have_text(["桃李村", "杏花村"])

    html = page.content()
    # Nothing of the other township, nor the county and city above Tina's scope.
    for name in ("松林乡", "梅竹村", "安平区", "青禾市"):
        assert name not in html, name

    # A village has nothing below it: clicking its row leaves the page as it was.
    page.locator("#tree summary", has_text="桃李村").locator(".name").click()
    expect(page).to_have_url(f"{live_server.url}/regions/{TOWNSHIP_A}/")
    expect(villages).to_have_text(["桃李村", "杏花村"])
    assert page_errors == []


def test_a_township_admin_gets_404_for_the_other_township(live_server, tree, page):
    make_user("tina", Role.TOWNSHIP_ADMIN, TOWNSHIP_A, password=PASSWORD)
    log_in(page, live_server.url, "tina")

    response = page.goto(f"{live_server.url}/regions/{TOWNSHIP_B}/")
    assert response is not None
    assert response.status == 404
    assert "松林乡" not in page.content()


def test_a_city_admin_expands_the_tree_in_place(live_server, tree, page, page_errors):
    make_user("alice", Role.CITY_ADMIN, CITY, password=PASSWORD)
    log_in(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/regions/{CITY}/")
    # A navigation would wipe this; an htmx swap keeps it.
    page.evaluate("window.notReloaded = true")

    county = page.locator("#tree details", has_text="安平区")
    with page.expect_response(re.compile(r"/regions/590101000000/$")) as response:
        county.locator("summary .name").first.click()
    assert response.value.request.headers.get("hx-request") == "true"
    expect(county.locator(":scope > .branch")).to_contain_text("柳塘镇")
    expect(county.locator(":scope > .branch")).to_be_visible()

    # The township expands in turn, from the rows htmx just swapped in.
    township = county.locator(":scope > .branch details", has_text="柳塘镇")
    township.locator("summary .name").first.click()
    expect(township.locator(":scope > .branch")).to_contain_text("桃李村")

    expect(page).to_have_url(f"{live_server.url}/regions/{CITY}/")
    assert page.evaluate("window.notReloaded") is True
    assert page_errors == []
