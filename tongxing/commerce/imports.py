"""Importing sales from the spreadsheets platforms and enterprises send the offices.

One row per sale (or per day's sales of a seller on a channel): date, seller (its name, a
household supplier's registry number, or its unified social credit code), channel, amount
in yuan (up to two decimals), and optionally orders, quantity, a buyer (a budget unit, for
the procurement platform), the fair (its number or exact title: required for the fair
channels) and an order number. The header is found below any title rows
by the aliases of `COLUMN_ALIASES`, in Chinese or English.

Every row is checked first, and every fault named by row and column; with any bad row
nothing is imported. Each row has an identity (`Sale.row_key`): its order number where the
file gives one, else a hash of its cells and of how many identical rows came before it in
the file, so that importing the same file again adds nothing while two equal sales of one
file both count.
"""

import datetime
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tongxing.accounts.models import User
from tongxing.commerce import actions, rights, selectors
from tongxing.commerce.models import BUDGET_UNIT_KINDS, Channel, Sale, Source, Supplier
from tongxing.events.models import Event
from tongxing.registry.models import Organisation
from tongxing.tabular import RowError, Table, TableError, parse_date, read_table

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "sold_on": ("销售日期", "日期", "交易日期", "下单日期", "date", "sale date"),
    "seller": ("销售主体", "供应商", "企业名称", "销售单位", "商家", "seller", "supplier"),
    "credit_code": (
        "统一社会信用代码",
        "信用代码",
        "credit code",
        "unified social credit code",
    ),
    "channel": ("销售渠道", "渠道", "channel"),
    "amount": ("销售金额(元)", "销售金额", "金额(元)", "金额", "amount (yuan)", "amount"),
    "orders": ("订单数", "订单数量", "单数", "orders"),
    "quantity": ("销售数量", "数量", "销量", "quantity"),
    "buyer": ("采购单位", "预算单位", "buyer", "budget unit"),
    "order_number": ("订单号", "订单编号", "order number", "order no"),
    # The fair a fair sale was made at: its number (id) or its exact title.
    "event": ("展销会", "消费会", "赶集会", "活动", "fair", "event"),
}
REQUIRED_COLUMNS = ("sold_on", "channel", "amount")

CHANNEL_WORDS = {
    "online": Channel.ONLINE,
    "线上": Channel.ONLINE,
    "网上": Channel.ONLINE,
    "电商": Channel.ONLINE,
    "线上销售": Channel.ONLINE,
    "offline": Channel.OFFLINE,
    "线下": Channel.OFFLINE,
    "线下销售": Channel.OFFLINE,
    "procurement": Channel.PROCUREMENT,
    "procurement platform": Channel.PROCUREMENT,
    "采购平台": Channel.PROCUREMENT,
    "政府采购": Channel.PROCUREMENT,
    "预算单位采购": Channel.PROCUREMENT,
    "fair online": Channel.FAIR_ONLINE,
    "fair, online": Channel.FAIR_ONLINE,
    "消费会线上": Channel.FAIR_ONLINE,
    "展销会线上": Channel.FAIR_ONLINE,
    "fair offline": Channel.FAIR_OFFLINE,
    "fair, offline": Channel.FAIR_OFFLINE,
    "消费会线下": Channel.FAIR_OFFLINE,
    "展销会线下": Channel.FAIR_OFFLINE,
}
for _value in Channel.values:
    CHANNEL_WORDS.setdefault(_value, Channel(_value))

AMOUNT = re.compile(r"^\d+(\.\d{1,2})?$")
WHOLE = re.compile(r"^\d+$")
BATCH = 500


@dataclass
class SalesImportResult:
    rows_read: int = 0
    rows_imported: int = 0
    rows_on_file: int = 0  # already imported before (the same rows of an earlier import)
    amount_fen: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "rows_read": self.rows_read,
            "rows_imported": self.rows_imported,
            "rows_on_file": self.rows_on_file,
            "amount_fen": self.amount_fen,
            "errors": [e.as_dict() for e in self.errors],
        }


def parse_amount_fen(text: str) -> int | None:
    """Yuan with up to two decimals (1,234.50, ¥88, 88元) as fen; None if it is none."""
    text = text.replace(",", "").replace("¥", "").replace("元", "").strip()
    if not AMOUNT.match(text):
        return None
    try:
        return int(Decimal(text) * 100)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None


