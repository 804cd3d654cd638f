"""The pages work under their Content-Security-Policy: nothing is refused, and what used to
run inline (the language switcher, the upload's progress) runs from the site's files.

Chromium reports every refused script, style or frame on the console; the test collects
those reports and expects none.
"""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD, TOWNSHIP_A, make_user
from tests.browser.test_shell import log_in, switch_language
from tongxing.access import Role
from tongxing.registry.tests import factories

pytestmark = pytest.mark.browser


@pytest.fixture
def refusals(page: Page) -> Iterator[list[str]]:
    """What the page's policy refused, as Chromium reports it on the console."""
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


def test_every_page_is_sent_with_the_policy(live_server, page):
    response = page.goto(live_server.url)
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert policy == (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    )


def test_a_visitor_uses_the_board_and_the_language_switcher_under_the_policy(
    live_server, tree, page, page_errors, refusals
):
    page.goto(f"{live_server.url}/needs/")
    # The select posts its form from site.js, no longer from an onchange attribute.
    switch_language(page, "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # A filter of the board fetches its results through htmx.
    with page.expect_response(lambda response: "/needs/?" in response.url):
        page.locator("select[name=kind]").select_option("goods")
    assert refusals == [] and page_errors == []


def test_staff_search_expand_the_tree_and_upload_under_the_policy(
    live_server, tree, page, page_errors, refusals, tmp_path
):
    factories.register(number="H-001", head="张建国")
    make_user("tina", Role.TOWNSHIP_ADMIN, TOWNSHIP_A, password=PASSWORD)
    log_in(page, live_server.url, "tina")

    page.goto(f"{live_server.url}/regions/")
    page.locator("#tree summary", has_text="桃李村").locator(".name").click()

    page.goto(f"{live_server.url}/registry/households/")
    with page.expect_response(lambda response: "/registry/households/" in response.url):
        page.fill("input[name=q]", "张")
    expect(page.locator("#results")).to_contain_text("H-001")

    roster = tmp_path / "roster.csv"
    roster.write_text("户编号,姓名,与户主关系\nH-001,张建国,户主\n", encoding="utf-8")
    page.goto(f"{live_server.url}/registry/households/import/")
    page.set_input_files("input[type=file]", str(roster))
    page.click("main form button[type=submit]")
    expect(page.locator("main .figures")).to_be_visible()
    assert refusals == [] and page_errors == []


def test_the_api_docs_work_under_the_policy(live_server, db, page, page_errors, refusals):
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Tongxing API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert refusals == [] and page_errors == []


def test_the_admin_login_works_under_the_policy(live_server, db, page, page_errors, refusals):
    page.goto(f"{live_server.url}/admin/login/")
    expect(page.locator("#login-form")).to_be_visible()
    assert refusals == [] and page_errors == []
