"""The indicators' pages, exports and API on the needs board's records: every computed
figure links to its records, whose count (or total) is the figure; the statistical table
adds up; the pages keep to the caller's scope and never show a member's personal data."""

import datetime
import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import (
    CITY,
    OTHER_CITY,
    TOWNSHIP_A,
    TOWNSHIP_B,
    add_other_city,
    api_client_for,
    client_for,
    make_user,
)
from tongxing.accounts.models import Role
from tongxing.figures import MAX, MIN
from tongxing.indicators import engine, exports
from tongxing.indicators.catalogue import BY_CODE, MEASURES, Display
from tongxing.indicators.selectors import table_codes
from tongxing.needs.tests.test_figures import board  # noqa: F401 (the fixture)

CHILD = "王小丫"
PROVINCE = "590000000000"


def this_year() -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    return datetime.date(today.year, 1, 1), today


def records_url(code: str, region: str = CITY, **query) -> str:
    query = {"region": region} | query
    params = "&".join(f"{key}={value}" for key, value in query.items())
    return reverse("indicators:records", args=[code]) + "?" + params


def shown_count(html: str) -> int:
    return int(re.search(r'data-testid="count">([\d,]+)<', html).group(1).replace(",", ""))


def test_the_figures_page_shows_every_code_and_links_the_computed_ones(board, alice):  # noqa: F811
    response = client_for(alice).get(reverse("indicators:figures"))
    assert response.status_code == 200
    html = response.content.decode()
    start, end = this_year()
    figures = engine.compute(CITY[:4], start, end)
    for indicator in table_codes():
        assert reverse("indicators:records", args=[indicator.code]) in html, indicator.code
        assert engine.display(indicator, figures[indicator.code]) in html
    # A code whose records are not kept says so, and has no link.
    assert "not recorded yet" in html
    assert reverse("indicators:records", args=["plans.target_attainment"]) not in html
    assert 'data-code="plans.target_attainment" data-state="not_recorded"' in html


@pytest.mark.parametrize("region", [CITY, TOWNSHIP_A, TOWNSHIP_B])
def test_every_computed_figures_records_page_counts_the_figure(board, alice, region):  # noqa: F811
    start, end = this_year()
    prefix = region[:4] if region == CITY else region[:9]
    figures = engine.compute(prefix, start, end)
    client = client_for(alice)
    for indicator in table_codes():
        response = client.get(records_url(indicator.code, region))
        assert response.status_code == 200, indicator.code
        html = response.content.decode()
        figure = figures[indicator.code]
        expected = figure.numerator if indicator.parts else figure.value
        if MEASURES[indicator.measure].how in (MIN, MAX):
            # A month or a year: the page lists the records that hold it.
            expected = engine.records(indicator.code, prefix, start, end).count()
        if indicator.display == Display.WAN_YUAN:
            whole, cents = divmod(figure.value, 100)
            total = f"¥{whole:,}" if not cents else f"¥{whole:,}.{cents:02d}"
            assert f'data-testid="total">{total}<' in html, indicator.code
        else:
            assert shown_count(html) == expected, indicator.code
        assert CHILD not in html


def test_a_child_is_named_as_a_public_page_names_them(board, alice):  # noqa: F811
    html = client_for(alice).get(records_url("wishes.children")).content.decode()
    assert "王**" in html
    assert CHILD not in html and "小丫" not in html
    content = client_for(alice).get(
        reverse("indicators:records_export", args=["wishes.children"]) + f"?region={CITY}"
    )
    sheet = load_workbook(io.BytesIO(content.content)).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "王**" in cells
    assert not any("小丫" in text for text in cells)


def test_a_caring_person_is_named_as_a_public_page_names_them_and_staff_by_name(
    board,  # noqa: F811
    alice,
):
    donors = client_for(alice).get(records_url("platform.donors_registered")).content.decode()
    assert "D**" in donors  # Dora, a caring person: no region of the office's, no full name
    assert "Dora" not in donors and "dora" not in donors
    admins = client_for(alice).get(records_url("platform.admins")).content.decode()
    assert "Tina" in admins  # the township station's staff, by name


