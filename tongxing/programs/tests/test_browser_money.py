"""On a phone: an organisation's representative records a pledge for her pairing, and the
township station accepts it in place, without leaving the review page.

The browser runs in a thread of its own: the browser tests' shared Chromium (a session
fixture of their own directory) is not visible here, and a second Playwright cannot start
in a thread where one already runs.
"""

import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from conftest import PASSWORD, TOWNSHIP_A, VILLAGE_A1, make_user
from tests.browser.conftest import CHROMIUM_ARGS, PHONE, TIMEOUT_MS, chromium_path
from tests.browser.test_needs_loop import log_in
from tongxing.access import Role
from tongxing.programs.models import PairingPledge, Review
from tongxing.programs.tests import factories as f

pytestmark = pytest.mark.browser


def on_a_phone(scenario) -> None:
    """Run scenario(page) in a phone-sized Chromium, in a thread of its own."""
    path = chromium_path()
    if not (Path(path).is_file() and os.access(path, os.X_OK)):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {path!r}.", pytrace=False)
        pytest.skip(f"Chromium not found at {path!r}.")
    failure: list[BaseException] = []

    def run() -> None:
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=path, headless=True, args=CHROMIUM_ARGS
                )
                context = browser.new_context(
                    viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN"
                )
                context.set_default_timeout(TIMEOUT_MS)
                page = context.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda error: errors.append(str(error)))
                scenario(page)
                assert errors == []
                browser.close()
        except BaseException as exc:  # handed to the test's own thread
            failure.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    if failure:
        raise failure[0]


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_rep_pledges_on_a_phone_and_the_station_accepts_it_in_place(live_server, tree):
    base = live_server.url
    olga = make_user("olga", Role.ORG_REP, password=PASSWORD)
    make_user("tina", Role.TOWNSHIP_ADMIN, TOWNSHIP_A, password=PASSWORD)
    food = f.enterprise()
    f.speak_for(olga, food)
    pairing = f.pairing(f.programme(), VILLAGE_A1, food)

    def pledge(page: Page) -> None:
        log_in(page, base, "olga")
        page.goto(f"{base}/programmes/record/")
        assert fits_the_screen(page)
        form = page.locator("form[action='/programmes/record/pledge/']")
        form.locator("select[name=pairing]").select_option(str(pairing.pk))
        form.locator("input[name=amount]").fill("12000")
        form.locator("input[name=purpose]").fill("修建村道")
        form.locator("input[name=pledged_on]").fill("2026-03-15")
        form.locator("button[type=submit]").click()
        page.wait_for_url(f"{base}/programmes/record/")

    on_a_phone(pledge)
    recorded = PairingPledge.objects.get()
    assert (recorded.amount_fen, recorded.status) == (12_000_00, Review.PENDING)

    def review(page: Page) -> None:
        log_in(page, base, "tina")
        page.goto(f"{base}/programmes/review/")
        assert fits_the_screen(page)
        page.evaluate("window.notReloaded = true")
        page.locator(".review-item button[type=submit]").first.click()
        expect(page.locator(".review-item .status")).to_have_count(1)
        assert page.evaluate("window.notReloaded") is True  # answered in place

    on_a_phone(review)
    recorded.refresh_from_db()
    assert recorded.status == Review.ACCEPTED
