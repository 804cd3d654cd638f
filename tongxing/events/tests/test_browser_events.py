"""On a phone: a township station records an e-commerce training, keeps its attendance list
by ID numbers and records its outcomes; every page fits the screen and runs no failing
script."""

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD, TOWNSHIP_A, VILLAGE_A1, make_user
from tests.browser.test_needs_loop import log_in
from tongxing.access import Role
from tongxing.events.models import Event
from tongxing.events.tests import factories as f
from tongxing.registry.tests.factories import id_number

pytestmark = pytest.mark.browser


def fits_the_screen(page: Page) -> bool:
    # A phone widens its layout to what overflows: compare with the device's own width.
    return page.evaluate("document.documentElement.scrollWidth <= screen.width")


def test_a_township_records_a_training_and_its_attendance_on_a_phone(
    live_server,
    tree,
    page,
    page_errors,
):
    base = live_server.url
    make_user("tina", Role.TOWNSHIP_ADMIN, TOWNSHIP_A, password=PASSWORD)
    f.household("H-1", 1)
    f.household("H-2", 2)
    log_in(page, base, "tina")
    page.goto(f"{base}/events/")
    assert fits_the_screen(page)
    page.click('[data-testid="record-event"]')
    form = page.locator('[data-testid="event-form"]')
    form.locator("select[name=kind]").select_option("training")
    form.locator("input[name=title]").fill("电商培训第一期")
    form.locator("select[name=topic]").select_option("ecommerce")
    form.locator("input[name=starts_on]").fill("2020-05-10")
    form.locator("select[name=region]").select_option(TOWNSHIP_A)
    form.locator("select[name=site_region_0]").select_option(VILLAGE_A1)
    form.locator("input[name=site_address_0]").fill("村委会")
    assert fits_the_screen(page)
    form.locator("button[type=submit]").click()
    event = Event.objects.get()
    page.wait_for_url(f"{base}/events/{event.pk}/")
    assert fits_the_screen(page)

    page.fill("textarea[name=id_numbers]", f"{id_number(1)}\n{id_number(2)}")
    page.click("form[action$='/attendance/'] button[type=submit]")
    page.wait_for_url(f"{base}/events/{event.pk}/")
    expect(page.locator('[data-testid="registered"]')).to_contain_text("2")
    expect(page.locator('[data-testid="attendees"] li')).to_have_count(2)

    outcomes = page.locator('[data-testid="outcomes-form"]')
    outcomes.locator("input[name=participants]").fill("35")
    outcomes.locator("button[type=submit]").click()
    expect(page.locator('[data-testid="participants"]')).to_have_text("35")
    assert fits_the_screen(page)
    for path in ("exemplars", "stories", "publicity", "policies"):
        page.goto(f"{base}/events/{path}/")
        assert fits_the_screen(page), path
    assert page_errors == []
