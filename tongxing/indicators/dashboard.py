"""The dashboard: a staff member's region in figures and charts, for a period, every figure
leading to the records it counts; and the city's headline figures for the public home page.

A chart is data (`chart(...)`): its categories and series, each value with the address of
its records. The page draws it twice: as a table (the way to read it, with JavaScript off
too) and, from the same data passed through `json_script`, as a chart (charts.js).
"""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from tongxing.access import REGION_SCOPED_ROLES, allow
from tongxing.indicators import engine, series
from tongxing.indicators.catalogue import BY_CODE, Unit
from tongxing.indicators.forms import PeriodForm
from tongxing.indicators.selectors import records_url
from tongxing.needs.models import Kind
from tongxing.programs.models import Kind as ProgrammeKind
from tongxing.programs.selectors import money_by_helper
from tongxing.regions.codes import Level, full_code
from tongxing.regions.models import Region
from tongxing.regions.selectors import access_region_by_code

# The figures the dashboard and the home page lead with, in this order: the honest
# companion of each flattering one beside it (posted, then matched and confirmed).
HEADLINE = (
    "needs.goods.posted",
    "needs.goods.matched",
    "needs.funds.posted",
    "needs.funds.matched",
    "needs.delivered_rate",
    "platform.donors_registered",
    "platform.donors_gave",
    "wishes.fulfilled_children",
)
# A month's bars, by kind of need: the flow whose records the step's bar leads to (what
# happened within the month, as the bar counts it).
NEED_CODES = {
    kind: {step: f"needs.{kind}.{step}_within" for step in ("posted", "matched", "confirmed")}
    for kind in (Kind.GOODS, Kind.FUNDS)
}
NEED_CHART_TITLES = {Kind.GOODS: _("Goods needs"), Kind.FUNDS: _("Funding needs")}
STEP_LABELS = {"posted": _("posted"), "matched": _("matched"), "confirmed": _("confirmed")}
RATES_BY_AREA = ("needs.goods.match_rate", "needs.funds.match_rate", "needs.delivered_rate")
# The other domains' figures by area (each a chart: its name, title, codes, and whether
# its values are rates), and the sales of the month by channel.
BY_AREA = (
    (
        "pairing-money",
        _("Pairing money by area (10,000 yuan)"),
        ("pairing.pledged_fen", "pairing.disbursed_fen"),
    ),
    (
        "visit-coverage",
        _("Poor households visited by their township secretary"),
        ("visits.township_secretary.household_rate",),
    ),
    (
        "trainings",
        _("E-commerce trainings and attendance by area"),
        ("ecommerce.trainings.count", "ecommerce.trainings.poor_attendances"),
    ),
)
SALES_BY_MONTH = (
    "consumption.sales.online_fen",
    "consumption.sales.offline_fen",
    "consumption.procurement_fen",
)
FEN_PER_WAN_YUAN = 1_000_000


@allow(REGION_SCOPED_ROLES)
def dashboard(request):
    user = request.user
    region = access_region_by_code(user, request.GET.get("region") or user.region_id)
    today = timezone.localdate()
    form = PeriodForm(request.GET)
    period = form.period or engine.period_of(today=today)
    start, end = period.start, period.end
    figures = engine.compute(region.prefix, start, end)
    context = {
        "region": region,
        "form": form,
        "period": period,
        "headline": headline(figures, region.code, start, end),
        "charts": [
            *need_charts(region, start, end),
            *area_charts(region, start, end),
            donor_chart(region, start, end),
            wish_chart(region, start, end),
            *domain_area_charts(region, start, end),
            helper_money_chart(region, start, end),
            sales_chart(region, start, end),
        ],
    }
    return render(request, "indicators/dashboard.html", context)


def headline(figures: dict, region_code: str | None, start, end) -> list[dict]:
    """The headline figures as shown, each with its records' address (None: no links, as
    on the public home page)."""
    out = []
    for code in HEADLINE:
        indicator = BY_CODE[code]
        out.append(
            {
                "code": code,
                "label": indicator.label,
                "display": engine.display(indicator, figures[code]),
                "url": records_url(code, region_code, start, end) if region_code else None,
            }
        )
    return out