def _whole(text: str) -> int | None:
    text = text.replace(",", "").strip()
    if not text:
        return 0
    return int(text) if WHOLE.match(text) else None


class _Directory:
    """The sellers and buyers the importer may name, found by name or code."""

    def __init__(self, by: User | None):
        suppliers = (
            Supplier.objects.select_related("organisation", "household")
            if rights.is_system(by)
            else selectors.suppliers_visible_to(by)
        )
        self.by_name: dict[str, list[Supplier]] = {}
        self.by_code: dict[str, Supplier] = {}
        for supplier in suppliers:
            if supplier.organisation_id:
                self.by_name.setdefault(supplier.organisation.name, []).append(supplier)
                if supplier.organisation.credit_code:
                    self.by_code[supplier.organisation.credit_code] = supplier
            else:
                self.by_name.setdefault(supplier.household.registry_number, []).append(supplier)
        if rights.is_system(by):
            buyers = Organisation.objects.filter(kind__in=BUDGET_UNIT_KINDS)
        else:
            buyers = selectors.budget_units_visible_to(by)
        self.buyers: dict[str, list[Organisation]] = {}
        for buyer in buyers:
            self.buyers.setdefault(buyer.name, []).append(buyer)
            if buyer.credit_code:
                self.buyers.setdefault(buyer.credit_code, []).append(buyer)
        self.fairs_by_id: dict[str, Event] = {}
        self.fairs_by_title: dict[str, list[Event]] = {}
        for fair in selectors.fairs_for_sales(by):
            self.fairs_by_id[str(fair.pk)] = fair
            self.fairs_by_title.setdefault(fair.title, []).append(fair)


def _row_key(parts: Iterable[str]) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def import_sales(
    *,
    rows: Iterable[tuple[int, dict[str, str]]],
    by: User | None,
    batch: str = "",
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    saving: Callable[[], None] | None = None,
) -> SalesImportResult:
    """Check every row, then record every sale in one transaction, or none.

    Sellers are found among the suppliers the importer may see; the actor's right to
    record for each is checked again as the sales are written (an org_rep: its own
    organisation only). Rows already imported (the same identity) are counted, not added.
    `progress` is told of the rows checked, a thousand at a time; `saving`, when every row
    is in order and the sales are about to be prepared and written.
    """
    if not (rights.is_system(by) or rights.records_sales(by)):
        raise PermissionDenied
    directory = _Directory(by)
    day = actions.today()
    result = SalesImportResult()
    sales: list[Sale] = []
    seen: dict[str, int] = {}
    order_rows: dict[str, int] = {}
    for number, values in rows:
        result.rows_read += 1
        if progress and result.rows_read % 1000 == 0:
            progress(1000)
        sale = _parse_row(number, values, directory, result.errors, day)
        if sale is None:
            continue
        order = values.get("order_number", "")
        if order:
            identity = ("order", str(sale.seller_id), sale.channel, order)
            if identity in order_rows:
                result.errors.append(
                    RowError(
                        number,
                        "order_number",
                        _("The order number is also on row %(row)d.")
                        % {"row": order_rows[identity]},
                    )
                )
                continue
            order_rows[identity] = number
            sale.row_key = _row_key(identity)
        else:
            # The fair joins the cells only when the row names one, so that a file imported
            # before the fair had a column keeps its rows' identities.
            cells = tuple(values.get(column, "") for column in COLUMN_ALIASES if column != "event")
            if values.get("event"):
                cells += ("event", values["event"])
            digest = _row_key(cells)
            seen[digest] = seen.get(digest, 0) + 1
            sale.row_key = _row_key((digest, str(seen[digest])))
        sale.batch = batch
        sales.append(sale)
    if progress:
        progress(result.rows_read % 1000)
    result.errors.sort(key=lambda e: (e.row, e.column))
    if result.errors or dry_run:
        return result
    # Everything is checked and prepared first; the transaction only writes (on SQLite it
    # holds the database's one write lock, which every other user's write waits for).
    if saving:
        saving()
    plan = actions.prepare_sales(sales, by=by)
    result.rows_imported = actions.write_sales(plan, by=by)
    result.rows_on_file = plan.on_file
    result.amount_fen = sum(s.amount_fen for s in plan.sales)
    return result


