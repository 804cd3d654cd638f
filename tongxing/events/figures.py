"""The figures of events, exemplars, publicity and policies (indicators.md, sections 1, 3, 7
and 9), declared as measures (`tongxing.figures.Measure`); the indicators catalogue finds
them here by code.

Dates are days, so a period's window is read as its days: from its first day to the day
after its last. What each counts:

- An event counts in the period it starts in; a training of topic e-commerce is an
  e-commerce training. Its attendees from registered households are the event's own count
  (from its attendance list when kept, as the actions keep it). Income gains count in the
  period they are recorded in, for the e-commerce trainings of the region.
- A free clinic's sites count by the region of each site (a village committee), once each
  however many clinics it held; its institutions are its organisations of either role.
- A company counts in the service centre when it was resident at some time in the period;
  the people are those its residencies registered.
- A nomination counts when it was selected in the period; a story when it was submitted.
- Policies count by category when in force at some time in the period; the compendium
  year is the latest year of a compendium published by the period's end.
- A fair's live-stream viewers are the fair's own count (`Event.viewers`), for the fairs
  starting in the period; its sales are sales records (`commerce/figures.py`).
"""

import datetime

from django.db.models import Min, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from tongxing.events.models import (
    CITY_OR_ABOVE,
    DEFAULT_KEYS,
    Event,
    EventKind,
    EventOrganisation,
    EventSite,
    IncomeGain,
    Nomination,
    NominationStatus,
    PolicyCompendium,
    PolicyDocument,
    PublicityItem,
    Residency,
    StorySubmission,
    Topic,
)
from tongxing.figures import DISTINCT, MAX, SUM, Measure, Window
from tongxing.queries import prefix_q
from tongxing.regions.codes import SEGMENT_END, Level
from tongxing.regions.models import Region
from tongxing.registry.models import Organisation, OrganisationKind


def days(w: Window) -> tuple[datetime.date, datetime.date]:
    """The window as days: its first, and the first day after it."""
    return timezone.localdate(w.start), timezone.localdate(w.end)


def _on(field: str):
    """Records whose date `field` falls in the period."""

    def where(w: Window) -> Q:
        first, after = days(w)
        return Q(**{f"{field}__gte": first, f"{field}__lt": after})

    return where


def _events(kind: str, topic: str | None = None, *, prefix: str = ""):
    """Events of a kind (and topic) starting in the period; `prefix` reaches them from a
    related table ("event__")."""

    def where(w: Window) -> Q:
        first, after = days(w)
        q = Q(
            **{
                f"{prefix}kind": kind,
                f"{prefix}starts_on__gte": first,
                f"{prefix}starts_on__lt": after,
            }
        )
        if topic is not None:
            q &= Q(**{f"{prefix}topic": topic})
        return q

    return where


def _ecommerce_trainings_to_date(w: Window) -> Q:
    _first, after = days(w)
    return Q(kind=EventKind.TRAINING, topic=Topic.ECOMMERCE, starts_on__lt=after)


def _gains(w: Window) -> Q:
    return _on("recorded_on")(w) & Q(event__kind=EventKind.TRAINING, event__topic=Topic.ECOMMERCE)


def _news(w: Window) -> Q:
    return _on("published_on")(w) & Q(outlet_level__in=CITY_OR_ABOVE)


def _in_force(w: Window) -> Q:
    first, after = days(w)
    return Q(in_force_from__lt=after) & (
        Q(in_force_until__isnull=True) | Q(in_force_until__gte=first)
    )


def _published_compendia(w: Window) -> Q:
    _first, after = days(w)
    return Q(published_on__lt=after)


def _selected(key: str):
    def where(w: Window) -> Q:
        return _on("decided_on")(w) & Q(status=NominationStatus.SELECTED, category__key=key)

    return where


def _resident(w: Window) -> Q:
    first, after = days(w)
    return Q(
        since__lt=after,
        organisation__kind=OrganisationKind.ECOMMERCE_COMPANY,
    ) & (Q(until__isnull=True) | Q(until__gte=first))


# --- What a distinct figure's drill-down lists ----------------------------------------------


def _one_per_category(qs: QuerySet) -> QuerySet:
    """A policy document for each category counted (the first recorded)."""
    firsts = qs.order_by().values("category").annotate(first=Min("pk")).values("first")
    return PolicyDocument.objects.filter(pk__in=firsts)


def _organisations(qs: QuerySet) -> QuerySet:
    return Organisation.objects.filter(pk__in=qs.values("organisation_id"))


def _regions(qs: QuerySet) -> QuerySet:
    return Region.objects.filter(pk__in=qs.values("region_id"))


PUBLICITY = {
    "publicity.news_items": Measure(PublicityItem, "region__code", _news),
    "policy.categories": Measure(
        PolicyDocument,
        "region__code",
        _in_force,
        DISTINCT,
        "category",
        distinct_records=_one_per_category,
    ),
    "policy.compendium_year": Measure(
        PolicyCompendium, "region__code", _published_compendia, MAX, "year"
    ),
}

