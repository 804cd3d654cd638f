"""Roster files in a phone's browser: a large import goes on in the background and its page
follows it to the result; a full-number export asks why, then offers its file."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from conftest import PASSWORD, TOWNSHIP_A, VILLAGE_A1, make_user
from tongxing.access import Role
from tongxing.audit.models import AuditEvent
from tongxing.registry.models import Household
from tongxing.registry.tests.factories import id_number

pytestmark = pytest.mark.browser

ROSTER = (
    "户编号,所在村,姓名,与户主关系,身份证号,户类型\n"
    f"H100,桃李村,刘一,户主,{id_number(40)},建档立卡户\n"
    f"H100,桃李村,刘二,之子,{id_number(41)},\n"
    f"H101,桃李村,王三,户主,{id_number(42)},建档立卡户\n"
)


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base_url}/workspace/")


def test_a_large_roster_is_followed_to_its_result(
    live_server, task_worker, tree, page, page_errors, settings
):
    settings.TONGXING_BACKGROUND_ROWS = 1  # three rows: in the background, by the worker
    make_user("vera", Role.VILLAGE_ADMIN, VILLAGE_A1, password=PASSWORD)
    log_in(page, live_server.url, "vera")
    page.goto(f"{live_server.url}/registry/households/import/")
    page.set_input_files(
        "input[name=file]",
        {"name": "roster.csv", "mimeType": "text/csv", "buffer": ROSTER.encode()},
    )
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/registry/households/import/*/")
    # The page polls its progress until the result replaces it.
    figures = page.locator("#job .figures strong")
    expect(figures).to_have_text(["2", "0", "3", "0"], timeout=30_000)
    expect(page.locator("#job progress")).to_have_count(0)
    assert sorted(Household.objects.values_list("registry_number", flat=True)) == ["H100", "H101"]
    assert page_errors == []


def test_a_full_export_asks_why_and_then_offers_its_file(
    live_server, task_worker, tree, page, settings
):
    from tongxing.registry.tests.factories import register

    settings.TONGXING_BACKGROUND_ROWS = 0  # every export in the background
    register(number="H-A1")
    make_user("tina", Role.TOWNSHIP_ADMIN, TOWNSHIP_A, password=PASSWORD)
    log_in(page, live_server.url, "tina")
    page.goto(f"{live_server.url}/registry/households/export/?full=1")
    expect(page.locator("input[name=full_numbers]")).to_be_checked()
    page.click("main form button[type=submit]")  # no reason, no confirmation
    expect(page.locator(".field.invalid")).to_have_count(2)
    page.fill("textarea[name=reason]", "年度复核")
    page.check("input[name=confirm]")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/registry/households/export/*/")
    link = page.locator("#job a[href^='/jobs/']")
    expect(link).to_be_visible(timeout=30_000)
    with page.expect_download() as download:
        link.click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert sheet["F2"].value == id_number(0)
    assert AuditEvent.objects.get(action="household.export_full").after["reason"] == "年度复核"
    assert AuditEvent.objects.filter(action="job.download").count() == 1
