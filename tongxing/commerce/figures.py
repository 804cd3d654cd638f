"""The figures of consumption assistance (indicators.md, section 8), declared as measures
(`tongxing.figures.Measure`); the indicators catalogue finds them here by code.

- The pavilion: products listed at any time within the period, and the suppliers of them.
- Sales count as assistance only when the seller was certified on the sale's date
  (`Sale.assisted`, kept from `models.seller_certified`): every sales figure here counts
  those only. The online and
  offline figures are those channels alone (a fair's sales are the fair's figures); the
  households' own and the other market entities' figures are every channel, split by
  whether the seller is a registered household or an organisation.
- Procurement: purchases recorded through the procurement-platform channel.
- The fair (消费帮扶赶集会): a fair's sales are its sales records, the two fair channels
  (each names its event), counted as assistance as every sales figure here, by the date
  sold and the seller's region. Online: the fair-online sales, their orders and amount.
  Offline, the report splits the stalls into enterprises and townships ("线下xx家企业销售额
  xx万元，xx个乡镇销售额xx万元"). A township's stall sells its own people's produce: a
  fair-offline sale is the township's when its seller is a registered household or a
  cooperative of a township or village (the township of the seller's region); every
  other fair-offline sale is an enterprise's (a private enterprise, an e-commerce company,
  or a cooperative of the city or county level, which belongs to no township). So the
  enterprises' and the townships' sales are the offline sales without overlap, and with
  the online sales they make the fair's total. The viewers of its live streams are the
  events' own count (`events/figures.py`).
"""

import datetime

from django.db.models import Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from tongxing.commerce.models import (
    FAIR_CHANNELS,
    Channel,
    PavilionListing,
    Product,
    Sale,
    Supplier,
)
from tongxing.figures import DISTINCT, SUM, Measure, Window
from tongxing.regions.codes import SEGMENT_END, Level
from tongxing.regions.models import Region
from tongxing.registry.models import OrganisationKind


def _days(w: Window) -> tuple[datetime.date, datetime.date]:
    """The period's first day and the day after its last, in the office's time zone."""
    return timezone.localtime(w.start).date(), timezone.localtime(w.end).date()


def _listed(w: Window) -> Q:
    first, after = _days(w)
    return Q(listed_from__lt=after) & (Q(listed_until__isnull=True) | Q(listed_until__gte=first))


def _suppliers(qs: QuerySet) -> QuerySet:
    return Supplier.objects.filter(pk__in=qs.values("supplier"))


def _products(qs: QuerySet) -> QuerySet:
    return Product.objects.filter(pk__in=qs.values("product"))


def _sellers(qs: QuerySet) -> QuerySet:
    return Supplier.objects.filter(pk__in=qs.values("seller"))


# The township of a sale: the first digits of its seller's region code.
SALE_TOWNSHIP = Substr("region_id", 1, SEGMENT_END[Level.TOWNSHIP])


def _townships(qs: QuerySet) -> QuerySet:
    prefixes = qs.annotate(township=SALE_TOWNSHIP).values("township")
    return (
        Region.objects.filter(level=Level.TOWNSHIP)
        .annotate(own=Substr("code", 1, SEGMENT_END[Level.TOWNSHIP]))
        .filter(own__in=prefixes)
    )


FAIR_ONLINE = Q(channel=Channel.FAIR_ONLINE)
# A township's stall: a household's, or a cooperative's of a township or village.
TOWNSHIP_STALL = Q(channel=Channel.FAIR_OFFLINE) & (
    Q(seller__household__isnull=False)
    | (
        Q(seller__organisation__kind=OrganisationKind.COOPERATIVE)
        & Q(region__level__gte=Level.TOWNSHIP)
    )
)
# Every other fair-offline sale: an organisation's, not a township's stall.
ENTERPRISE_STALL = (
    Q(channel=Channel.FAIR_OFFLINE)
    & Q(seller__organisation__isnull=False)
    & ~(
        Q(seller__organisation__kind=OrganisationKind.COOPERATIVE)
        & Q(region__level__gte=Level.TOWNSHIP)
    )
)


def _assisted(extra: Q | None = None):
    """Sales of the period whose seller was certified on the day, narrowed by `extra`."""

    def where(w: Window) -> Q:
        first, after = _days(w)
        q = Q(sold_on__gte=first, sold_on__lt=after, assisted=True)
        return q & extra if extra is not None else q

    return where


def _sales(extra: Q | None = None) -> Measure:
    return Measure(Sale, "region__code", _assisted(extra), SUM, "amount_fen")


MEASURES: dict[str, Measure] = {
    "consumption.pavilion.suppliers": Measure(
        PavilionListing,
        "region__code",
        _listed,
        DISTINCT,
        "supplier",
        distinct_records=_suppliers,
    ),
    "consumption.pavilion.products": Measure(
        PavilionListing,
        "region__code",
        _listed,
        DISTINCT,
        "product",
        distinct_records=_products,
    ),
    "consumption.sales.online_fen": _sales(Q(channel=Channel.ONLINE)),
    "consumption.sales.offline_fen": _sales(Q(channel=Channel.OFFLINE)),
    "consumption.sales.household_own_fen": _sales(Q(seller__household__isnull=False)),
    "consumption.sales.other_entities_fen": _sales(Q(seller__organisation__isnull=False)),
    "consumption.procurement_fen": _sales(Q(channel=Channel.PROCUREMENT)),
    "fair.online_orders": Measure(Sale, "region__code", _assisted(FAIR_ONLINE), SUM, "orders"),
    "fair.online_sales_fen": _sales(FAIR_ONLINE),
    "fair.offline_enterprises": Measure(
        Sale,
        "region__code",
        _assisted(ENTERPRISE_STALL),
        DISTINCT,
        "seller",
        distinct_records=_sellers,
    ),
    "fair.offline_enterprise_sales_fen": _sales(ENTERPRISE_STALL),
    "fair.townships": Measure(
        Sale,
        "region__code",
        _assisted(TOWNSHIP_STALL),
        DISTINCT,
        SALE_TOWNSHIP,
        distinct_records=_townships,
    ),
    "fair.township_sales_fen": _sales(TOWNSHIP_STALL),
    "fair.total_sales_fen": _sales(Q(channel__in=FAIR_CHANNELS)),
}