def test_the_records_export_lists_what_the_page_counts(board, alice):  # noqa: F811
    response = client_for(alice).get(
        reverse("indicators:records_export", args=["needs.goods.posted"]) + f"?region={CITY}"
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "Goods needs posted" in rows[0][0]
    assert sheet.freeze_panes == "A4"
    start, end = this_year()
    assert len(rows) - 3 == engine.compute(CITY[:4], start, end)["needs.goods.posted"].value


def test_a_records_page_pages_through_the_records(board, alice):  # noqa: F811
    response = client_for(alice).get(records_url("needs.goods.posted", page="99999999999999999999"))
    assert response.status_code == 200


def test_a_figure_whose_records_are_not_kept_says_so(board, alice):  # noqa: F811
    response = client_for(alice).get(records_url("plans.target_attainment"))
    assert response.status_code == 200
    assert b'data-testid="not-kept"' in response.content
    assert b'data-testid="records"' not in response.content


def test_the_statistical_table_adds_up_and_exports_in_the_offices_layout(board, alice):  # noqa: F811
    client = client_for(alice)
    page = client.get(reverse("indicators:table") + f"?region={CITY}")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-region="{TOWNSHIP_A}"' in html and 'data-region="total"' in html
    response = client.get(reverse("indicators:table_export") + f"?region={CITY}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("青禾市")  # the region's name and the period
    start, end = this_year()
    assert start.isoformat() in rows[0][0] and end.isoformat() in rows[0][0]
    assert sheet.freeze_panes == "B5"
    header = rows[2]
    indicators = table_codes()
    assert list(header[1:]) == [str(i.label) for i in indicators]
    townships, totals = rows[4:-1], rows[-1]
    assert [r[0] for r in townships] and len(townships) == 2
    assert totals[0] == "Total"
    for column, indicator in enumerate(indicators, start=1):
        if indicator.additive:
            assert sum(r[column] or 0 for r in townships) == pytest.approx(totals[column]), (
                indicator.code
            )
        if indicator.display == Display.WAN_YUAN:
            assert sheet.cell(row=len(rows), column=column + 1).number_format == "0.00"
            assert rows[3][column] == "万元"
    money = indicators.index(BY_CODE["wishes.raised_fen"]) + 1
    assert isinstance(totals[money], (int, float))
    households = indicators.index(BY_CODE["platform.households_registered"]) + 1
    assert rows[3][households] == "households"
    # In Chinese, the units row speaks Chinese too.
    chinese = client.get(
        reverse("indicators:table_export") + f"?region={CITY}", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    units = list(load_workbook(io.BytesIO(chinese.content)).active.iter_rows(values_only=True))[3]
    assert (units[households], units[money]) == ("户", "万元")


def test_the_table_by_village(board, alice):  # noqa: F811
    response = client_for(alice).get(
        reverse("indicators:table") + f"?region={TOWNSHIP_A}&level=village"
    )
    assert response.status_code == 200


def test_a_province_table_has_a_row_for_each_city(board):  # noqa: F811
    add_other_city()
    office = make_user("paula", Role.CITY_ADMIN, PROVINCE)
    response = client_for(office).get(reverse("indicators:table") + f"?region={PROVINCE}")
    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'<tr data-region="(\d+)">', html) == [CITY, OTHER_CITY]
    assert "level=city" in html  # the export has the same rows
    rows = list(
        load_workbook(
            io.BytesIO(
                client_for(office)
                .get(reverse("indicators:table_export") + f"?region={PROVINCE}")
                .content
            )
        ).active.iter_rows(values_only=True)
    )
    assert any("远山市" in row for row in rows)
    by_city = api_client_for(office).get(f"/api/v1/indicators/by?region={PROVINCE}&level=city")
    assert list(by_city.json()) == [CITY, OTHER_CITY]
    assert by_city.json()[CITY]["needs.goods.posted"]["value"] == 3
    unasked = api_client_for(office).get(f"/api/v1/indicators/by?region={PROVINCE}")
    assert unasked.json() == by_city.json()  # a province's rows are its cities
    out = io.StringIO()
    call_command("indicators", "--region", PROVINCE, "--by", "city", "--json", stdout=out)
    assert json.loads(out.getvalue()) == by_city.json()
    # A city's table keeps its townships unless asked.
    city = client_for(office).get(reverse("indicators:table") + f"?region={CITY}").content.decode()
    assert re.findall(r'<tr data-region="(\d+)">', city) == [TOWNSHIP_A, TOWNSHIP_B]


def test_a_formula_in_a_region_name_stays_text(board, alice):  # noqa: F811
    from tongxing.regions.models import Region

    Region.objects.filter(code=TOWNSHIP_A).update(name="=HYPERLINK(1)")
    response = client_for(alice).get(reverse("indicators:table_export") + f"?region={CITY}")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == "=HYPERLINK(1)")
    assert cell.data_type == "s"


# --- Scope and bad input ---------------------------------------------------------------------


def test_another_townships_admin_gets_404(board, tom):  # noqa: F811
    client = client_for(tom)
    assert client.get(records_url("needs.goods.posted", TOWNSHIP_A)).status_code == 404
    assert client.get(reverse("indicators:figures") + f"?region={TOWNSHIP_A}").status_code == 404
    assert client.get(reverse("indicators:table") + f"?region={CITY}").status_code == 404
    assert client.get(records_url("needs.goods.posted", TOWNSHIP_B)).status_code == 200


def test_a_donor_is_refused_and_a_visitor_sent_to_sign_in(board, dora):  # noqa: F811
    assert client_for(dora).get(reverse("indicators:figures")).status_code == 403
    assert client_for(dora).get(records_url("needs.goods.posted")).status_code == 403
    response = client_for(None).get(records_url("needs.goods.posted"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_an_unknown_code_is_404(board, alice):  # noqa: F811
    assert client_for(alice).get(records_url("no.such.code")).status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("year=abc", "year"),
        ("year=1999", "year"),
        ("from=2024-13-01", "from"),
        ("to=2999-01-01", "to"),
        ("year=2024&from=2024-01-01", "year"),
        ("region=12", "region"),
    ],
)
def test_a_bad_period_is_a_400_naming_the_field(board, alice, query, field):  # noqa: F811
    client = client_for(alice)
    for url in (
        reverse("indicators:figures"),
        reverse("indicators:records", args=["needs.goods.posted"]),
        reverse("indicators:table"),
        reverse("indicators:records_export", args=["needs.goods.posted"]),
    ):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400, (url, query)
        assert response.context["form"].errors[field], (url, query)


# --- API -------------------------------------------------------------------------------------


def test_the_api_pages_the_records_and_counts_the_figure(board, alice):  # noqa: F811
    client = api_client_for(alice)
    response = client.get(f"/api/v1/indicators/wishes.children/records?region={CITY}")
    assert response.status_code == 200, response.content
    body = response.json()
    start, end = this_year()
    assert body["count"] == engine.compute(CITY[:4], start, end)["wishes.children"].value
    assert body["items"][0]["values"]["name"] == "王**"
    assert client.get("/api/v1/indicators/plans.target_attainment/records").status_code == 404
    assert client.get("/api/v1/indicators/no.such/records").status_code == 404
    assert client.get("/api/v1/indicators/needs.goods.posted/records?year=1999").status_code in (
        400,
        422,
    )


def test_the_api_gives_the_figures_by_township(board, alice, tom):  # noqa: F811
    response = api_client_for(alice).get(f"/api/v1/indicators/by?region={CITY}&level=township")
    assert response.status_code == 200
    start, end = this_year()
    assert response.json()[TOWNSHIP_B] == engine.as_json(engine.compute(TOWNSHIP_B[:9], start, end))
    assert api_client_for(tom).get(f"/api/v1/indicators/by?region={CITY}").status_code == 404
    refused = api_client_for(tom).get(f"/api/v1/indicators/wishes.children/records?region={CITY}")
    assert refused.status_code == 404


def test_unit_text_of_a_rate_is_percent():
    assert exports.unit_text(BY_CODE["needs.goods.match_rate"]) == "%"
