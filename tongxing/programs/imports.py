"""The spreadsheets offices keep of their pairings and disbursements, read row by row.

The header is found below any title rows by the aliases of `PAIRING_COLUMNS` and
`DISBURSEMENT_COLUMNS` (`tabular.read_table`, which also holds the file to the size and
row limits before a row is read). A target is named by its region code or by the name of
a village of the programme's region; a helper by its unified social credit code or its
exact name in the directory the importer sees. Every fault is named by row and column; the
import itself (`actions.import_pairings`, `actions.import_disbursements`) is all or nothing.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.http import Http404
from django.utils.translation import gettext as _

from tongxing.accounts.models import User
from tongxing.programs import selectors
from tongxing.programs.models import DisbursementKind, Programme
from tongxing.queries import prefix_q
from tongxing.regions.codes import Level
from tongxing.regions.models import Region
from tongxing.registry.models import Organisation
from tongxing.registry.selectors import organisations_visible_to
from tongxing.tabular import RowError, parse_date, read_table

PAIRING_COLUMNS = {
    "target": ("结对对象", "帮扶村", "结对村", "村", "target"),
    "target_code": ("区划代码", "村代码", "target code"),
    "helper": ("帮扶单位", "帮扶企业", "企业名称", "单位名称", "helper"),
    "credit_code": ("统一社会信用代码", "信用代码", "credit code"),
    "since": ("结对时间", "结对日期", "开始日期", "since"),
}
DISBURSEMENT_COLUMNS = {
    **{k: v for k, v in PAIRING_COLUMNS.items() if k != "since"},
    "kind": ("类型", "落实类型", "kind"),
    "amount": ("金额（元）", "金额(元)", "金额", "价值（元）", "amount"),
    "description": ("物资说明", "说明", "description"),
    "disbursed_on": ("落实日期", "日期", "date"),
    "excess_reason": ("超出意向原因", "原因", "excess reason"),
}
KIND_WORDS = {
    "资金": DisbursementKind.FUNDS,
    "funds": DisbursementKind.FUNDS,
    "物资": DisbursementKind.MATERIALS,
    "materials": DisbursementKind.MATERIALS,
}
MAX_YUAN = Decimal("100000000")


@dataclass
class PairingRow:
    number: int
    target: Region
    helper: Organisation
    since: datetime.date


@dataclass
class DisbursementRow:
    number: int
    target: Region
    helper: Organisation
    kind: str
    amount_fen: int
    description: str
    disbursed_on: datetime.date
    excess_reason: str


@dataclass
class Parsed:
    rows: list = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


class _Finder:
    """Targets and helpers as the importer may name them, looked up once per name."""

    def __init__(self, programme: Programme, by: User):
        self.programme = programme
        self.by = by
        self.villages: dict[str, list[Region]] = {}
        for village in Region.objects.filter(
            prefix_q("code", programme.region.prefix), level=Level.VILLAGE
        ).only("code", "name"):
            self.villages.setdefault(village.name, []).append(village)
        self.organisations = organisations_visible_to(by)

    def target(self, values: dict, errors: list, number: int) -> Region | None:
        code, name = values.get("target_code", ""), values.get("target", "")
        if code:
            try:
                return selectors.target_region(self.by, self.programme, code)
            except Http404:  # never say whether the code exists elsewhere
                errors.append(RowError(number, "target_code", _("No such region of yours.")))
                return None
        found = self.villages.get(name, [])
        if len(found) == 1:
            return found[0]
        message = (
            _("Give the region code: several villages have this name.")
            if found
            else _("No village of this name in the programme's region.")
        )
        errors.append(RowError(number, "target", message))
        return None

    def helper(self, values: dict, errors: list, number: int) -> Organisation | None:
        code, name = values.get("credit_code", ""), values.get("helper", "")
        found = list(
            self.organisations.filter(credit_code=code)[:2]
            if code
            else self.organisations.filter(name=name)[:2]
        )
        if len(found) == 1:
            return found[0]
        column = "credit_code" if code else "helper"
        message = (
            _("Several organisations have this name: give the credit code.")
            if found
            else _("No organisation of your directory matches.")
        )
        errors.append(RowError(number, column, message))
        return None


def _date(values: dict, column: str, errors: list, number: int) -> datetime.date | None:
    day = parse_date(values.get(column, ""))
    if day is None:
        errors.append(RowError(number, column, _("Give a date, such as 2026-03-01.")))
    return day


def parse_pairings(rows, *, programme: Programme, by: User) -> Parsed:
    finder = _Finder(programme, by)
    parsed = Parsed()
    for number, values in rows:
        errors: list[RowError] = []
        target = finder.target(values, errors, number)
        helper = finder.helper(values, errors, number)
        since = _date(values, "since", errors, number)
        parsed.errors.extend(errors)
        if not errors:
            parsed.rows.append(PairingRow(number, target, helper, since))
    return parsed


def _amount_fen(values: dict, errors: list, number: int) -> int | None:
    text = values.get("amount", "").replace(",", "").replace("¥", "").replace("元", "")
    try:
        yuan = Decimal(text)
    except InvalidOperation:
        yuan = None
    if yuan is None or not yuan.is_finite() or yuan <= 0 or yuan > MAX_YUAN:
        errors.append(RowError(number, "amount", _("Give an amount in yuan above zero.")))
        return None
    if yuan != yuan.quantize(Decimal("0.01")):
        errors.append(RowError(number, "amount", _("Give the amount to the fen at most.")))
        return None
    return int(yuan * 100)


def parse_disbursements(rows, *, programme: Programme, by: User) -> Parsed:
    finder = _Finder(programme, by)
    parsed = Parsed()
    for number, values in rows:
        errors: list[RowError] = []
        target = finder.target(values, errors, number)
        helper = finder.helper(values, errors, number)
        kind = KIND_WORDS.get(values.get("kind", "").lower())
        if kind is None:
            errors.append(RowError(number, "kind", _("Write 资金 (funds) or 物资 (materials).")))
        amount = _amount_fen(values, errors, number)
        day = _date(values, "disbursed_on", errors, number)
        parsed.errors.extend(errors)
        if not errors:
            parsed.rows.append(
                DisbursementRow(
                    number,
                    target,
                    helper,
                    kind,
                    amount,
                    values.get("description", ""),
                    day,
                    values.get("excess_reason", ""),
                )
            )
    return parsed


def read_pairings(upload, *, programme: Programme, by: User) -> Parsed:
    """Read an uploaded pairing sheet (TableError for a file refused as a whole)."""
    table = read_table(upload, aliases=PAIRING_COLUMNS, required=("since",), filename=upload.name)
    return parse_pairings(table.rows, programme=programme, by=by)


def read_disbursements(upload, *, programme: Programme, by: User) -> Parsed:
    table = read_table(
        upload,
        aliases=DISBURSEMENT_COLUMNS,
        required=("amount", "disbursed_on"),
        filename=upload.name,
    )
    return parse_disbursements(table.rows, programme=programme, by=by)
