"""Reads of visits, cut to the reader's region: the lists, one visit, the campaign days, and
the coverage of a region's poor households in a period (who was not visited, by whom)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat, Substr
from django.http import Http404
from django.utils import timezone

from tongxing.access import scope_prefix
from tongxing.accounts.models import User
from tongxing.queries import prefix_q
from tongxing.regions.codes import SEGMENT_END, Level, path_codes
from tongxing.regions.models import Region
from tongxing.registry.models import (
    HelperAssignment,
    Household,
    HouseholdStatus,
    Person,
    Position,
)
from tongxing.registry.selectors import assigned_household_ids
from tongxing.visits import rights
from tongxing.visits.models import (
    CampaignDay,
    Visit,
    default_campaign_day,
)

# The households a visit's coverage is about (建档立卡户 and 监测对象), as the needs'
# figures count them (needs/figures.py, IN_NEED).
IN_NEED = (HouseholdStatus.REGISTERED_POOR, HouseholdStatus.UNDER_MONITORING)
TOWNSHIP_DIGITS = SEGMENT_END[Level.TOWNSHIP]
# A township's 12-digit code from a village's: its first nine digits, the rest zeros.
TOWNSHIP_PADDING = "0" * (12 - TOWNSHIP_DIGITS)
# The first year a list of visits cut to campaign days looks at, when no period is given.
EARLIEST_CAMPAIGN = datetime.date(2000, 1, 1)


def township_of(lookup: str):
    """The expression of the township code of a region code lookup (a village's)."""
    return Concat(Substr(lookup, 1, TOWNSHIP_DIGITS), Value(TOWNSHIP_PADDING))


# --- Lists ------------------------------------------------------------------------------------


def visits_visible_to(user: User) -> QuerySet[Visit]:
    """The visits of the user's region; for a cadre, those they made and those to the
    households assigned to them today."""
    prefix = scope_prefix(user, rights.VISIT_READERS)
    if prefix is None:
        return Visit.objects.none()
    visits = Visit.objects.filter(prefix_q("village__code", prefix))
    if rights.is_cadre(user):
        visits = visits.filter(
            Q(visitor__account=user) | Q(household_id__in=assigned_household_ids(user))
        )
    return visits


def access_visit(user: User, visit_id: int) -> Visit:
    try:
        return visits_visible_to(user).select_related(*LIST_RELATED).get(pk=visit_id)
    except Visit.DoesNotExist:
        raise Http404 from None


LIST_RELATED = ("visitor", "household", "village__parent", "recorded_by", "need")


@dataclass(frozen=True)
class VisitFilters:
    first: datetime.date | None = None
    last: datetime.date | None = None
    campaign: bool = False
    household: int | None = None
    purpose: str = ""


def filtered_visits(user: User, filters: VisitFilters) -> QuerySet[Visit]:
    """The visits a user sees, cut by the filters: a period, the campaign days only (of
    the period, or of every year with visits), a household, a purpose."""
    visits = visits_visible_to(user)
    if filters.first is not None:
        visits = visits.filter(visited_on__gte=filters.first)
    if filters.last is not None:
        visits = visits.filter(visited_on__lte=filters.last)
    if filters.campaign:
        visits = visits.filter(on_campaign_days(filters.first, filters.last))
    if filters.household is not None:
        visits = visits.filter(household_id=filters.household)
    if filters.purpose:
        visits = visits.filter(purpose=filters.purpose)
    return visits.select_related(*LIST_RELATED).prefetch_related("deliveries")


# --- Campaign days ----------------------------------------------------------------------------


def campaign_days(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The campaign days from `first` through `last`: each year's configured days, or its
    17 October when none is configured for that year."""
    configured: dict[int, list[datetime.date]] = defaultdict(list)
    for day in CampaignDay.objects.filter(
        day__year__gte=first.year, day__year__lte=last.year
    ).values_list("day", flat=True):
        configured[day.year].append(day)
    days = []
    for year in range(first.year, last.year + 1):
        for day in configured.get(year) or [default_campaign_day(year)]:
            if first <= day <= last:
                days.append(day)
    return sorted(days)


def on_campaign_days(
    first: datetime.date | None = None, last: datetime.date | None = None, *, prefix: str = ""
) -> Q:
    """The visits (through `prefix`, "visit__" for a delivery) of the period made on a
    campaign day, as `campaign_days` says, in SQL: a figure's condition reads no table
    beforehand, so the whole catalogue stays one query per table. A year's 17 October is
    one term of its own (a plain date, and whether that year has days configured), so no
    row has its date taken apart by a function (on SQLite, a call into Python per row)."""
    day = f"{prefix}visited_on"
    first_year = (first or EARLIEST_CAMPAIGN).year
    last_year = (last or timezone.localdate()).year
    condition = Q(**{f"{day}__in": CampaignDay.objects.values("day")})
    for year in range(first_year, last_year + 1):
        configured = CampaignDay.objects.filter(
            day__gte=datetime.date(year, 1, 1), day__lte=datetime.date(year, 12, 31)
        )
        condition |= Q(**{day: default_campaign_day(year)}) & ~Q(Exists(configured))
    period = Q()
    if first is not None:
        period &= Q(**{f"{day}__gte": first})
    if last is not None:
        period &= Q(**{f"{day}__lte": last})
    return period & condition


# --- Coverage ---------------------------------------------------------------------------------


@dataclass
class VillageGaps:
    village: Region
    poor_households: int = 0
    not_by_cadre: int = 0
    not_by_township_secretary: int = 0
    not_by_anyone: int = 0


@dataclass
class CadreGaps:
    """An assigned helper and the poor households of theirs they did not visit."""

    person_id: int
    name: str
    households: list[Household] = field(default_factory=list)


@dataclass
class Coverage:
    first: datetime.date
    last: datetime.date
    poor_households: int
    not_by_cadre: list[Household]
    not_by_township_secretary: list[Household]
    not_by_anyone: list[Household]
    villages: list[VillageGaps]
    cadres: list[CadreGaps]
    city_leader_villages: list[tuple[Region, int]]


def _in_period(first: datetime.date, last: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}visited_on__gte": first, f"{prefix}visited_on__lte": last})


def _assignment_in_period(first: datetime.date, last: datetime.date) -> Q:
    """An assignment that held on some day of the period (`until` is its last day)."""
    return Q(since__lte=last) & (Q(until__isnull=True) | Q(until__gte=first))


def poor_households_with_visits(
    region: str, first: datetime.date, last: datetime.date
) -> QuerySet[Household]:
    """The region's poor households, each marked whether, in the period, their assigned
    cadre (an assignment holding in the period), their township's party secretary (a visitor
    who was the secretary of that township on the day) and anyone visited them."""
    visits = Visit.objects.filter(_in_period(first, last), household=OuterRef("pk"))
    by_cadre = visits.filter(
        visitor__in=HelperAssignment.objects.filter(
            _assignment_in_period(first, last), household=OuterRef(OuterRef("pk"))
        ).values("person")
    )
    by_secretary = visits.filter(
        position=Position.TOWNSHIP_PARTY_SECRETARY, visitor_region=OuterRef("township")
    )
    return (
        Household.objects.filter(prefix_q("village__code", region), status__in=IN_NEED)
        .annotate(township=township_of("village_id"))
        .annotate(
            by_anyone=Exists(visits),
            by_cadre=Exists(by_cadre),
            by_township_secretary=Exists(by_secretary),
        )
        .select_related("village")
        .order_by("village_id", "registry_number")
    )


def coverage(region: Region, first: datetime.date, last: datetime.date) -> Coverage:
    """Which poor households of the region were not visited in the period by their assigned
    cadre, by their township's party secretary, by anyone; the gaps by village and by cadre;
    and the villages the city's leaders visited."""
    households = list(poor_households_with_visits(region.prefix, first, last))
    villages: dict[str, VillageGaps] = {}
    for household in households:
        gaps = villages.setdefault(household.village_id, VillageGaps(household.village))
        gaps.poor_households += 1
        gaps.not_by_cadre += not household.by_cadre
        gaps.not_by_township_secretary += not household.by_township_secretary
        gaps.not_by_anyone += not household.by_anyone
    return Coverage(
        first=first,
        last=last,
        poor_households=len(households),
        not_by_cadre=[h for h in households if not h.by_cadre],
        not_by_township_secretary=[h for h in households if not h.by_township_secretary],
        not_by_anyone=[h for h in households if not h.by_anyone],
        villages=list(villages.values()),
        cadres=cadre_gaps(region.prefix, first, last),
        city_leader_villages=city_leader_villages(region.prefix, first, last),
    )


def cadre_gaps(region: str, first: datetime.date, last: datetime.date) -> list[CadreGaps]:
    """Each assigned helper of the region's poor households with the households of theirs
    they did not visit in the period (assignments holding in the period), by name."""
    assignments = (
        HelperAssignment.objects.filter(
            _assignment_in_period(first, last),
            prefix_q("household__village__code", region),
            household__status__in=IN_NEED,
        )
        .annotate(
            visited=Exists(
                Visit.objects.filter(
                    _in_period(first, last),
                    household=OuterRef("household"),
                    visitor=OuterRef("person"),
                )
            )
        )
        .filter(visited=False)
        .select_related("person", "household__village")
        .order_by("person__name", "person_id", "household__registry_number")
    )
    out: dict[int, CadreGaps] = {}
    for assignment in assignments:
        gaps = out.setdefault(
            assignment.person_id, CadreGaps(assignment.person_id, assignment.person.name)
        )
        if assignment.household not in gaps.households:
            gaps.households.append(assignment.household)
    return list(out.values())


def city_leader_villages(
    region: str, first: datetime.date, last: datetime.date
) -> list[tuple[Region, int]]:
    """The villages of the region the city's party secretary visited in the period, with
    the number of visits each."""
    counts = dict(
        Visit.objects.filter(
            _in_period(first, last),
            prefix_q("village__code", region),
            position=Position.CITY_PARTY_SECRETARY,
        )
        .values_list("village_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    villages = Region.objects.filter(code__in=counts).select_related("parent").order_by("code")
    return [(village, counts[village.code]) for village in villages]


def coverage_region(user: User, code: str | None) -> Region:
    """The region a coverage is asked for: the user's own, or one of their scope (404
    outside it, or for an account that reads no coverage)."""
    prefix = scope_prefix(user, rights.COVERAGE_READERS)
    if prefix is None:
        raise Http404
    code = code or user.region_id
    region = Region.objects.filter(code=code).first()
    if region is None or not region.code.startswith(prefix):
        raise Http404
    return region


# --- Visitors ---------------------------------------------------------------------------------


def visitors_for(user: User) -> QuerySet[Person]:
    """The people whose visits the user may record: a cadre themselves; an office the people
    of its region and of the regions above it (the city's secretary visits a village)."""
    if rights.is_cadre(user):
        return Person.objects.filter(account=user)
    prefix = scope_prefix(user, rights.VISIT_RECORDERS)
    if prefix is None:
        return Person.objects.none()
    return Person.objects.filter(
        prefix_q("region__code", prefix) | Q(region_id__in=path_codes(user.region_id))
    ).order_by("name", "pk")


def access_visitor(user: User, person_id: int) -> Person:
    try:
        return visitors_for(user).select_related("region").get(pk=person_id)
    except Person.DoesNotExist:
        raise Http404 from None
