"""The annual report in a phone's browser: a city admin writes it and downloads it."""

import io

import pytest
from django.utils import timezone
from docx import Document
from playwright.sync_api import expect

from conftest import CITY, PASSWORD, make_user
from tongxing.access import Role

pytestmark = pytest.mark.browser


def test_a_city_admin_writes_and_downloads_the_annual_report(live_server, tree, page, page_errors):
    make_user("alice", Role.CITY_ADMIN, CITY, password=PASSWORD)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/workspace/")
    page.goto(f"{live_server.url}/reports/")
    expect(page.locator("select[name=region]")).to_have_value(CITY)
    page.select_option("select[name=lang]", "en")
    page.click("[data-testid=generate-report]")
    link = page.locator("[data-testid=download-report]")
    expect(link).to_be_visible(timeout=30_000)
    with page.expect_download() as download:
        link.click()
    document = Document(io.BytesIO(download.value.path().read_bytes()))
    year = timezone.localdate().year
    assert (
        document.paragraphs[0].text == f"Social assistance in 青禾市: the annual report for {year}"
    )
    assert page_errors == []
