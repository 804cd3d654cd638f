"""The sales pages on a phone: a township station records a sale and finds it in the list
under its month; the page fits the phone's width."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, TOWNSHIP_A, make_user
from tongxing.access import Role
from tongxing.commerce.tests.factories import supplier

pytestmark = pytest.mark.browser


def test_a_township_station_records_a_sale_on_a_phone(live_server, tree, page, page_errors):
    supplier()
    make_user("tina", Role.TOWNSHIP_ADMIN, TOWNSHIP_A, password=PASSWORD)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "tina")
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/workspace/")
    page.goto(f"{live_server.url}/commerce/sales/new/")
    page.select_option("select[name=seller]", label="青禾农业合作社")
    page.select_option("select[name=channel]", "offline")
    page.fill("input[name=sold_on]", "2025-05-01")
    page.fill("input[name=amount]", "1234.5")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/commerce/sales/")
    page.goto(f"{live_server.url}/commerce/sales/?month=2025-05")
    expect(page.locator("[data-testid=sale]")).to_have_count(1)
    expect(page.locator("[data-testid=sale]")).to_contain_text("1,234.50")
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page_errors == []
