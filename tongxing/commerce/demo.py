"""The demo's consumption assistance: suppliers and their certification, products in the
special-products pavilion, budget units' procurement targets, and a year of sales in every
channel, made through the commerce actions.

Suppliers are the township cooperatives, the city's e-commerce companies, half of the
private enterprises and one registered household a village. Each city holds its
consumption assistance fair (消费帮扶赶集会) over three days of September: every
organisation sells there online (live streams) and at its stall, and one household in
three sells at its township's stall; the fair's live-stream viewers and orders are
recorded afterwards. Most are certified from the
year's first day; a few never are, and a few lose their certification mid-year, so that
the figures leave their sales out. Sales (about 35,000 at city scale) are recorded in bulk
through `actions.record_sales`, which checks every sale as `record_sale` checks one and
writes its audit row; every sale has a row key derived from the seed, so building the demo
again adds nothing.

Entry: `build(ctx)` (not in `tongxing.demo.PARTS` yet).
"""

import datetime
import hashlib

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxing.commerce import actions
from tongxing.commerce.models import (
    BUDGET_UNIT_KINDS,
    Category,
    Channel,
    Criterion,
    ProcurementTarget,
    Product,
    Sale,
    Source,
    Supplier,
)
from tongxing.events.actions import events as ev
from tongxing.events.models import Event, EventKind
from tongxing.regions.codes import Level, prefix_of
from tongxing.regions.models import Region
from tongxing.registry.models import Household, HouseholdStatus, Organisation, OrganisationKind

PRODUCTS = [
    ("高山大米", Category.GRAIN_OIL, "斤", 6_50),
    ("菜籽油", Category.GRAIN_OIL, "瓶", 45_00),
    ("高山茶叶", Category.TEA, "盒", 128_00),
    ("土鸡蛋", Category.MEAT_EGGS, "盒", 38_00),
    ("腊肉", Category.MEAT_EGGS, "斤", 56_00),
    ("脐橙", Category.FRUIT_VEGETABLES, "箱", 68_00),
    ("香菇", Category.FRUIT_VEGETABLES, "斤", 32_00),
    ("红薯粉条", Category.PROCESSED, "袋", 25_00),
    ("竹编果篮", Category.HANDICRAFTS, "个", 45_00),
]
# Weekly online and offline sales of an organisation; monthly procurement; the fair's days.
FAIR_DAYS = ((9, 20), (9, 21), (9, 22))


def build(ctx) -> None:
    CommerceDemo(ctx).build()


