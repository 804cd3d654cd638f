"""Consumption assistance (消费帮扶): suppliers and their certification, products and the
special-products pavilion (特色馆), sales by channel, and budget units' procurement targets.

A sale counts as assistance only when its seller was certified on the sale's date: the
certification is a history (certified on a date, revoked on a later one). `Sale.assisted`
keeps the answer for each sale, so that the figures read a column rather than a subquery
a row: the actions set it when they record a sale, and set it again for every sale of a
supplier whose certification they change (in the same transaction), from
`seller_certified()`, the one definition.

Each record keeps the region code of its supplier (`region`), copied when it is written,
so that scope and figures are one prefix match on its own column.
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from tongxing.registry.models import Household, Organisation, OrganisationKind

# The organisations that sell as suppliers, and those that buy as budget units.
SUPPLIER_KINDS = (
    OrganisationKind.PRIVATE_ENTERPRISE,
    OrganisationKind.COOPERATIVE,
    OrganisationKind.ECOMMERCE_COMPANY,
)
BUDGET_UNIT_KINDS = (
    OrganisationKind.GOVERNMENT_DEPARTMENT,
    OrganisationKind.SCHOOL,
    OrganisationKind.HOSPITAL,
)


class Supplier(models.Model):
    """An enterprise or cooperative of the directory, or a registered household selling its
    own produce: exactly one of the two."""

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supplier",
    )
    household = models.OneToOneField(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supplier",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(organisation__isnull=False) & Q(household__isnull=True))
                | (Q(organisation__isnull=True) & Q(household__isnull=False)),
                name="supplier_one_seller",
            )
        ]

    def __str__(self) -> str:
        if self.organisation_id:
            return self.organisation.name
        return str(self.household)

    @property
    def is_household(self) -> bool:
        return self.household_id is not None


class Criterion(models.TextChoices):
    IN_REGISTERED_VILLAGE = "in_village", _("in a registered village")
    EMPLOYS_HOUSEHOLDS = "employs", _("employs registered households")
    BUYS_FROM_HOUSEHOLDS = "buys_from", _("buys from registered households")


class SupplierCertification(models.Model):
    """The office certified the supplier from `certified_on` (by a criterion), until the day
    before `revoked_on` if it was revoked. Rows are never deleted: the history stays."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="certifications")
    criterion = models.CharField(_("criterion"), max_length=12, choices=Criterion.choices)
    certified_on = models.DateField(_("certified on"))
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revoke_reason = models.CharField(_("reason"), max_length=200, blank=True)
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("supplier certification")
        verbose_name_plural = _("supplier certifications")
        ordering = ["supplier", "certified_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True) | Q(revoked_on__gt=models.F("certified_on")),
                name="certification_revoked_after",
            ),
            models.CheckConstraint(
                condition=Q(criterion__in=Criterion.values), name="certification_criterion_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier_id} {self.certified_on}–{self.revoked_on or ''}"


def certified_on(supplier_ref, day_ref) -> Exists:
    """Whether the supplier was certified on the day: both are expressions (`OuterRef`s)."""
    return Exists(
        SupplierCertification.objects.filter(
            Q(revoked_on__isnull=True) | Q(revoked_on__gt=day_ref),
            supplier=supplier_ref,
            certified_on__lte=day_ref,
        )
    )


class Category(models.TextChoices):
    GRAIN_OIL = "grain_oil", _("grain and oil")  # 粮油
    FRUIT_VEGETABLES = "fruit_vegetables", _("fruit and vegetables")  # 果蔬
    MEAT_EGGS = "meat_eggs", _("meat, poultry and eggs")  # 肉禽蛋
    TEA = "tea", _("tea")  # 茶叶
    PROCESSED = "processed", _("processed food")  # 加工食品
    HANDICRAFTS = "handicrafts", _("handicrafts")  # 手工艺品
    OTHER = "other", _("other")


class Product(models.Model):
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="products"
    )
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    unit = models.CharField(_("unit"), max_length=20)
    price_fen = models.PositiveBigIntegerField(_("price (fen)"))
    certified = models.BooleanField(_("certified"), default=False)
    certified_on = models.DateField(_("certified on"), null=True, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["supplier", "name"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "name"], name="product_name_unique"),
            models.CheckConstraint(
                condition=Q(certified=False) | Q(certified_on__isnull=False),
                name="product_certified_dated",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PavilionListing(models.Model):
    """A product in the special-products pavilion from `listed_from` through `listed_until`
    (its last day; open while empty)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="listings")
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="+")
    listed_from = models.DateField(_("listed from"))
    listed_until = models.DateField(_("listed until"), null=True, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("pavilion listing")
        verbose_name_plural = _("pavilion listings")
        ordering = ["-listed_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(listed_until__isnull=True)
                | Q(listed_until__gte=models.F("listed_from")),
                name="listing_until_after_from",
            ),
            # One open listing per product at a time.
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(listed_until__isnull=True),
                name="listing_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.listed_from}–{self.listed_until or ''}"


class Channel(models.TextChoices):
    ONLINE = "online", _("online")  # 线上
    OFFLINE = "offline", _("offline")  # 线下
    PROCUREMENT = "procurement", _("procurement platform")  # 采购平台
    FAIR_ONLINE = "fair_online", _("fair, online")  # 消费会线上
    FAIR_OFFLINE = "fair_offline", _("fair, offline")  # 消费会线下


# The channels of sales made at a fair: each names its event.
FAIR_CHANNELS = (Channel.FAIR_ONLINE, Channel.FAIR_OFFLINE)


class Source(models.TextChoices):
    MANUAL = "manual", _("recorded by hand")
    IMPORT = "import", _("imported")


class Sale(models.Model):
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    sold_on = models.DateField(_("date"))
    seller = models.ForeignKey(
        Supplier, verbose_name=_("seller"), on_delete=models.PROTECT, related_name="sales"
    )
    buyer = models.ForeignKey(
        Organisation,
        verbose_name=_("buyer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="purchases",
    )
    # The fair the sale was made at (消费帮扶赶集会): a fair's sales are its sales records.
    # Required for the fair channels and refused for the others (a check below); that
    # the event is a fair and the sale falls within its days, the actions check.
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("fair"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sales",
    )
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    orders = models.PositiveIntegerField(_("orders"), default=0)
    quantity = models.PositiveIntegerField(_("quantity"), default=0)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    # Whether the seller was certified on the sale's date (kept by the actions).
    assisted = models.BooleanField(_("assistance sale"), default=False)
    # The import's file digest; the row's identity (its order number, or a hash of its
    # cells), unique, so that importing the same file again adds nothing.
    batch = models.CharField(_("import batch"), max_length=64, blank=True)
    row_key = models.CharField(max_length=64, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        ordering = ["-sold_on", "-pk"]
        indexes = [
            models.Index(fields=["region", "sold_on"], name="sale_region_date"),
            models.Index(fields=["seller", "sold_on"], name="sale_seller_date"),
            models.Index(fields=["buyer", "sold_on"], name="sale_buyer_date"),
            models.Index(fields=["event", "sold_on"], name="sale_event_date"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["row_key"], condition=~Q(row_key=""), name="sale_row_key_unique"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="sale_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(buyer__isnull=True) | Q(channel=Channel.PROCUREMENT),
                name="sale_buyer_procurement_only",
            ),
            models.CheckConstraint(
                condition=(Q(event__isnull=False) & Q(channel__in=FAIR_CHANNELS))
                | (Q(event__isnull=True) & ~Q(channel__in=FAIR_CHANNELS)),
                name="sale_event_fair_channels_only",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sold_on} {self.channel} {self.amount_fen}"


def seller_certified() -> Exists:
    """For a query of sales: whether the seller was certified on the sale's date."""
    return certified_on(OuterRef("seller_id"), OuterRef("sold_on"))


class ProcurementTarget(models.Model):
    """A budget unit's target for a year: the share of its canteen spending (in basis
    points) reserved for products from assisted areas. Attainment is its procurement-
    platform purchases of certified sellers in the year over spending × share."""

    budget_unit = models.ForeignKey(
        Organisation,
        verbose_name=_("budget unit"),
        on_delete=models.PROTECT,
        related_name="procurement_targets",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    canteen_spending_fen = models.PositiveBigIntegerField(_("canteen spending (fen)"))
    reserved_share_bp = models.PositiveIntegerField(_("reserved share (basis points)"))
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("procurement target")
        verbose_name_plural = _("procurement targets")
        ordering = ["-year", "budget_unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget_unit", "year"], name="procurement_target_unique"
            ),
            models.CheckConstraint(
                condition=Q(reserved_share_bp__lte=10000), name="procurement_share_at_most_all"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.budget_unit_id} {self.year}"

    @property
    def target_fen(self) -> int:
        """The reserved amount: spending × share, rounded to the fen."""
        return (self.canteen_spending_fen * self.reserved_share_bp + 5000) // 10000
