"""The dashboard on a phone: the charts drawn, each bar leading to its records, the same
figures in a table beside each chart."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import CITY, PASSWORD, TOWNSHIP_A, VILLAGE_A1, make_user
from tests.browser.test_shell import log_in
from tongxing.access import Role
from tongxing.needs.tests import factories as f

pytestmark = pytest.mark.browser
PHONE_WIDTH = 390
RECORDS = "/indicators/needs.goods.posted_within/records/?region=590100000000&from="


def test_the_city_office_opens_the_charts_and_a_bar_leads_to_its_records(
    live_server, tree, page, page_errors
):
    make_user("alice", Role.CITY_ADMIN, CITY, password=PASSWORD)
    vera = make_user("vera", Role.VILLAGE_ADMIN, VILLAGE_A1)
    tina = make_user("tina", Role.TOWNSHIP_ADMIN, TOWNSHIP_A)
    f.published(f.goods_data(f.household()), by=vera, reviewer=tina)
    month = timezone.localdate().month - 1  # this year's months, from January

    log_in(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/dashboard/")
    for chart in ("needs-goods", "needs-funds", "rates", "donors", "wishes"):
        expect(page.locator(f"#chart-{chart} canvas")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH

    # The bar of this month's goods needs posted, clicked where ECharts drew it.
    chart = page.locator("#chart-needs-goods")
    chart.scroll_into_view_if_needed()
    x, y = page.evaluate(
        """([month]) => {
            const chart = echarts.getInstanceByDom(document.getElementById("chart-needs-goods"));
            const top = chart.convertToPixel({seriesIndex: 0}, [month, 1]);
            const bottom = chart.convertToPixel({seriesIndex: 0}, [month, 0]);
            return [top[0], (top[1] + bottom[1]) / 2];
        }""",
        [month],
    )
    box = chart.bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + x, box["y"] + y)
    assert RECORDS in page.url.replace("%2F", "/")

    # The same figure, read from the table beside the chart.
    page.goto(f"{live_server.url}/dashboard/")
    row = page.locator("[data-testid=chart-needs-goods] table tbody tr").nth(month)
    link = row.locator("a").first
    expect(link).to_have_text("1")
    with page.expect_navigation():
        link.click()
    assert RECORDS in page.url
    assert page_errors == []
