"""The audit log on a phone: cards that fit the screen, filters that work by touch."""

import pytest
from playwright.sync_api import expect

from conftest import CITY, PASSWORD, TOWNSHIP_A, VILLAGE_A1, make_user
from tests.browser.test_shell import log_in
from tongxing.access import Role
from tongxing.needs.actions import posting
from tongxing.needs.tests import factories as f
from tongxing.registry.tests.factories import register

pytestmark = pytest.mark.browser
PHONE_WIDTH = 390


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def test_the_city_office_reads_and_filters_its_log_on_a_phone(live_server, tree, page, page_errors):
    alice = make_user("alice", Role.CITY_ADMIN, CITY, password=PASSWORD)
    vera = make_user("vera", Role.VILLAGE_ADMIN, VILLAGE_A1)
    tina = make_user("tina", Role.TOWNSHIP_ADMIN, TOWNSHIP_A)
    # A registry number and a story without a break, as long as the fields allow.
    home = register(number="4201" + "0" * 28, head="朱阳", by=vera)
    need = f.published(
        f.goods_data(home, title="棉" * 100, story="被" * 2000), by=vera, reviewer=tina
    )
    posting.cancel_need(need=need, by=tina, reason="原因" * 150)
    assert alice.pk

    log_in(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/accounts/audit/")
    cards = page.locator("[data-testid=audit-event]")
    expect(cards.first).to_be_visible()
    assert page.locator("table").count() == 0
    assert fits_the_screen(page)

    # Every card's changes open in place and still fit.
    for summary in page.locator(".audit-event details summary").all():
        summary.click()
    expect(page.locator(".audit-event details[open]").first).to_be_visible()
    assert fits_the_screen(page)

    # Filter by an action, chosen by its words.
    page.select_option("select#id_action", "need.cancelled")
    with page.expect_navigation():
        page.click("[data-testid=audit-filters] button[type=submit]")
    expect(cards).to_have_count(1)
    expect(cards.first).to_have_attribute("data-action", "need.cancelled")
    expect(page.locator("[data-testid=audit-count]")).to_contain_text("1")
    assert fits_the_screen(page)

    # The history of the need, from the card's link.
    with page.expect_navigation():
        cards.first.locator("[data-testid=audit-history]").click()
    expect(cards).to_have_count(4)  # posted, submitted, published, cancelled
    assert fits_the_screen(page)
    assert page_errors == []
