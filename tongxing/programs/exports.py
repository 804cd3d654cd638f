"""The programme page as an .xlsx file: its targets with their helpers, and the money
pledged and disbursed per township and per helper (no personal data in it)."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from tongxing.tabular import sheet_row


def _yuan(fen: int) -> float:
    return round(fen / 100, 2)


def export_programme(context: dict) -> bytes:
    """Return the workbook of a programme's page, as its reader sees it."""
    programme = context["programme"]
    workbook = Workbook(write_only=True)
    targets = workbook.create_sheet(_("Targets"))
    targets.append(sheet_row(targets, [programme.name, context["today"].isoformat()]))
    targets.append(sheet_row(targets, [_("Target"), _("Region code"), _("Helpers")]))
    for row in context["rows"]:
        helpers = "、".join(p.helper.name for p in row["pairings"]) or _("none")
        targets.append(sheet_row(targets, [str(row["target"]), row["target"].region_id, helpers]))
    for title, rows in (
        (_("By township"), context["money_by_township"]),
        (_("By helper"), context["money_by_helper"]),
    ):
        sheet = workbook.create_sheet(title)
        sheet.append(sheet_row(sheet, [title, _("Pledged (¥)"), _("Disbursed (¥)"), _("Gap (¥)")]))
        for name, money in rows:
            values = [name, _yuan(money.pledged_fen), _yuan(money.disbursed_fen)]
            sheet.append(sheet_row(sheet, [*values, _yuan(money.gap_fen)]))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
