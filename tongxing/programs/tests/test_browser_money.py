"""On a phone: an organisation's representative records a pledge for her pairing, and the
township station accepts it in place, without leaving the review page."""

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD, TOWNSHIP_A, VILLAGE_A1, make_user
from tests.browser.test_needs_loop import log_in
from tongxing.access import Role
from tongxing.programs.models import PairingPledge, Review
from tongxing.programs.tests import factories as f

pytestmark = pytest.mark.browser
PHONE_WIDTH = 390


def fits_the_screen(page: Page) -> bool:
    # The phone's own width: an emulated phone's innerWidth grows to what overflows.
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def test_a_rep_pledges_on_a_phone_and_the_station_accepts_it_in_place(
    live_server, tree, page, page_errors
):
    base = live_server.url
    olga = make_user("olga", Role.ORG_REP, password=PASSWORD)
    make_user("tina", Role.TOWNSHIP_ADMIN, TOWNSHIP_A, password=PASSWORD)
    food = f.enterprise()
    f.speak_for(olga, food)
    pairing = f.pairing(f.programme(), VILLAGE_A1, food)

    def pledge() -> None:
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

    pledge()
    recorded = PairingPledge.objects.get()
    assert (recorded.amount_fen, recorded.status) == (12_000_00, Review.PENDING)

    def review() -> None:
        page.context.clear_cookies()
        log_in(page, base, "tina")
        page.goto(f"{base}/programmes/review/")
        assert fits_the_screen(page)
        page.evaluate("window.notReloaded = true")
        page.locator(".review-item button[type=submit]").first.click()
        expect(page.locator(".review-item .status")).to_have_count(1)
        assert page.evaluate("window.notReloaded") is True  # answered in place

    review()
    recorded.refresh_from_db()
    assert recorded.status == Review.ACCEPTED
    assert page_errors == []