def chart(
    name: str,
    title,
    heading,
    categories: list[str],
    lines: list[dict],
    *,
    percent: bool = False,
    shape: str = "bar",
) -> dict:
    """A chart as data: `lines` are its series, {"name", "values", "urls"} (one value and
    one address, or None, per category)."""
    return {
        "id": f"chart-{name}",
        "data_id": f"chart-{name}-data",
        "title": str(title),
        "heading": str(heading),
        "categories": categories,
        "series": [
            {"name": str(line["name"]), "values": line["values"], "urls": line["urls"]}
            for line in lines
        ],
        "percent": percent,
        "shape": shape,
        # The table reads the same data by row.
        "rows": [
            {
                "category": category,
                "cells": [{"value": line["values"][i], "url": line["urls"][i]} for line in lines],
            }
            for i, category in enumerate(categories)
        ],
    }


def month_label(month: series.Month) -> str:
    return date_format(month.first, "YEAR_MONTH_FORMAT")


def need_charts(region: Region, start, end, *, linked: bool = True) -> list[dict]:
    by_kind = series.need_months(region.prefix, start, end)
    charts = []
    for kind, rows in by_kind.items():
        lines = [
            {
                "name": STEP_LABELS[step],
                "values": [row[step] for row in rows],
                "urls": [
                    records_url(
                        NEED_CODES[kind][step], region.code, row["month"].start, row["month"].end
                    )
                    if linked
                    else None
                    for row in rows
                ],
            }
            for step in series.NEED_STEPS
        ]
        categories = [month_label(row["month"]) for row in rows]
        charts.append(
            chart(f"needs-{kind}", NEED_CHART_TITLES[kind], _("Month"), categories, lines)
        )
    return charts


def area_level(region: Region) -> Level | None:
    """The level of the areas a region's figures are shown by: a province's cities, a city's
    (or county's) townships, a township's villages; none beneath a village."""
    if region.level == Level.PROVINCE:
        return Level.CITY
    if region.level < Level.TOWNSHIP:
        return Level.TOWNSHIP
    if region.level == Level.TOWNSHIP:
        return Level.VILLAGE
    return None


def area_heading(level: Level) -> str:
    return {Level.CITY: _("City"), Level.TOWNSHIP: _("Township")}.get(level, _("Village"))


def area_charts(region: Region, start, end) -> list[dict]:
    """The match and confirmation rates by township (or by village, for a township)."""
    level = area_level(region)
    if level is None:
        return []
    by_area = engine.compute_by(region.prefix, start, end, level, codes=RATES_BY_AREA)
    codes = sorted(by_area)
    names = Region.objects.in_bulk([full_code(code) for code in codes])
    categories = [
        names[full_code(code)].name if full_code(code) in names else code for code in codes
    ]
    lines = []
    for rate in RATES_BY_AREA:
        values = [by_area[code][rate].value for code in codes]
        lines.append(
            {
                "name": BY_CODE[rate].label,
                "values": values,
                "urls": [records_url(rate, full_code(code), start, end) for code in codes],
            }
        )
    heading = area_heading(level)
    return [chart("rates", _("Rates by area"), heading, categories, lines, percent=True)]


def chart_value(code: str, figure: engine.Figure):
    """A figure as a chart plots it: money in 万元 (two decimals), the rest as it is."""
    if figure.value is None or BY_CODE[code].unit != Unit.FEN:
        return figure.value
    return round(figure.value / FEN_PER_WAN_YUAN, 2)