EXEMPLARS = {
    **{
        f"awards.selected.{key}": Measure(Nomination, "region__code", _selected(key))
        for key in DEFAULT_KEYS
    },
    "awards.stories_submitted": Measure(StorySubmission, "region__code", _on("submitted_on")),
    "events.contests": Measure(Event, "region__code", _events(EventKind.CONTEST)),
}

ECOMMERCE_TRAININGS = _events(EventKind.TRAINING, Topic.ECOMMERCE)
ECOMMERCE = {
    "ecommerce.center.companies": Measure(
        Residency,
        "centre__region__code",
        _resident,
        DISTINCT,
        "organisation_id",
        distinct_records=_organisations,
    ),
    "ecommerce.center.people": Measure(Residency, "centre__region__code", _resident, SUM, "people"),
    "ecommerce.trainings.count": Measure(Event, "region__code", ECOMMERCE_TRAININGS),
    "ecommerce.trainings.poor_attendances": Measure(
        Event, "region__code", ECOMMERCE_TRAININGS, SUM, "registered_attendees"
    ),
    "ecommerce.trainings.income_gain_fen": Measure(
        IncomeGain, "event__region__code", _gains, SUM, "amount_fen"
    ),
    "ecommerce.trainings.cumulative_trainees": Measure(
        Event, "region__code", _ecommerce_trainings_to_date, SUM, "participants"
    ),
}

# --- One e-commerce training: ecommerce.training.<id>.* ------------------------------------
# The report names each training of the year: the townships it reached (its sites'), how
# many it trained, and how many of them came from registered households. The codes name a
# record, so they are made for the trainings of a region and period, not declared above.

TRAINING_PARTS = ("townships", "trainees", "poor_trainees")
SITE_TOWNSHIP = Substr("region_id", 1, SEGMENT_END[Level.TOWNSHIP])


def ecommerce_trainings(region_prefix: str, period: Window) -> QuerySet:
    """The e-commerce trainings of the region that started in the period, first first."""
    return Event.objects.filter(
        prefix_q("region__code", region_prefix), ECOMMERCE_TRAININGS(period)
    ).order_by("starts_on", "pk")


def training_title(event_id: int) -> str | None:
    """The title of an e-commerce training, None if there is no such training."""
    return (
        Event.objects.filter(pk=event_id, kind=EventKind.TRAINING, topic=Topic.ECOMMERCE)
        .values_list("title", flat=True)
        .first()
    )


def _site_townships(qs: QuerySet) -> QuerySet:
    prefixes = qs.annotate(township=SITE_TOWNSHIP).values("township")
    return (
        Region.objects.filter(level=Level.TOWNSHIP)
        .annotate(own=Substr("code", 1, SEGMENT_END[Level.TOWNSHIP]))
        .filter(own__in=prefixes)
    )


def training_measures(event_id: int) -> dict[str, Measure]:
    """The measures of one training's codes (it counts only if it started in the period)."""

    def the_training(w: Window) -> Q:
        return ECOMMERCE_TRAININGS(w) & Q(pk=event_id)

    def its_sites(w: Window) -> Q:
        return _events(EventKind.TRAINING, Topic.ECOMMERCE, prefix="event__")(w) & Q(
            event_id=event_id
        )

    code = f"ecommerce.training.{event_id}."
    return {
        # Sites are counted under the training's region, as the training itself is.
        f"{code}townships": Measure(
            EventSite,
            "event__region__code",
            its_sites,
            DISTINCT,
            SITE_TOWNSHIP,
            distinct_records=_site_townships,
        ),
        f"{code}trainees": Measure(Event, "region__code", the_training, SUM, "participants"),
        f"{code}poor_trainees": Measure(
            Event, "region__code", the_training, SUM, "registered_attendees"
        ),
    }


CLINICS = _events(EventKind.FREE_CLINIC)
HEALTH = {
    "health.clinics.events": Measure(Event, "region__code", CLINICS),
    "health.clinics.institutions": Measure(
        EventOrganisation,
        "event__region__code",
        _events(EventKind.FREE_CLINIC, prefix="event__"),
        DISTINCT,
        "organisation_id",
        distinct_records=_organisations,
    ),
    "health.clinics.sites": Measure(
        EventSite,
        "region__code",
        _events(EventKind.FREE_CLINIC, prefix="event__"),
        DISTINCT,
        "region_id",
        distinct_records=_regions,
    ),
    "health.clinics.people_served": Measure(Event, "region__code", CLINICS, SUM, "people_served"),
}

FAIR = {
    "fair.online_viewers": Measure(Event, "region__code", _events(EventKind.FAIR), SUM, "viewers"),
}

MEASURES: dict[str, Measure] = {**PUBLICITY, **EXEMPLARS, **ECOMMERCE, **HEALTH, **FAIR}