def _parse_row(
    number: int,
    values: dict[str, str],
    directory: _Directory,
    errors: list[RowError],
    day: datetime.date,
) -> Sale | None:
    found: list[RowError] = []

    def fail(column: str, message: str) -> None:
        found.append(RowError(number, column, message))

    sold_on = None
    date_text = values.get("sold_on", "")
    if not date_text:
        fail("sold_on", _("The date is empty."))
    else:
        sold_on = parse_date(date_text)
        if sold_on is None:
            fail("sold_on", _("“%(text)s” is not a date.") % {"text": date_text})
    channel_text = values.get("channel", "")
    channel = CHANNEL_WORDS.get(channel_text.lower()) or CHANNEL_WORDS.get(channel_text)
    if channel is None:
        fail(
            "channel",
            _("“%(text)s” is not a channel (线上, 线下, 采购平台, 消费会线上, 消费会线下).")
            % {"text": channel_text},
        )
    amount_text = values.get("amount", "")
    amount_fen = parse_amount_fen(amount_text)
    if amount_fen is None:
        fail("amount", _("“%(text)s” is not an amount in yuan.") % {"text": amount_text})
    orders = _whole(values.get("orders", ""))
    if orders is None:
        fail("orders", _("Give a whole number."))
    quantity = _whole(values.get("quantity", ""))
    if quantity is None:
        fail("quantity", _("Give a whole number."))
    seller = _seller(values, directory, fail)
    buyer = None
    buyer_text = values.get("buyer", "")
    if buyer_text:
        matches = directory.buyers.get(buyer_text, [])
        if len(matches) == 1:
            buyer = matches[0]
        elif matches:
            fail(
                "buyer", _("More than one budget unit is called “%(text)s”.") % {"text": buyer_text}
            )
        else:
            fail("buyer", _("No budget unit “%(text)s” in your region.") % {"text": buyer_text})
    event = _fair(values.get("event", ""), directory, fail)
    if not found:
        checked = actions.check_sale(
            seller=seller,
            channel=channel,
            sold_on=sold_on,
            amount_fen=amount_fen,
            orders=orders,
            quantity=quantity,
            buyer=buyer,
            event=event,
            on=day,
        )
        column_of = {"amount_fen": "amount", "sold_on": "sold_on"}
        for name, messages in checked.items():
            for message in messages:
                fail(column_of.get(name, name), message)
    if found:
        errors.extend(found)
        return None
    return Sale(
        channel=channel,
        sold_on=sold_on,
        seller=seller,
        buyer=buyer,
        event=event,
        amount_fen=amount_fen,
        orders=orders,
        quantity=quantity,
        source=Source.IMPORT,
    )


def _fair(text: str, directory: _Directory, fail) -> Event | None:
    """The fair a row names, by its number or its exact title (a number first)."""
    if not text:
        return None
    fair = directory.fairs_by_id.get(text.removesuffix(".0"))  # a number cell read from Excel
    if fair is not None:
        return fair
    matches = directory.fairs_by_title.get(text, [])
    if len(matches) == 1:
        return matches[0]
    if matches:
        fail(
            "event", _("More than one fair is called “%(text)s”: give its number.") % {"text": text}
        )
    else:
        fail("event", _("No fair “%(text)s” that your sales may name.") % {"text": text})
    return None


def _seller(values: dict[str, str], directory: _Directory, fail) -> Supplier | None:
    code = values.get("credit_code", "").upper()
    name = values.get("seller", "")
    if code:
        supplier = directory.by_code.get(code)
        if supplier is None:
            fail(
                "credit_code",
                _("No supplier with the code %(code)s in your region.") % {"code": code},
            )
        elif name and supplier.organisation.name != name:
            fail("seller", _("The code is of “%(name)s”.") % {"name": supplier.organisation.name})
            return None
        return supplier
    if not name:
        fail("seller", _("Name the seller, or give its unified social credit code."))
        return None
    matches = directory.by_name.get(name, [])
    if len(matches) == 1:
        return matches[0]
    if matches:
        fail(
            "seller",
            _("More than one supplier is called “%(name)s”: give its code.") % {"name": name},
        )
    else:
        fail("seller", _("No supplier “%(name)s” in your region.") % {"name": name})
    return None


def read_sales_table(source, *, filename: str | None = None) -> Table:
    """Find the header of a sales file (TableError if it has none, or names no seller)."""
    table = read_table(source, aliases=COLUMN_ALIASES, required=REQUIRED_COLUMNS, filename=filename)
    if "seller" not in table.columns and "credit_code" not in table.columns:
        raise TableError(
            _("The file has no column of the seller (销售主体) or its code (统一社会信用代码).")
        )
    return table
