"""Every change of consumption assistance: suppliers and their certification, products and
the pavilion, sales, procurement targets. Each checks the right of the actor on the object
as it is now (`rights.py`), whatever the caller sent, and writes its audit row in its
transaction. The import of sales is in `imports.py` and writes through `record_sales`.
"""

import dataclasses
import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxing.accounts.models import User
from tongxing.audit.log import event_fields, record, record_update, snapshot
from tongxing.audit.models import AuditEvent
from tongxing.commerce import rights
from tongxing.commerce.models import (
    BUDGET_UNIT_KINDS,
    FAIR_CHANNELS,
    SUPPLIER_KINDS,
    Category,
    Channel,
    Criterion,
    PavilionListing,
    ProcurementTarget,
    Product,
    Sale,
    Source,
    Supplier,
    SupplierCertification,
    seller_certified,
)
from tongxing.events.models import Event, EventKind
from tongxing.queries import (
    bulk_write_cache,
    column_index,
    insert_rows,
    prepare_rows,
)
from tongxing.registry.models import Household, Member, Organisation
from tongxing.text import check_public_text, clean_text

SUPPLIER_FIELDS = ("organisation", "household", "region")
CERTIFICATION_FIELDS = ("supplier", "criterion", "certified_on", "revoked_on", "revoke_reason")
PRODUCT_FIELDS = ("supplier", "name", "category", "unit", "price_fen", "certified", "certified_on")
LISTING_FIELDS = ("product", "listed_from", "listed_until")
SALE_FIELDS = (
    "channel",
    "sold_on",
    "seller",
    "buyer",
    "event",
    "amount_fen",
    "orders",
    "quantity",
    "source",
)
TARGET_FIELDS = ("budget_unit", "year", "canteen_spending_fen", "reserved_share_bp")
# The largest amount of one sale: 100 million yuan, far above any real one, so that a
# typo (a code in the amount column) is caught rather than counted.
LARGEST_SALE_FEN = 100_000_000_00
EARLIEST_DATE = datetime.date(2000, 1, 1)
# The choices as sets, once: an import checks 200,000 rows against them.
CHANNELS = frozenset(Channel.values)


def _actor(by: User | None) -> User | None:
    return by if by is not None and by.pk else None


def today() -> datetime.date:
    return timezone.localdate()


# --- Suppliers -------------------------------------------------------------------------------


def register_supplier(
    *,
    organisation: Organisation | None = None,
    household: Household | None = None,
    by: User | None,
) -> Supplier:
    """Register an enterprise or cooperative of the directory, or a registered household
    selling its own produce, as a supplier."""
    if (organisation is None) == (household is None):
        raise ValidationError({"organisation": [_("Choose an organisation or a household.")]})
    region_code = organisation.region_id if organisation is not None else household.village_id
    rights.require_register_supplier(by, region_code)
    if organisation is not None and organisation.kind not in SUPPLIER_KINDS:
        raise ValidationError(
            {"organisation": [_("Only an enterprise or a cooperative sells as a supplier.")]}
        )
    with transaction.atomic():
        taken = (
            Supplier.objects.filter(organisation=organisation)
            if organisation is not None
            else Supplier.objects.filter(household=household)
        )
        if taken.exists():
            field = "organisation" if organisation is not None else "household"
            raise ValidationError({field: [_("This one is already a supplier.")]})
        supplier = Supplier.objects.create(
            organisation=organisation, household=household, region_id=region_code
        )
        record(
            actor=_actor(by),
            action="supplier.register",
            target=supplier,
            region_code=region_code,
            after=snapshot(supplier, SUPPLIER_FIELDS),
        )
    return supplier


