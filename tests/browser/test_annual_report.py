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


def test_a_provinces_report_is_written_by_the_worker_and_followed_to_its_file(
    live_server, task_worker, tree, page, page_errors, settings
):
    from tongxing.registry.tests.factories import register

    settings.TONGXING_BACKGROUND_HOUSEHOLDS = 0  # one household stands in for a province's
    register(number="H-A1")
    make_user("alice", Role.CITY_ADMIN, CITY, password=PASSWORD)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/workspace/")
    page.goto(f"{live_server.url}/reports/")
    page.select_option("select[name=format]", "md")
    page.click("[data-testid=generate-report]")
    # The page of the job follows its progress, then offers the file.
    page.wait_for_url(f"{live_server.url}/reports/jobs/*/")
    link = page.locator("#job [data-testid=download-report]")
    expect(link).to_be_visible(timeout=30_000)
    with page.expect_download() as download:
        link.click()
    year = timezone.localdate().year
    text = download.value.path().read_text(encoding="utf-8")
    assert text.startswith(f"# 青禾市{year}年度社会帮扶工作总结")
    assert page_errors == []