def domain_area_charts(region: Region, start, end) -> list[dict]:
    """Pairing money, visit coverage and trainings by township (or village): one grouped
    pass per table for all of them."""
    level = area_level(region)
    if level is None:
        return []
    codes = [code for _name, _title, chart_codes in BY_AREA for code in chart_codes]
    by_area = engine.compute_by(region.prefix, start, end, level, codes=codes)
    units = sorted(by_area)
    names = Region.objects.in_bulk([full_code(unit) for unit in units])
    categories = [
        names[full_code(unit)].name if full_code(unit) in names else unit for unit in units
    ]
    heading = area_heading(level)
    charts = []
    for name, title, chart_codes in BY_AREA:
        lines = [
            {
                "name": BY_CODE[code].label,
                "values": [chart_value(code, by_area[unit][code]) for unit in units],
                "urls": [records_url(code, full_code(unit), start, end) for unit in units],
            }
            for code in chart_codes
        ]
        percent = BY_CODE[chart_codes[0]].unit == Unit.PERCENT
        charts.append(chart(name, title, heading, categories, lines, percent=percent))
    return charts


def helper_money_chart(region: Region, start, end) -> dict:
    """Enterprise–village pairing money by helper (万元), the helpers that pledged most;
    each bar leads to its programme's page, which lists every helper's pledges and
    disbursements."""
    rows = money_by_helper(region.prefix, ProgrammeKind.ENTERPRISE_VILLAGE, end)
    urls = [reverse("programs:programme", args=[row.programme_id]) for row in rows]
    lines = [
        {
            "name": BY_CODE[code].label,
            "values": [round(getattr(row, field) / FEN_PER_WAN_YUAN, 2) for row in rows],
            "urls": urls,
        }
        for code, field in (
            ("pairing.pledged_fen", "pledged_fen"),
            ("pairing.disbursed_fen", "disbursed_fen"),
        )
    ]
    categories = [row.helper for row in rows]
    return chart(
        "helper-money", _("Pairing money by helper (10,000 yuan)"), _("Helper"), categories, lines
    )


def sales_chart(region: Region, start, end) -> dict:
    """Assistance sales of each month by channel (万元), each bar the month's figure."""
    months = series.months_of(start, end)
    figures = [
        engine.compute(region.prefix, month.start, month.end, codes=SALES_BY_MONTH)
        for month in months
    ]
    lines = [
        {
            "name": BY_CODE[code].label,
            "values": [chart_value(code, month_figures[code]) for month_figures in figures],
            "urls": [records_url(code, region.code, m.start, m.end) for m in months],
        }
        for code in SALES_BY_MONTH
    ]
    categories = [month_label(month) for month in months]
    return chart(
        "sales", _("Assistance sales by month (10,000 yuan)"), _("Month"), categories, lines
    )


def donor_chart(region: Region, start, end, *, linked: bool = True) -> dict:
    rows = series.donor_months(start, end)
    code = "platform.donors_joined"
    line = {
        "name": _("Caring people signing up"),
        "values": [row["donors"] for row in rows],
        "urls": [
            records_url(code, region.code, row["month"].start, row["month"].end) if linked else None
            for row in rows
        ],
    }
    categories = [month_label(row["month"]) for row in rows]
    return chart("donors", line["name"], _("Month"), categories, [line], shape="line")


def wish_chart(region: Region, start, end, *, linked: bool = True) -> dict:
    rows = series.wish_months(region.prefix, start, end)
    code = "wishes.fulfilled_children"
    line = {
        "name": BY_CODE[code].label,
        "values": [row["children"] for row in rows],
        "urls": [
            records_url(code, region.code, row["month"].start, row["month"].end) if linked else None
            for row in rows
        ],
    }
    categories = [month_label(row["month"]) for row in rows]
    return chart("wishes", line["name"], _("Month"), categories, [line])


def public_headline(region: Region | None) -> dict:
    """The city's headline figures for the public home page, this year to today: counts and
    rates only, no links (the records are staff's), no personal data."""
    if region is None:
        return {}
    today = timezone.localdate()
    period = engine.period_of(today=today)
    figures = engine.compute(region.prefix, period.start, period.end)
    return {
        "period": period,
        "figures": headline(figures, None, period.start, period.end),
        "charts": need_charts(region, period.start, period.end, linked=False),
    }
