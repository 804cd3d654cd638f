"""Every read of consumption assistance a user asks for, cut to their scope.

Staff of a region read the suppliers, products, sales and targets of its subtree; an
organisation's representative reads those of its own organisation (its sales, and the
purchases and targets of a budget unit it speaks for). Anything else is 404.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import ExtractMonth
from django.http import Http404
from django.utils import timezone

from tongxing.access import REGION_SCOPED_ROLES, Role, scope_prefix
from tongxing.accounts.models import User
from tongxing.commerce.models import (
    BUDGET_UNIT_KINDS,
    SUPPLIER_KINDS,
    Channel,
    PavilionListing,
    ProcurementTarget,
    Product,
    Sale,
    Supplier,
    SupplierCertification,
    certified_on,
)
from tongxing.commerce.rights import fair_reach, organisation_of
from tongxing.events.models import Event, EventKind
from tongxing.queries import prefix_q
from tongxing.registry.models import Member, Organisation, Relation
from tongxing.text import masked_name


def _head(household_ref: str) -> Subquery:
    """The name of the head of a household seller (shown only masked: 王**)."""
    heads = Member.objects.filter(household=OuterRef(household_ref), relation=Relation.HEAD)
    return Subquery(heads.values("name")[:1])


def seller_name(supplier: Supplier, head_name: str | None = None) -> str:
    """How every page, answer and export names a seller: an organisation by its name, a
    household by its head's surname and stars and its village (王**, 青禾村), as the
    public pages of the needs board name households."""
    if supplier.organisation_id:
        return supplier.organisation.name
    village = supplier.household.village.name if supplier.household_id else ""
    return f"{masked_name(head_name or '')}（{village}）"


def _scoped(user: User, qs: QuerySet, *, own: Callable[[Organisation], Q]) -> QuerySet:
    """Cut a query to the user's region, or for a rep to its organisation (`own`)."""
    if user.is_authenticated and user.is_superuser:
        return qs
    prefix = scope_prefix(user, REGION_SCOPED_ROLES)
    if prefix is not None:
        return qs.filter(prefix_q("region__code", prefix))
    if user.is_authenticated and user.is_active and user.role == Role.ORG_REP:
        organisation = organisation_of(user)
        if organisation is not None:
            return qs.filter(own(organisation))
    return qs.none()


def suppliers_visible_to(user: User) -> QuerySet[Supplier]:
    return (
        _scoped(user, Supplier.objects.all(), own=lambda o: Q(organisation=o))
        .select_related("organisation", "household", "household__village", "region")
        .annotate(
            head_name=_head("household"),
            # Whether it is certified today: one subquery, not a query a row.
            certified_today=certified_on(OuterRef("pk"), Value(timezone.localdate())),
        )
    )


def access_supplier(user: User, supplier_id: int) -> Supplier:
    try:
        return suppliers_visible_to(user).get(pk=supplier_id)
    except Supplier.DoesNotExist:
        raise Http404 from None


def products_visible_to(user: User) -> QuerySet[Product]:
    return (
        _scoped(user, Product.objects.all(), own=lambda o: Q(supplier__organisation=o))
        .select_related("supplier", "supplier__organisation", "supplier__household__village")
        .annotate(head_name=_head("supplier__household"))
    )


def access_product(user: User, product_id: int) -> Product:
    try:
        return products_visible_to(user).get(pk=product_id)
    except Product.DoesNotExist:
        raise Http404 from None


def sales_visible_to(user: User) -> QuerySet[Sale]:
    """Sales of the region; for a rep, its organisation's sales and purchases."""
    return (
        _scoped(
            user,
            Sale.objects.all(),
            own=lambda o: Q(seller__organisation=o) | Q(buyer=o),
        )
        .select_related(
            "seller", "seller__organisation", "seller__household__village", "buyer", "event"
        )
        .annotate(head_name=_head("seller__household"))
    )


def access_sale(user: User, sale_id: int) -> Sale:
    try:
        return sales_visible_to(user).get(pk=sale_id)
    except Sale.DoesNotExist:
        raise Http404 from None


def targets_visible_to(user: User) -> QuerySet[ProcurementTarget]:
    return _scoped(
        user, ProcurementTarget.objects.all(), own=lambda o: Q(budget_unit=o)
    ).select_related("budget_unit")


def certifications_of(supplier: Supplier) -> QuerySet[SupplierCertification]:
    """The whole history of a supplier's certification (the caller has accessed it)."""
    return supplier.certifications.order_by("-certified_on", "-pk")


def is_certified(supplier: Supplier, day: datetime.date) -> bool:
    return (
        supplier.certifications.filter(certified_on__lte=day)
        .filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=day))
        .exists()
    )


