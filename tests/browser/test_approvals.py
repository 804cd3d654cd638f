"""Approving this year's figures on a phone: the township station approves its township,
the city office sees which townships are still missing; the page fits the phone."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import CITY, PASSWORD, TOWNSHIP_A, VILLAGE_A1, VILLAGE_B1, make_user
from tests.browser.test_shell import log_in
from tongxing.access import Role
from tongxing.indicators.models import Approval
from tongxing.registry.tests.factories import id_number, register

pytestmark = pytest.mark.browser
PHONE_WIDTH = 390


def test_a_township_approves_on_a_phone_and_the_city_sees_who_is_missing(
    live_server, tree, page, page_errors
):
    make_user("tina", Role.TOWNSHIP_ADMIN, TOWNSHIP_A, password=PASSWORD)
    make_user("alice", Role.CITY_ADMIN, CITY, password=PASSWORD)
    # A household in each township: both have records this year, so both must approve.
    register(number="H-A1", village=VILLAGE_A1)
    register(number="H-B1", village=VILLAGE_B1, head_id=id_number(1))
    year = timezone.localdate().year

    log_in(page, live_server.url, "tina")
    page.goto(f"{live_server.url}/indicators/approvals/?region={TOWNSHIP_A}&year={year}")
    state = page.locator("[data-testid=approval-state]")
    expect(state).to_contain_text("尚未审定")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    with page.expect_navigation():
        state.locator("button[type=submit]").click()
    expect(state).to_contain_text("Tina 于")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    approval = Approval.objects.get()
    assert (approval.region_id, approval.start.year) == (TOWNSHIP_A, year)

    page.context.clear_cookies()
    log_in(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/indicators/approvals/?region={CITY}&year={year}")
    expect(page.locator("[data-testid=missing-townships]")).to_contain_text("松林乡")
    expect(page.locator("[data-testid=missing-townships]")).not_to_contain_text("柳塘镇")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    assert page_errors == []
