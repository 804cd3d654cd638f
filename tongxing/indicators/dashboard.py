"""The dashboard: a staff member's region in figures and charts, for a period, every figure
leading to the records it counts; and the city's headline figures for the public home page.

A chart is data (`chart(...)`): its categories and series, each value with the address of
its records. The page draws it twice: as a table (the way to read it, with JavaScript off
too) and, from the same data passed through `json_script`, as a chart (charts.js).
"""

from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from tongxing.access import REGION_SCOPED_ROLES, allow
from tongxing.indicators import engine, series
from tongxing.indicators.catalogue import BY_CODE
from tongxing.indicators.forms import PeriodForm
from tongxing.indicators.selectors import records_url
from tongxing.needs.models import Kind
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
    """The level of the areas a region's figures are shown by: its townships, or a
    township's villages; none beneath a village."""
    if region.level < Level.TOWNSHIP:
        return Level.TOWNSHIP
    if region.level == Level.TOWNSHIP:
        return Level.VILLAGE
    return None


def area_charts(region: Region, start, end) -> list[dict]:
    """The match and confirmation rates by township (or by village, for a township)."""
    level = area_level(region)
    if level is None:
        return []
    by_area = engine.compute_by(region.prefix, start, end, level)
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
    heading = _("Township") if level == Level.TOWNSHIP else _("Village")
    return [chart("rates", _("Rates by area"), heading, categories, lines, percent=True)]


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
