"""The household search in a phone's browser: an ID number never reaches the address bar."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, TOWNSHIP_A, make_user
from tests.browser.test_shell import log_in
from tongxing.access import Role
from tongxing.registry.tests import factories
from tongxing.registry.tests.factories import id_number

pytestmark = pytest.mark.browser


def test_a_search_by_id_number_finds_the_household_and_stays_out_of_the_address(
    live_server, tree, page, page_errors
):
    factories.register(number="H-001", head="张建国")
    factories.register(
        number="H-002", head="李秀英", head_id=id_number(1), head_phone="13800000001"
    )
    make_user("tina", Role.TOWNSHIP_ADMIN, TOWNSHIP_A, password=PASSWORD)
    log_in(page, live_server.url, "tina")
    page.goto(f"{live_server.url}/registry/households/")
    results = page.locator("#results")

    # A name: the results, and the search's address to bookmark or share.
    page.fill("input[name=q]", "张")
    expect(results).to_contain_text("H-001")
    expect(results).not_to_contain_text("H-002")
    expect(page).to_have_url(f"{live_server.url}/registry/households/?q=%E5%BC%A0")

    # An ID number: the results, and the address stays as it was.
    page.fill("input[name=q]", id_number(1))
    expect(results).to_contain_text("H-002")
    expect(results).not_to_contain_text("H-001")
    expect(page).to_have_url(f"{live_server.url}/registry/households/?q=%E5%BC%A0")
    assert id_number(1) not in page.url
    assert page_errors == []
