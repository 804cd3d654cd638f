"""The indicators as .xlsx: the records behind a figure, and the statistical table in the
offices' usual layout (a title row, the date it was made, a frozen header, the units, one
row per township or village and the totals).

Every text cell goes through `tabular.sheet_row`/`sheet_cell`, so a name beginning with "="
stays a name; numbers stay numbers (money in 万元 or 亿元 with two decimals as the report
shows it, but as a number with a number format, not as text).
"""

import datetime
import io
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from tongxing.indicators import engine
from tongxing.indicators.catalogue import UNIT_LABELS, Display, Indicator
from tongxing.indicators.selectors import Records, StatisticalTable
from tongxing.regions.models import Region
from tongxing.tabular import sheet_cell, sheet_row

TWO_DECIMALS = "0.00"
# Rows of the table above its data: title, date of making, header, units.
HEAD_ROWS = 4
UNIT_TEXT = {
    Display.WAN_YUAN: "万元",
    Display.YI_YUAN: "亿元",
    Display.PERCENT: "%",
}


def period_text(period: engine.Period) -> str:
    return f"{period.start.isoformat()} – {period.end.isoformat()}"


def unit_text(indicator: Indicator) -> str:
    """The unit a column's numbers are in: 万元, 亿元, %, or the catalogue's unit in the
    language of the table (人, 户, 件 …)."""
    if indicator.display in UNIT_TEXT:
        return UNIT_TEXT[indicator.display]
    return str(UNIT_LABELS.get(indicator.unit, ""))


def number(indicator: Indicator, figure: engine.Figure):
    """The figure as a number cell's value: 万元/亿元 and % rounded to two decimals; None
    where there is none (a rate of nothing, a code not recorded)."""
    value = figure.value
    if figure.state == engine.NOT_RECORDED or value is None:
        return None
    if indicator.display == Display.WAN_YUAN:
        return engine.round_half_up(Decimal(value) / engine.FEN_PER_WAN_YUAN)
    if indicator.display == Display.YI_YUAN:
        return engine.round_half_up(Decimal(value) / engine.FEN_PER_YI_YUAN)
    if indicator.display == Display.PERCENT:
        return engine.round_half_up(Decimal(str(value)))
    return value


def _workbook():
    from openpyxl import Workbook

    return Workbook(write_only=True)


def _saved(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _made_on() -> str:
    return _("Made on %(day)s") % {"day": timezone.localdate().isoformat()}


def _numeric(sheet, value, number_format: str | None = None):
    cell = sheet_cell(sheet, value)
    if number_format and value is not None:
        cell.number_format = number_format
    return cell


def table_xlsx(table: StatisticalTable) -> bytes:
    from openpyxl.styles import Font

    book = _workbook()
    sheet = book.create_sheet(str(_("Indicators")))
    sheet.freeze_panes = f"B{HEAD_ROWS + 1}"
    bold = Font(bold=True)
    title = f"{table.region.name} {period_text(table.period)}"
    sheet.append([sheet_cell(sheet, title, font=bold)])
    sheet.append(sheet_row(sheet, [_made_on()]))
    sheet.append(
        [sheet_cell(sheet, str(Region._meta.verbose_name), font=bold)]
        + [sheet_cell(sheet, str(i.label), font=bold) for i in table.indicators]
    )
    sheet.append(sheet_row(sheet, [""] + [unit_text(i) for i in table.indicators]))

    def line(name: str, figures: dict[str, engine.Figure], font=None) -> list:
        cells = [sheet_cell(sheet, name, font=font)]
        for indicator in table.indicators:
            value = number(indicator, figures[indicator.code])
            form = TWO_DECIMALS if isinstance(value, Decimal) else None
            cells.append(_numeric(sheet, value, form))
        return cells

    for region, figures in table.rows:
        sheet.append(line(region.name, figures))
    sheet.append(line(str(_("Total")), table.totals, bold))
    return _saved(book)


def records_xlsx(records: Records, region: Region, period: engine.Period) -> bytes:
    """The records behind a figure: a title row (figure, region, period), the date it was
    made, the header (frozen), one row per record; money in yuan as numbers."""
    book = _workbook()
    sheet = book.create_sheet(str(_("Records")))
    sheet.freeze_panes = "A4"
    title = f"{records.indicator.label} · {region.name} {period_text(period)}"
    sheet.append(sheet_row(sheet, [title]))
    sheet.append(sheet_row(sheet, [_made_on()]))
    sheet.append(sheet_row(sheet, [str(c.heading) for c in records.columns]))
    for item in records.records.iterator(chunk_size=2000):
        cells = []
        for column in records.columns:
            value = column.cell(item)
            if isinstance(value, datetime.date):
                value = value.isoformat()
            cells.append(_numeric(sheet, value, TWO_DECIMALS if column.money else None))
        sheet.append(cells)
    return _saved(book)


def export_name(stem: str, region: Region, period: engine.Period) -> str:
    return f"{stem}-{region.code}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"