def certify_supplier(
    *, supplier: Supplier, criterion: str, certified_on: datetime.date, by: User | None
) -> SupplierCertification:
    """The office certifies the supplier from a date, by one criterion."""
    rights.require_certify(by, supplier)
    errors = {}
    if criterion not in Criterion.values:
        errors["criterion"] = [_("Choose a criterion.")]
    if certified_on is None or certified_on > today():
        errors["certified_on"] = [_("Give a date that has come.")]
    elif certified_on < EARLIEST_DATE:
        errors["certified_on"] = [_("The date is too early.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Lock the supplier so that two certifications cannot both find none open.
        supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
        if supplier.certifications.filter(revoked_on__isnull=True).exists():
            raise ValidationError({"certified_on": [_("The supplier is already certified.")]})
        if supplier.certifications.filter(revoked_on__gt=certified_on).exists():
            raise ValidationError(
                {"certified_on": [_("An earlier certification ran until after this date.")]}
            )
        certification = SupplierCertification.objects.create(
            supplier=supplier,
            criterion=criterion,
            certified_on=certified_on,
            certified_by=_actor(by),
        )
        record(
            actor=_actor(by),
            action="supplier.certify",
            target=certification,
            region_code=supplier.region_id,
            after=snapshot(certification, CERTIFICATION_FIELDS),
        )
        refresh_assisted(supplier)
    return certification


def revoke_certification(
    *, supplier: Supplier, revoked_on: datetime.date, reason: str, by: User | None
) -> SupplierCertification:
    """End the supplier's certification: it counts through the day before `revoked_on`.
    The row stays, so sales before that date still count."""
    rights.require_certify(by, supplier)
    errors: dict[str, list[str]] = {}
    reason = clean_text(reason, max_length=200, field="reason", errors=errors)
    if not reason and "reason" not in errors:
        errors["reason"] = [_("Give the reason.")]
    if revoked_on is None:
        errors["revoked_on"] = [_("Give the date.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        certification = (
            SupplierCertification.objects.select_for_update()
            .filter(supplier=supplier, revoked_on__isnull=True)
            .first()
        )
        if certification is None:
            raise ValidationError({"revoked_on": [_("The supplier is not certified.")]})
        if revoked_on <= certification.certified_on:
            raise ValidationError(
                {"revoked_on": [_("Revoke after the day the certification began.")]}
            )
        record_update(
            certification,
            {"revoked_on": revoked_on, "revoke_reason": reason, "revoked_by": _actor(by)},
            actor=_actor(by),
            action="supplier.revoke",
            fields=("revoked_on", "revoke_reason"),
            region_code=supplier.region_id,
        )
        refresh_assisted(supplier)
    return certification


def refresh_assisted(supplier: Supplier) -> None:
    """Set again, for every sale of the supplier, whether it counts as assistance: in the
    transaction of the change of its certification, so no one reads them out of step."""
    Sale.objects.filter(seller=supplier).update(assisted=seller_certified())


def _certified_on(supplier: Supplier, day: datetime.date) -> bool:
    return SupplierCertification.objects.filter(
        Q(revoked_on__isnull=True) | Q(revoked_on__gt=day),
        supplier=supplier,
        certified_on__lte=day,
    ).exists()


def _certified_periods(supplier_ids: set[int]) -> dict[int, list]:
    """Each supplier's periods of certification: (first day, first day after or None)."""
    periods: dict[int, list] = {}
    ids = sorted(supplier_ids)
    for start in range(0, len(ids), 500):
        rows = SupplierCertification.objects.filter(supplier_id__in=ids[start : start + 500])
        for supplier_id, first, revoked in rows.values_list(
            "supplier_id", "certified_on", "revoked_on"
        ):
            periods.setdefault(supplier_id, []).append((first, revoked))
    return periods


# --- Products and the pavilion ---------------------------------------------------------------


def _product_values(
    *, name: str, category: str, unit: str, price_fen: int, certified_on: datetime.date | None
) -> dict:
    errors: dict[str, list[str]] = {}
    name = clean_text(name, max_length=100, field="name", errors=errors)
    if not name and "name" not in errors:
        errors["name"] = [_("The name is empty.")]
    unit = clean_text(unit, max_length=20, field="unit", errors=errors)
    if not unit and "unit" not in errors:
        errors["unit"] = [_("Give the unit (斤, 箱, …).")]
    if category not in Category.values:
        errors["category"] = [_("Choose a category.")]
    if not isinstance(price_fen, int) or price_fen < 0 or price_fen > LARGEST_SALE_FEN:
        errors["price_fen"] = [_("Give a price of 0 or more.")]
    if certified_on is not None and certified_on > today():
        errors["certified_on"] = [_("Give a date that has come.")]
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "category": category,
        "unit": unit,
        "price_fen": price_fen,
        "certified": certified_on is not None,
        "certified_on": certified_on,
    }


def add_product(
    *,
    supplier: Supplier,
    name: str,
    category: str,
    unit: str,
    price_fen: int,
    certified_on: datetime.date | None = None,
    by: User | None,
) -> Product:
    """Add a product of the supplier (certified from `certified_on` when given)."""
    rights.require_record_for(by, supplier)
    values = _product_values(
        name=name, category=category, unit=unit, price_fen=price_fen, certified_on=certified_on
    )
    # The pavilion shows a product's name and unit to anyone: no ID, phone or card number,
    # and for a household's produce none of its members' full names.
    names = []
    if supplier.household_id:
        names = list(
            Member.objects.filter(household_id=supplier.household_id).values_list("name", flat=True)
        )
    errors: dict[str, list[str]] = {}
    for field in ("name", "unit"):
        check_public_text(values[field], field=field, names=names, errors=errors)
    if errors:
        raise ValidationError(errors)
    if Product.objects.filter(supplier=supplier, name=values["name"]).exists():
        raise ValidationError({"name": [_("The supplier already has a product of this name.")]})
    try:
        with transaction.atomic():
            product = Product.objects.create(
                supplier=supplier, region_id=supplier.region_id, **values
            )
            record(
                actor=_actor(by),
                action="product.create",
                target=product,
                region_code=supplier.region_id,
                after=snapshot(product, PRODUCT_FIELDS),
            )
    except IntegrityError:
        raise ValidationError(
            {"name": [_("The supplier already has a product of this name.")]}
        ) from None
    return product


def list_in_pavilion(
    *, product: Product, listed_from: datetime.date, by: User | None
) -> PavilionListing:
    """Put a product in the special-products pavilion from a date."""
    supplier = product.supplier
    rights.require_pavilion(by, supplier)
    if listed_from is None:
        raise ValidationError({"listed_from": [_("Give the date.")]})
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product.pk)
        if product.listings.filter(listed_until__isnull=True).exists():
            raise ValidationError({"listed_from": [_("The product is already listed.")]})
        if product.listings.filter(listed_until__gte=listed_from).exists():
            raise ValidationError(
                {"listed_from": [_("An earlier listing ran until after this date.")]}
            )
        listing = PavilionListing.objects.create(
            product=product,
            supplier_id=product.supplier_id,
            listed_from=listed_from,
            region_id=product.region_id,
        )
        record(
            actor=_actor(by),
            action="pavilion.list",
            target=listing,
            region_code=product.region_id,
            after=snapshot(listing, LISTING_FIELDS),
        )
    return listing


def unlist_from_pavilion(
    *, product: Product, listed_until: datetime.date, by: User | None
) -> PavilionListing:
    """Take a product out of the pavilion: `listed_until` is its last day there."""
    rights.require_pavilion(by, product.supplier)
    if listed_until is None:
        raise ValidationError({"listed_until": [_("Give the date.")]})
    with transaction.atomic():
        listing = (
            PavilionListing.objects.select_for_update()
            .filter(product=product, listed_until__isnull=True)
            .first()
        )
        if listing is None:
            raise ValidationError({"listed_until": [_("The product is not listed.")]})
        if listed_until < listing.listed_from:
            raise ValidationError({"listed_until": [_("The listing began after this date.")]})
        record_update(
            listing,
            {"listed_until": listed_until},
            actor=_actor(by),
            action="pavilion.unlist",
            fields=("listed_until",),
            region_code=product.region_id,
        )
    return listing


# --- Sales -----------------------------------------------------------------------------------


def check_sale(
    *,
    seller: Supplier | None,
    channel: str,
    sold_on: datetime.date | None,
    amount_fen: int | None,
    orders: int = 0,
    quantity: int = 0,
    buyer: Organisation | None = None,
    event: Event | None = None,
    on: datetime.date | None = None,
) -> dict[str, list[str]]:
    """What is wrong with a sale, field by field (the form, the API and the import's rows
    ask the same). `on` is today, when the caller checks many sales."""
    errors: dict[str, list[str]] = {}
    if seller is None:
        errors["seller"] = [_("Choose the seller.")]
    if channel not in CHANNELS:
        errors["channel"] = [_("Choose a channel.")]
    if sold_on is None:
        errors["sold_on"] = [_("Give the date.")]
    elif sold_on > (on or today()):
        errors["sold_on"] = [_("The date has not come yet.")]
    elif sold_on < EARLIEST_DATE:
        errors["sold_on"] = [_("The date is too early.")]
    if not isinstance(amount_fen, int) or amount_fen <= 0:
        errors["amount_fen"] = [_("Give an amount above zero.")]
    elif amount_fen > LARGEST_SALE_FEN:
        errors["amount_fen"] = [_("The amount is too large for one sale.")]
    for name, value in (("orders", orders), ("quantity", quantity)):
        if not isinstance(value, int) or value < 0 or value > 2_000_000_000:
            errors[name] = [_("Give a whole number of 0 or more.")]
    if buyer is not None:
        if channel != Channel.PROCUREMENT:
            errors["buyer"] = [_("Only a purchase through the procurement platform names a buyer.")]
        elif buyer.kind not in BUDGET_UNIT_KINDS:
            errors["buyer"] = [_("The buyer must be a budget unit.")]
    event_error = _event_error(channel, sold_on, event)
    if event_error:
        errors["event"] = [event_error]
    return errors


def _event_error(channel: str, sold_on: datetime.date | None, event: Event | None) -> str:
    """What is wrong with the fair a sale names: a sale at a fair names the fair, of kind
    fair, and falls within its days; a sale of any other channel names none."""
    if channel not in FAIR_CHANNELS:
        if event is not None and channel in CHANNELS:
            return _("Only a sale at a fair (fair, online or offline) names a fair.")
        return ""
    if event is None:
        return _("A sale at a fair names the fair.")
    if event.kind != EventKind.FAIR:
        return _("“%(title)s” is not a fair.") % {"title": event.title}
    if sold_on is not None and not event.starts_on <= sold_on <= event.ends_on:
        return _(
            "The fair “%(title)s” ran from %(first)s to %(last)s: "
            "the sale's date is not one of its days."
        ) % {
            "title": event.title,
            "first": event.starts_on.isoformat(),
            "last": event.ends_on.isoformat(),
        }
    return ""


def record_sale(
    *,
    seller: Supplier,
    channel: str,
    sold_on: datetime.date,
    amount_fen: int,
    orders: int = 0,
    quantity: int = 0,
    buyer: Organisation | None = None,
    event: Event | None = None,
    by: User | None,
) -> Sale:
    """Record one sale by hand. An org_rep records only its own organisation's sales; a
    sale at a fair names a fair of the actor's region or of a region above it."""
    rights.require_record_for(by, seller)
    if event is not None:
        rights.require_name_fair(by, event)
    errors = check_sale(
        seller=seller,
        channel=channel,
        sold_on=sold_on,
        amount_fen=amount_fen,
        orders=orders,
        quantity=quantity,
        buyer=buyer,
        event=event,
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        sale = Sale.objects.create(
            assisted=_certified_on(seller, sold_on),
            seller=seller,
            channel=channel,
            sold_on=sold_on,
            amount_fen=amount_fen,
            orders=orders,
            quantity=quantity,
            buyer=buyer,
            event=event,
            source=Source.MANUAL,
            region_id=seller.region_id,
            recorded_by=_actor(by),
        )
        record(
            actor=_actor(by),
            action="sale.record",
            target=sale,
            region_code=seller.region_id,
            after=snapshot(sale, SALE_FIELDS),
        )
    return sale


@dataclasses.dataclass
class SalesPlan:
    """Sales checked and prepared before their transaction begins: what `write_sales`
    writes. The rows are those `insert_rows` takes; each audit row gets the key of its sale
    once the sales are in."""

    sales: list[Sale] = dataclasses.field(
        default_factory=list
    )  # the new ones, in the order of `rows`
    rows: list[list] = dataclasses.field(default_factory=list)
    events: list[list] = dataclasses.field(default_factory=list)
    regions: dict[int, str] = dataclasses.field(default_factory=dict)  # seller: its region, as read
    periods: dict[int, list] = dataclasses.field(default_factory=dict)  # seller: certified, as read
    on_file: int = 0  # sales whose row key was on file already (a re-import)


def prepare_sales(sales: list[Sale], *, by: User | None) -> SalesPlan:
    """Check sales to be written in bulk (an import, the demo) and prepare their rows,
    outside any transaction: the actor's right on every seller, each sale as `record_sale`
    checks one, which row keys are on file already, and whether each counts as assistance.
    Raises PermissionDenied or ValidationError; writes nothing."""
    if any(not s.row_key for s in sales):
        raise ValueError("Every sale written in bulk needs its row key.")
    plan = SalesPlan()
    fairs: set[int] = set()
    day = today()
    for sale in sales:
        if sale.seller_id not in plan.regions:
            rights.require_record_for(by, sale.seller)
            plan.regions[sale.seller_id] = sale.seller.region_id
        if sale.event_id is not None and sale.event_id not in fairs:
            rights.require_name_fair(by, sale.event)
            fairs.add(sale.event_id)
        # Each sale is checked as `record_sale` checks one (an import has checked its rows
        # already; the demo has not).
        errors = check_sale(
            seller=sale.seller,
            channel=sale.channel,
            sold_on=sale.sold_on,
            amount_fen=sale.amount_fen,
            orders=sale.orders,
            quantity=sale.quantity,
            buyer=sale.buyer,
            event=sale.event,
            on=day,
        )
        if errors:
            raise ValidationError(errors)
    on_file = _keys_on_file([s.row_key for s in sales])
    plan.sales = [s for s in sales if s.row_key not in on_file]
    plan.on_file = len(sales) - len(plan.sales)
    if not plan.sales:
        return plan
    actor = _actor(by)
    plan.periods = _certified_periods({sale.seller_id for sale in plan.sales})
    for sale in plan.sales:
        sale.region_id = sale.seller.region_id
        sale.recorded_by = actor
        sale.assisted = _assisted(plan.periods.get(sale.seller_id, ()), sale.sold_on)
    plan.rows = prepare_rows(Sale, plan.sales)
    plan.events = prepare_rows(
        AuditEvent,
        [
            AuditEvent(
                **event_fields(
                    actor, "sale.import", sale, sale.region_id, None, snapshot(sale, SALE_FIELDS)
                )
            )
            for sale in plan.sales
        ],
    )
    return plan


def write_sales(plan: SalesPlan, *, by: User | None) -> int:
    """Write the sales a plan prepared, in one short transaction (on SQLite the database's
    one write lock is held only while the rows go in), with their audit rows; return how
    many were written.

    Inside it, the actor's right on every seller is checked again as the seller is now, and
    each seller's certification read again. A seller moved to another region meanwhile, or
    sales of the same row keys written meanwhile by another import, refuse the whole plan
    (ValidationError): nothing is written, and the import may simply be run again."""
    if not plan.sales:
        return 0
    assisted_at = column_index(Sale, "assisted")
    object_at = column_index(AuditEvent, "object_id")
    changed = ValidationError(
        _("Sales or sellers of this file changed while it was checked: import it again.")
    )
    try:
        with bulk_write_cache(), transaction.atomic():
            ids = sorted(plan.regions)
            for start in range(0, len(ids), 500):
                for seller in Supplier.objects.filter(pk__in=ids[start : start + 500]):
                    rights.require_record_for(by, seller)
                    if seller.region_id != plan.regions[seller.pk]:
                        raise changed
            periods = _certified_periods({sale.seller_id for sale in plan.sales})
            if periods != plan.periods:  # certified or revoked meanwhile: count again
                for sale, row in zip(plan.sales, plan.rows, strict=True):
                    sale.assisted = _assisted(periods.get(sale.seller_id, ()), sale.sold_on)
                    row[assisted_at] = sale.assisted
            last = Sale.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            insert_rows(Sale, plan.rows)
            # The keys of the rows just inserted, by row key, in one query: every key above
            # the last one before (a sequence only grows; on SQLite this transaction holds
            # the write lock), of the row keys of the plan.
            keys = dict(
                Sale.objects.filter(pk__gt=last).exclude(row_key="").values_list("row_key", "pk")
            )
            for sale, event in zip(plan.sales, plan.events, strict=True):
                sale.pk = keys[sale.row_key]
                event[object_at] = str(sale.pk)
            insert_rows(AuditEvent, plan.events)
    except IntegrityError:
        # The unique index on row keys: another import wrote some of these sales since
        # this one looked (the transaction is rolled back).
        raise changed from None
    return len(plan.sales)


def record_sales(sales: list[Sale], *, by: User | None) -> int:
    """Write sales checked beforehand (an import, the demo) in bulk: checked and prepared
    first (`prepare_sales`), then written in one short transaction (`write_sales`). Sales
    whose row key is already on file are left out (a re-import). Returns how many were
    written."""
    return write_sales(prepare_sales(sales, by=by), by=by)


def _assisted(periods, day: datetime.date) -> bool:
    return any(start <= day and (end is None or day < end) for start, end in periods)


def _keys_on_file(keys: list[str]) -> set[str]:
    on_file: set[str] = set()
    for start in range(0, len(keys), 500):
        on_file.update(_keyed(keys[start : start + 500]).values_list("row_key", flat=True))
    return on_file


def _keyed(keys: list[str]):
    """The sales of these row keys, through the unique index on row keys: that index
    leaves out the empty key, and a database uses it only for a query that does too."""
    return Sale.objects.filter(row_key__in=keys).exclude(row_key="").order_by()


# --- Procurement targets ---------------------------------------------------------------------


def set_procurement_target(
    *,
    budget_unit: Organisation,
    year: int,
    canteen_spending_fen: int,
    reserved_share_bp: int,
    by: User | None,
) -> ProcurementTarget:
    """Set (or change) a budget unit's procurement target of a year."""
    rights.require_set_target(by, budget_unit)
    errors: dict[str, list[str]] = {}
    if budget_unit.kind not in BUDGET_UNIT_KINDS:
        errors["budget_unit"] = [_("Choose a budget unit.")]
    if not isinstance(year, int) or not 2000 <= year <= today().year + 1:
        errors["year"] = [_("Give a year from 2000 to next year.")]
    if (
        not isinstance(canteen_spending_fen, int)
        or not 0 < canteen_spending_fen <= LARGEST_SALE_FEN
    ):
        errors["canteen_spending_fen"] = [_("Give the canteen's spending, above zero.")]
    if not isinstance(reserved_share_bp, int) or not 0 < reserved_share_bp <= 10000:
        errors["reserved_share_bp"] = [_("Give a share above 0% and at most 100%.")]
    if errors:
        raise ValidationError(errors)
    values = {"canteen_spending_fen": canteen_spending_fen, "reserved_share_bp": reserved_share_bp}
    with transaction.atomic():
        target = (
            ProcurementTarget.objects.select_for_update()
            .filter(budget_unit=budget_unit, year=year)
            .first()
        )
        if target is None:
            target = ProcurementTarget.objects.create(
                budget_unit=budget_unit, year=year, region_id=budget_unit.region_id, **values
            )
            record(
                actor=_actor(by),
                action="procurement.set_target",
                target=target,
                region_code=budget_unit.region_id,
                after=snapshot(target, TARGET_FIELDS),
            )
        else:
            record_update(
                target,
                values,
                actor=_actor(by),
                action="procurement.change_target",
                fields=TARGET_FIELDS,
                region_code=budget_unit.region_id,
            )
    return target