def budget_units_visible_to(user: User) -> QuerySet[Organisation]:
    prefix = scope_prefix(user, REGION_SCOPED_ROLES)
    if user.is_authenticated and user.is_superuser:
        prefix = ""
    if prefix is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(prefix_q("region__code", prefix), kind__in=BUDGET_UNIT_KINDS)


def sellers_organisations_visible_to(user: User) -> QuerySet[Organisation]:
    """Organisations of the region an office may register as suppliers."""
    prefix = scope_prefix(user, REGION_SCOPED_ROLES)
    if user.is_authenticated and user.is_superuser:
        prefix = ""
    if prefix is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        prefix_q("region__code", prefix), kind__in=SUPPLIER_KINDS, supplier__isnull=True
    )


def search_sales(
    user: User,
    *,
    channel: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    month: str = "",
    seller: int | None = None,
    event: int | None = None,
) -> QuerySet[Sale]:
    """The user's sales filtered by channel, dates (or a month, "YYYY-MM"), seller and
    fair."""
    sales = sales_visible_to(user)
    if channel:
        sales = sales.filter(channel=channel)
    if month:
        first = datetime.date(int(month[:4]), int(month[5:7]), 1)
        following = datetime.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        sales = sales.filter(sold_on__gte=first, sold_on__lt=following)
    if date_from:
        sales = sales.filter(sold_on__gte=date_from)
    if date_to:
        sales = sales.filter(sold_on__lte=date_to)
    if seller:
        sales = sales.filter(seller_id=seller)
    if event:
        sales = sales.filter(event_id=event)
    return sales


def fairs_for_sales(user: User | None) -> QuerySet[Event]:
    """The fairs a sale the user records may name (`rights.fair_reach`), latest first."""
    reach = fair_reach(user)
    if reach is None:
        return Event.objects.none()
    below, above = reach
    return (
        Event.objects.filter(kind=EventKind.FAIR)
        .filter(prefix_q("region__code", below) | Q(region_id__in=above))
        .order_by("-starts_on", "-pk")
    )


@dataclass(frozen=True)
class ChannelMonth:
    channel: str
    month: int
    amount_fen: int
    orders: int
    sales: int


def sales_by_channel_and_month(
    user: User, year: int, *, assistance_only: bool = True
) -> list[ChannelMonth]:
    """The user's sales of a year summed by channel and month: assistance sales only
    (the seller certified on the sale's date) unless asked otherwise."""
    sales = sales_visible_to(user).filter(sold_on__year=year)
    if assistance_only:
        sales = sales.filter(assisted=True)
    rows = (
        sales.annotate(month=ExtractMonth("sold_on"))
        .values("channel", "month")
        .annotate(amount=Sum("amount_fen"), n_orders=Sum("orders"), n=Count("pk"))
        .order_by("channel", "month")
    )
    return [
        ChannelMonth(r["channel"], r["month"], r["amount"] or 0, r["n_orders"] or 0, r["n"])
        for r in rows
    ]


@dataclass(frozen=True)
class Attainment:
    target: ProcurementTarget
    purchased_fen: int
    target_fen: int

    @property
    def attainment_bp(self) -> int | None:
        """Purchases over the reserved amount, in basis points (10000 = 100%)."""
        if not self.target_fen:
            return None
        return (self.purchased_fen * 10000) // self.target_fen

    @property
    def attainment_percent(self) -> str:
        bp = self.attainment_bp
        return "—" if bp is None else f"{bp / 100:.2f}%"


def procurement_attainment(user: User, year: int) -> list[Attainment]:
    """Each visible budget unit's target of the year and its attainment: its purchases
    through the procurement platform in the year from sellers certified on the day."""
    targets = list(targets_visible_to(user).filter(year=year))
    purchased = dict(
        Sale.objects.filter(
            channel=Channel.PROCUREMENT,
            buyer_id__in=[t.budget_unit_id for t in targets],
            sold_on__year=year,
        )
        .filter(assisted=True)
        .values("buyer_id")
        .annotate(total=Sum("amount_fen"))
        .values_list("buyer_id", "total")
    )
    return [Attainment(t, purchased.get(t.budget_unit_id, 0) or 0, t.target_fen) for t in targets]


def pavilion_products(*, on: datetime.date) -> QuerySet[Product]:
    """The products listed in the pavilion on the day: the public page's list."""
    listed = PavilionListing.objects.filter(listed_from__lte=on).filter(
        Q(listed_until__isnull=True) | Q(listed_until__gte=on)
    )
    return (
        Product.objects.filter(pk__in=listed.values("product"))
        .select_related("supplier", "supplier__organisation", "supplier__household__village")
        .annotate(head_name=_head("supplier__household"))
        .order_by("category", "name")
    )
