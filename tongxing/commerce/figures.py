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

The fair's figures (fair.*) and e-commerce's (ecommerce.*) wait for the events app.
"""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from tongxing.commerce.models import (
    Channel,
    PavilionListing,
    Product,
    Sale,
    Supplier,
)
from tongxing.figures import DISTINCT, SUM, Measure, Window


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
}
