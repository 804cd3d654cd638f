"""The indicators' pages: the catalogue of a region and period (`figures`), the records
behind one figure (`records`, and its .xlsx), and the statistical table of a region's
townships or villages (`table`, and its .xlsx).

Every page is open to the region-scoped roles and cut to the caller's scope: a region
outside it is a 404, as an unknown code is. A period that cannot be read is a 400 page
whose form names the field at fault; nothing is computed then.
"""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from tongxing.access import REGION_SCOPED_ROLES, allow
from tongxing.indicators import engine, exports, selectors
from tongxing.indicators.catalogue import INDICATORS
from tongxing.indicators.forms import LEVELS, TableForm, default_level
from tongxing.needs.amounts import yuan
from tongxing.paging import page_of
from tongxing.regions.codes import Level
from tongxing.regions.selectors import regions_visible_to
from tongxing.tabular import xlsx_response

PAGE_SIZE = 50
SECTIONS = {
    1: _("Publicity and policy"),
    2: _("Enterprise–village pairing"),
    3: _("Exemplars and campaigns"),
    4: _("Visits and micro-wishes"),
    5: _("Regional cooperation and designated assistance"),
    6: _("Internet-plus platform"),
    7: _("E-commerce assistance"),
    8: _("Consumption assistance"),
    9: _("Health assistance"),
    10: _("Beyond the report"),
}


def _asked(request):
    """(form, region, period); region and period are None when the form is refused, and a
    region outside the caller's scope is a 404."""
    form = TableForm(request.GET)
    if form.period is None:
        return form, None, None
    region = selectors.region_asked(request.user, form.cleaned_data["region"])
    return form, region, form.period


def _query(region, period: engine.Period, **more) -> str:
    return urlencode(
        {"region": region.code, "from": period.start.isoformat(), "to": period.end.isoformat()}
        | more
    )


def _regions_to_choose(user, region):
    """The regions of the caller's scope down to the townships, and the one shown."""
    choices = list(regions_visible_to(user).filter(level__lte=Level.TOWNSHIP).order_by("code"))
    if region is not None and region not in choices:
        choices.append(region)
    return choices


def _refused(request, template: str, form, **context):
    context |= {"form": form, "regions": _regions_to_choose(request.user, None)}
    return render(request, template, context, status=400)


@allow(REGION_SCOPED_ROLES)
def figures(request):
    form, region, period = _asked(request)
    if region is None:
        return _refused(request, "indicators/figures.html", form)
    values = engine.compute(region.prefix, period.start, period.end)
    query = _query(region, period)
    sections = {}
    for indicator in INDICATORS:
        figure = values[indicator.code]
        link = None
        if indicator.recorded and indicator.of_period is None:
            link = reverse("indicators:records", args=[indicator.code]) + "?" + query
        sections.setdefault(indicator.section, []).append(
            {
                "indicator": indicator,
                "text": engine.display(indicator, figure),
                "recorded": figure.state == engine.COMPUTED,
                "link": link,
            }
        )
    context = {
        "form": form,
        "region": region,
        "period": period,
        "regions": _regions_to_choose(request.user, region),
        "sections": [(SECTIONS[n], items) for n, items in sorted(sections.items())],
        "table_url": reverse("indicators:table") + "?" + query,
        "approvals_url": reverse("indicators:approvals") + "?" + _query(region, period),
    }
    return render(request, "indicators/figures.html", context)


def _indicator(code: str):
    indicator = selectors.indicator_asked(code)
    if indicator is None:
        raise Http404
    return indicator


@allow(REGION_SCOPED_ROLES)
def records(request, code: str):
    indicator = _indicator(code)
    form, region, period = _asked(request)
    if region is None:
        return _refused(request, "indicators/records.html", form, indicator=indicator)
    context = {"form": form, "indicator": indicator, "region": region, "period": period}
    try:
        found = selectors.records_of(indicator, region, period)
    except engine.NotRecorded:
        return render(request, "indicators/records.html", context | {"not_kept": True})
    figure = selectors.figure_shown(indicator, region, period)
    page = page_of(request, found.records, PAGE_SIZE)
    context |= {
        "regions": _regions_to_choose(request.user, region),
        "found": found,
        "page": page,
        "rows": selectors.rows_of(found, page.object_list),
        "figure_text": engine.display(indicator, figure),
        "total": None if found.total_fen is None else yuan(found.total_fen),
        "export_url": reverse("indicators:records_export", args=[code])
        + "?"
        + _query(region, period),
        "figures_url": reverse("indicators:figures") + "?" + _query(region, period),
    }
    return render(request, "indicators/records.html", context)


@allow(REGION_SCOPED_ROLES)
def records_export(request, code: str):
    indicator = _indicator(code)
    form, region, period = _asked(request)
    if region is None:
        return _refused(request, "indicators/records.html", form, indicator=indicator)
    try:
        found = selectors.records_of(indicator, region, period)
    except engine.NotRecorded:
        raise Http404 from None
    content = exports.records_xlsx(found, region, period)
    return xlsx_response(content, exports.export_name(code, region, period))


def _level(form, region) -> str:
    return form.cleaned_data.get("level") or default_level(region)


@allow(REGION_SCOPED_ROLES)
def table(request):
    form, region, period = _asked(request)
    if region is None:
        return _refused(request, "indicators/table.html", form)
    level = _level(form, region)
    found = selectors.statistical_table(region, period, LEVELS[level])
    rows = [
        (row_region, [(i.label, engine.display(i, figures[i.code])) for i in found.indicators])
        for row_region, figures in found.rows
    ]
    headings = []
    for indicator in found.indicators:
        if headings and headings[-1][0] == SECTIONS[indicator.section]:
            headings[-1][1] += 1
        else:
            headings.append([SECTIONS[indicator.section], 1])
    context = {
        "form": form,
        "region": region,
        "period": period,
        "regions": _regions_to_choose(request.user, region),
        "table": found,
        "sections": headings,
        "rows": rows,
        "totals": [(i.label, engine.display(i, found.totals[i.code])) for i in found.indicators],
        "units": [exports.unit_text(i) for i in found.indicators],
        "export_url": reverse("indicators:table_export")
        + "?"
        + _query(region, period, level=level),
        "figures_url": reverse("indicators:figures") + "?" + _query(region, period),
    }
    return render(request, "indicators/table.html", context)


@allow(REGION_SCOPED_ROLES)
def table_export(request):
    form, region, period = _asked(request)
    if region is None:
        return _refused(request, "indicators/table.html", form)
    found = selectors.statistical_table(region, period, LEVELS[_level(form, region)])
    content = exports.table_xlsx(found)
    return xlsx_response(content, exports.export_name("indicators", region, period))
