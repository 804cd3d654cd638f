"""Posting and publishing a need on a phone: the household picker reaches every household of
a village, by "show more" or by searching as one types, and one tap picks it; approving
several needs at once asks first."""

import re

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD, TOWNSHIP_A, VILLAGE_A1, make_user
from tests.browser.test_needs_loop import log_in
from tongxing.access import Role
from tongxing.needs.actions import posting
from tongxing.needs.models import Need, Status
from tongxing.needs.tests import factories

pytestmark = pytest.mark.browser


@pytest.fixture
def sixty(tree):
    """Sixty households in Vera's village; the sixtieth, 刘六十, comes last in the list."""
    homes = [factories.household(head=f"王{n:02d}") for n in range(1, 60)]
    return [*homes, factories.household(head="刘六十")]


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_village_admin_reaches_the_sixtieth_household_and_picks_it(
    live_server, sixty, page, page_errors
):
    base = live_server.url
    make_user("vera", Role.VILLAGE_ADMIN, VILLAGE_A1, password=PASSWORD)
    log_in(page, base, "vera")
    page.goto(f"{base}/needs/new/")
    rows = page.locator('[data-testid="pick-household"]')
    expect(rows).to_have_count(20)
    assert fits_the_screen(page)

    page.evaluate("window.notReloaded = true")
    page.click('[data-testid="show-more"]')
    expect(rows).to_have_count(40)
    page.click('[data-testid="show-more"]')
    expect(rows).to_have_count(60)
    expect(page.locator('[data-testid="show-more"]')).to_have_count(0)
    assert page.evaluate("window.notReloaded") is True  # appended in place, not a new page

    last = sixty[-1]
    # One tap anywhere on the row picks it: here on its registry number, not on the name.
    row = page.locator("tr", has=page.locator(f'[data-household="{last.pk}"]'))
    number = row.locator("td.number")
    number.scroll_into_view_if_needed()
    box = number.bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(f"{base}/needs/new/?household={last.pk}")
    expect(page.locator('[data-testid="need-form"] .for-whom')).to_contain_text("刘六十")
    assert page_errors == []


def test_the_search_narrows_the_list_as_one_types(live_server, sixty, page, page_errors):
    base = live_server.url
    make_user("vera", Role.VILLAGE_ADMIN, VILLAGE_A1, password=PASSWORD)
    log_in(page, base, "vera")
    page.goto(f"{base}/needs/new/")
    page.locator("#id_q").press_sequentially("刘")  # typed, no Enter
    rows = page.locator('[data-testid="pick-household"]')
    expect(rows).to_have_count(1)
    expect(page.locator('[data-testid="household-count"]')).to_contain_text("1")
    # The search went by POST: the address holds no query.
    assert not re.search(r"[?&]q=", page.url)
    rows.first.tap()
    page.wait_for_url(f"{base}/needs/new/?household={sixty[-1].pk}")
    assert page_errors == []


def test_a_township_admin_ticks_two_needs_and_confirms_before_they_go_public(
    live_server, tree, page, page_errors
):
    base = live_server.url
    vera = make_user("vera", Role.VILLAGE_ADMIN, VILLAGE_A1, password=PASSWORD)
    make_user("tina", Role.TOWNSHIP_ADMIN, TOWNSHIP_A, password=PASSWORD)
    home = factories.household()
    quilts, rice = (
        posting.create_need(
            data=factories.goods_data(home, title=title, category=category), by=vera, submit=True
        )
        for title, category in (("棉被", "clothing"), ("大米", "food"))
    )
    log_in(page, base, "tina")
    page.goto(f"{base}/needs/review/")
    for need in (quilts, rice):
        item = page.locator(f'[data-testid="review-item"][data-need="{need.pk}"]')
        item.locator('[data-testid="tick"]').check()
    page.click('[data-testid="approve-many"]')
    listed = page.locator('[data-testid="confirm-need"]')
    expect(listed).to_have_count(2)
    assert [Need.objects.get(pk=n.pk).status for n in (quilts, rice)] == [Status.SUBMITTED] * 2
    page.click('[data-testid="confirm-publish-button"]')
    page.wait_for_url(f"{base}/needs/review/")
    assert [Need.objects.get(pk=n.pk).status for n in (quilts, rice)] == [Status.PUBLISHED] * 2
    assert page_errors == []
