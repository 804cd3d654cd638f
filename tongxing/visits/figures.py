"""The visits' figures (indicators.md, section 4), declared as measures
(`tongxing.figures.Measure`); the indicators catalogue finds them here by code.

- A visit counts on the day it was made (`visited_on`), by the position its visitor held
  that day (copied when it was recorded), in the region of the village visited.
- The city secretary's villages are the distinct poor villages (tagged key poor village,
  建档立卡重点贫困村) among the city party secretary's visits of the period.
- The township secretary's rate has two parts: the poor households visited at least once
  in the period by the party secretary of their own township (the visitor's region that day
  is the household's township), over all poor households of the region. A household is
  poor (建档立卡户 or 监测对象) by its status today, as the needs' figures read it.
- The campaign-day figures count the visits on the campaign days of the period: each
  year's configured days, or its 17 October when none is configured (`selectors.campaign_days`).
"""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from tongxing.figures import COUNT, DISTINCT, SUM, Measure, Window
from tongxing.regions.models import Region
from tongxing.registry.models import Household, Person, Position
from tongxing.visits.models import DeliveryKind, Visit, VisitDelivery
from tongxing.visits.selectors import IN_NEED, on_campaign_days, township_of


def _days(w: Window) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a window."""
    first = timezone.localtime(w.start).date()
    last = timezone.localtime(w.end).date() - datetime.timedelta(days=1)
    return first, last


def _in_period(w: Window, prefix: str = "") -> Q:
    first, last = _days(w)
    return Q(**{f"{prefix}visited_on__gte": first, f"{prefix}visited_on__lte": last})


def _on_campaign_days(w: Window, prefix: str = "") -> Q:
    return on_campaign_days(*_days(w), prefix=prefix)


def _by_city_secretary(w: Window) -> Q:
    return _in_period(w) & Q(position=Position.CITY_PARTY_SECRETARY)


def _by_own_township_secretary(w: Window) -> Q:
    return _in_period(w) & Q(
        position=Position.TOWNSHIP_PARTY_SECRETARY,
        household__status__in=IN_NEED,
        visitor_region=township_of("village_id"),
    )


def _poor_households_on_campaign_days(w: Window) -> Q:
    return _on_campaign_days(w) & Q(household__status__in=IN_NEED)


def _delivered_on_campaign_days(kind: str):
    def where(w: Window) -> Q:
        return _on_campaign_days(w, "visit__") & Q(kind=kind)

    return where


def _villages(qs: QuerySet) -> QuerySet:
    return Region.objects.filter(code__in=qs.values("village"))


def _households(qs: QuerySet) -> QuerySet:
    return Household.objects.filter(pk__in=qs.values("household"))


def _visitors(qs: QuerySet) -> QuerySet:
    return Person.objects.filter(pk__in=qs.values("visitor"))


MEASURES: dict[str, Measure] = {
    "visits.city_secretary.count": Measure(Visit, "village__code", _by_city_secretary, COUNT),
    "visits.city_secretary.villages": Measure(
        Visit,
        "village__code",
        lambda w: _by_city_secretary(w) & Q(village__key_poor_village=True),
        DISTINCT,
        "village",
        _villages,
    ),
    # The township secretary's household rate: these two are its parts.
    "visits.township_secretary.households_visited": Measure(
        Visit, "village__code", _by_own_township_secretary, DISTINCT, "household", _households
    ),
    "visits.poor_households": Measure(Household, "village__code", lambda w: Q(status__in=IN_NEED)),
    "visits.day.visitors": Measure(
        Visit, "village__code", _on_campaign_days, DISTINCT, "visitor", _visitors
    ),
    "visits.day.households": Measure(
        Visit,
        "village__code",
        _poor_households_on_campaign_days,
        DISTINCT,
        "household",
        _households,
    ),
    "visits.day.clothing_pieces": Measure(
        VisitDelivery,
        "visit__village__code",
        _delivered_on_campaign_days(DeliveryKind.CLOTHING),
        SUM,
        "quantity",
    ),
    "visits.day.grain_oil_jin": Measure(
        VisitDelivery,
        "visit__village__code",
        _delivered_on_campaign_days(DeliveryKind.GRAIN_OIL),
        SUM,
        "quantity",
    ),
}