class CommerceDemo:
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.year = ctx.year
        self.first = datetime.date(self.year, 1, 1)
        # Nothing is sold after the day the demo is built.
        self.last = min(datetime.date(self.year, 12, 31), timezone.localdate())

    def build(self) -> None:
        suppliers = self.register_suppliers()
        self.certify(suppliers)
        self.add_products(suppliers)
        units = list(Organisation.objects.filter(kind__in=BUDGET_UNIT_KINDS).order_by("pk"))
        self.set_targets(units)
        self.fairs = self.hold_fairs()
        self.record_year_of_sales(suppliers, units)
        self.record_fair_outcomes()

    # --- Suppliers -------------------------------------------------------------------------

    def register_suppliers(self) -> list[Supplier]:
        organisations = list(
            Organisation.objects.filter(
                kind__in=(OrganisationKind.COOPERATIVE, OrganisationKind.ECOMMERCE_COMPANY)
            ).order_by("pk")
        )
        enterprises = list(
            Organisation.objects.filter(kind=OrganisationKind.PRIVATE_ENTERPRISE).order_by("pk")
        )
        organisations += enterprises[::2]
        # One registered household a village, the first by registry number.
        households = {}
        for household in (
            Household.objects.exclude(status=HouseholdStatus.NOT_POOR)
            .order_by("village_id", "registry_number")
            .only("pk", "village_id")
        ):
            households.setdefault(household.village_id, household)
        on_file_orgs = set(Supplier.objects.values_list("organisation_id", flat=True))
        on_file_homes = set(Supplier.objects.values_list("household_id", flat=True))
        todo = [o for o in organisations if o.pk not in on_file_orgs] + [
            h for h in households.values() if h.pk not in on_file_homes
        ]
        with self.ctx.step(_("Suppliers"), len(todo)) as advance, transaction.atomic():
            for item in todo:
                if isinstance(item, Organisation):
                    actions.register_supplier(organisation=item, by=None)
                else:
                    actions.register_supplier(household=item, by=None)
                advance()
        return list(
            Supplier.objects.filter(organisation__in=organisations).select_related(
                "organisation", "household"
            )
        ) + list(
            Supplier.objects.filter(household__in=list(households.values())).select_related(
                "organisation", "household"
            )
        )

    def certify(self, suppliers: list[Supplier]) -> None:
        certified = set(
            Supplier.objects.filter(certifications__isnull=False).values_list("pk", flat=True)
        )
        todo = [s for s in suppliers if s.pk not in certified]
        criteria = list(Criterion.values)
        with self.ctx.step(_("Certifying suppliers"), len(todo)) as advance, transaction.atomic():
            for supplier in todo:
                fate = self.rng_for("certify", supplier.pk) % 20
                advance()
                if fate == 0:
                    continue  # never certified: its sales are not assistance
                criterion = (
                    Criterion.IN_REGISTERED_VILLAGE
                    if supplier.household_id
                    else criteria[fate % len(criteria)]
                )
                actions.certify_supplier(
                    supplier=supplier,
                    criterion=criterion,
                    certified_on=self.first - datetime.timedelta(days=fate * 7),
                    by=None,
                )
                if fate == 1 and self.first + datetime.timedelta(days=180) <= self.last:
                    actions.revoke_certification(
                        supplier=supplier,
                        revoked_on=self.first + datetime.timedelta(days=180),
                        reason="不再带动困难户就业",
                        by=None,
                    )

    def add_products(self, suppliers: list[Supplier]) -> None:
        have = set(Product.objects.values_list("supplier_id", flat=True))
        todo = [s for s in suppliers if s.pk not in have]
        with (
            self.ctx.step(_("Products, supplier by supplier"), len(todo)) as advance,
            transaction.atomic(),
        ):
            for supplier in todo:
                start = self.rng_for("product", supplier.pk)
                count = 1 if supplier.household_id else 2
                for i in range(count):
                    name, category, unit, price = PRODUCTS[(start + i) % len(PRODUCTS)]
                    product = actions.add_product(
                        supplier=supplier,
                        name=name,
                        category=category,
                        unit=unit,
                        price_fen=price,
                        certified_on=self.first,
                        by=None,
                    )
                    if (start + i) % 5 < 3:  # three in five are in the pavilion
                        day = self.first + datetime.timedelta(days=(start * 7 + i) % 120)
                        if day <= self.last:
                            actions.list_in_pavilion(product=product, listed_from=day, by=None)
                advance()

    def set_targets(self, units: list[Organisation]) -> None:
        have = set(
            ProcurementTarget.objects.filter(year=self.year).values_list(
                "budget_unit_id", flat=True
            )
        )
        todo = [u for u in units if u.pk not in have]
        with self.ctx.step(_("Procurement targets"), len(todo)) as advance, transaction.atomic():
            for unit in todo:
                spending = (200_000 + self.rng_for("spending", unit.pk) % 30 * 10_000) * 100
                actions.set_procurement_target(
                    budget_unit=unit,
                    year=self.year,
                    canteen_spending_fen=spending,
                    reserved_share_bp=3000,
                    by=None,
                )
                advance()

    # --- The fair --------------------------------------------------------------------------

    def hold_fairs(self) -> dict[str, Event]:
        """Each city's fair of the year, by the city's prefix (none before its first day)."""
        (month, first), *_more, (_month, last) = FAIR_DAYS
        starts_on = datetime.date(self.year, month, first)
        if starts_on > self.last:
            return {}
        ends_on = min(datetime.date(self.year, month, last), self.last)
        fairs = {}
        for city in Region.objects.filter(level=Level.CITY).order_by("code"):
            fair = Event.objects.filter(
                kind=EventKind.FAIR, region=city, starts_on=starts_on
            ).first() or ev.create_event(
                data=ev.EventData(
                    kind=EventKind.FAIR,
                    title=_("Consumption assistance fair %(year)d") % {"year": self.year},
                    starts_on=starts_on,
                    ends_on=ends_on,
                    region=city,
                    sites=[(city, "市民广场")],
                    organisers=list(
                        Organisation.objects.filter(
                            kind=OrganisationKind.GOVERNMENT_DEPARTMENT, region=city
                        ).order_by("pk")[:3]
                    ),
                ),
                by=None,
            )
            fairs[city.prefix] = fair
        return fairs

    def record_fair_outcomes(self) -> None:
        """The live streams' viewers, and their orders: those of the fair's online sales."""
        for fair in self.fairs.values():
            if fair.viewers is not None:
                continue
            orders = Sale.objects.filter(event=fair, channel=Channel.FAIR_ONLINE).aggregate(
                n=Sum("orders")
            )["n"]
            viewers = 50_000 + self.rng_for("viewers", fair.pk) % 150_000
            ev.record_outcomes(event=fair, viewers=viewers, orders=orders or 0, by=None)

    # --- Sales -----------------------------------------------------------------------------

    def record_year_of_sales(self, suppliers: list[Supplier], units: list[Organisation]) -> None:
        with self.ctx.step(_("Sales, seller by seller"), len(suppliers)) as advance:
            batch: list[Sale] = []
            for supplier in suppliers:
                batch.extend(self.sales_of(supplier, units))
                advance()
                if len(batch) >= 5000:
                    self.write(batch)
                    batch = []
            self.write(batch)

    def write(self, sales: list[Sale]) -> None:
        if sales:
            with transaction.atomic():
                actions.record_sales(sales, by=None)

    def sales_of(self, supplier: Supplier, units: list[Organisation]) -> list[Sale]:
        sales = []
        seed = self.rng_for("sales", supplier.pk)
        scale = 1 if supplier.household_id else 20

        fair = self.fairs.get(prefix_of(supplier.region_id, Level.CITY))

        def add(n: int, channel: str, day: datetime.date, amount_yuan: int, buyer=None):
            if day > self.last:
                return
            at_fair = channel in (Channel.FAIR_ONLINE, Channel.FAIR_OFFLINE)
            if at_fair and (fair is None or day > fair.ends_on):
                return
            sales.append(
                Sale(
                    seller=supplier,
                    channel=channel,
                    sold_on=day,
                    amount_fen=amount_yuan * 100 + (seed + n) % 100,
                    orders=1 + (seed + n) % 30 if channel != Channel.OFFLINE else 0,
                    quantity=5 + (seed * 7 + n) % 200,
                    buyer=buyer,
                    event=fair if at_fair else None,
                    source=Source.MANUAL,
                    batch="demo",
                    row_key=self.row_key(supplier.pk, n),
                )
            )

        n = 0
        weeks = 52 if supplier.organisation_id else 12
        for week in range(weeks):
            day = self.first + datetime.timedelta(days=week * (7 if weeks == 52 else 30) + seed % 5)
            add(n, Channel.ONLINE, day, scale * (80 + (seed + week * 13) % 400))
            add(n + 1, Channel.OFFLINE, day, scale * (120 + (seed + week * 17) % 600))
            n += 2
        if supplier.organisation_id and units:
            for month in range(1, 13):
                buyer = units[(seed + month) % len(units)]
                add(n, Channel.PROCUREMENT, datetime.date(self.year, month, 10), scale * 300, buyer)
                n += 1
        if supplier.organisation_id:
            for month, day in FAIR_DAYS:
                add(n, Channel.FAIR_ONLINE, datetime.date(self.year, month, day), scale * 50)
                add(n + 1, Channel.FAIR_OFFLINE, datetime.date(self.year, month, day), scale * 90)
                n += 2
        elif seed % 3 == 0:
            # One household in three sells at its township's stall, on the fair's second day.
            month, day = FAIR_DAYS[1]
            add(n, Channel.FAIR_OFFLINE, datetime.date(self.year, month, day), 60 + seed % 200)
        return sales

    def row_key(self, supplier_id: int, n: int) -> str:
        text = f"demo:{self.ctx.seed}:{self.year}:{supplier_id}:{n}"
        return hashlib.sha256(text.encode()).hexdigest()

    def rng_for(self, what: str, key: int) -> int:
        """A number of its own for each thing, the same at every build of the seed."""
        digest = hashlib.sha256(f"{self.ctx.seed}:{what}:{key}".encode()).digest()
        return int.from_bytes(digest[:4], "big")
