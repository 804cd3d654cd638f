"""Reads of the needs board: the public board, the staff's needs of their region, a donor's
own pledges, and the figures of the indicators (sections 4 and 6 of indicators.md)."""

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Concat, Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxing.access import NEED_REVIEWERS, PLEDGERS, Role, scope_prefix
from tongxing.accounts.models import User
from tongxing.audit.models import AuditEvent
from tongxing.figures import evaluate, window
from tongxing.needs import figures, public_text
from tongxing.needs.models import (
    ACTIVE_PLEDGE,
    CATEGORIES_BY_KIND,
    PROGRESS,
    BannedTerm,
    Category,
    Feedback,
    Kind,
    Need,
    Pledge,
    PledgeStatus,
    Status,
    Urgency,
    ValueCap,
)
from tongxing.queries import prefix_q
from tongxing.regions.codes import CodeError, Level, normalize, path_codes, prefix_of
from tongxing.registry.selectors import assigned_household_ids
from tongxing.text import Finding, clean_text, find_personal_data

# What the public may open: needs on the board, and those that finished or expired there.
PUBLIC_STATUSES = (Status.PUBLISHED, Status.CLOSED, Status.EXPIRED)
BOARD_SORTS = ("urgency", "deadline", "progress", "newest")
# The board's text search: at most this long, and its first few words count.
BOARD_QUERY_LENGTH = 50
BOARD_QUERY_WORDS = 5


# --- Staff and households -------------------------------------------------------------------


def needs_visible_to(user: User) -> QuerySet[Need]:
    """Every need of the user's region (staff), or of their own household.

    A cadre reads the needs of the households assigned to them today, and the collective
    needs of the villages of their region: those are no one household's, and a cadre helps
    in the village they were posted for (product.md: "assigned households / villages").
    """
    if user.is_authenticated and user.is_active and user.role == Role.HOUSEHOLD:
        return Need.objects.filter(household__account=user)
    prefix = scope_prefix(user)
    if prefix is None:
        return Need.objects.none()
    needs = Need.objects.filter(prefix_q("village__code", prefix))
    if user.role == Role.CADRE:
        assigned = Q(household__in=assigned_household_ids(user))
        needs = needs.filter(Q(household__isnull=True) | assigned)
    return needs


def access_need(user: User, need_id: int) -> Need:
    try:
        return needs_visible_to(user).select_related("village", "household").get(pk=need_id)
    except Need.DoesNotExist:
        raise Http404 from None


def review_queue(user: User) -> QuerySet[Need]:
    """Needs waiting for this reviewer, oldest first (they have waited longest); not the
    ones they posted themselves, which someone else reviews."""
    if not user.has_role(*NEED_REVIEWERS):
        return Need.objects.none()
    return (
        needs_visible_to(user)
        .filter(status=Status.SUBMITTED)
        .exclude(posted_by=user)
        .select_related("village", "posted_by")
        .order_by("submitted_at", "pk")
    )


def escalated_needs(user: User) -> QuerySet[Need]:
    """The office's queue: needs that expired unmatched in the user's region."""
    if not user.has_role(*NEED_REVIEWERS):
        return Need.objects.none()
    return (
        needs_visible_to(user)
        .filter(status=Status.EXPIRED, escalated_at__isnull=False)
        .select_related("village")
        .order_by("-escalated_at", "-pk")
    )


def review_findings(need: Need) -> list[dict]:
    """What the review rules find in a need now (the review runs them again): {rule, message}."""
    from tongxing.needs.rules import check_rules

    return check_rules(need)


def need_events(need: Need) -> QuerySet[AuditEvent]:
    """Every event of a need, oldest first: who did what, and when."""
    return (
        AuditEvent.objects.filter(object_type="needs.need", object_id=str(need.pk))
        .select_related("actor")
        .order_by("at", "id")
    )


def pledges_of_need(need: Need) -> QuerySet[Pledge]:
    return (
        Pledge.objects.filter(need=need)
        .select_related("donor", "organisation", "feedback")
        .order_by("created_at", "pk")
    )


def value_caps_visible_to(user: User) -> QuerySet[ValueCap]:
    """The value caps of the user's region and of the regions below it."""
    prefix = scope_prefix(user)
    if prefix is None:
        return ValueCap.objects.none()
    return ValueCap.objects.filter(prefix_q("region__code", prefix)).select_related("region")


def banned_terms_visible_to(user: User) -> QuerySet[BannedTerm]:
    prefix = scope_prefix(user)
    if prefix is None:
        return BannedTerm.objects.none()
    return BannedTerm.objects.filter(prefix_q("region__code", prefix)).select_related("region")


def rules_in_force(region_code: str) -> tuple[QuerySet[ValueCap], QuerySet[BannedTerm]]:
    """The caps and banned terms that apply in a region: its own and those above it."""
    above = path_codes(region_code)
    return (
        ValueCap.objects.filter(region_id__in=above).select_related("region"),
        BannedTerm.objects.filter(region_id__in=above).select_related("region"),
    )


# --- Personal data in public text ----------------------------------------------------------


def with_public_text_findings(needs: list[Need]) -> list[Need]:
    """Attach to each need what the check of public text finds in it, by field
    (`need.public_findings`), reading the members' names of all their households at once."""
    names = public_text.household_names(need.household_id for need in needs)
    for need in needs:
        need.public_findings = public_text.need_findings(need, names.get(need.household_id, []))
    return needs


def public_text_findings(need: Need) -> dict[str, list[Finding]]:
    """What the check of public text finds in a need, by field; the household's members
    come from a prefetch (`household__members`) when the list has one."""
    found = getattr(need, "public_findings", None)
    if found is not None:
        return found
    if need.household_id is None:
        names = []
    elif "members" in getattr(need.household, "_prefetched_objects_cache", {}):
        names = [member.name for member in need.household.members.all()]
    else:
        names = public_text.names_of(need.household_id)
    need.public_findings = public_text.need_findings(need, names)
    return need.public_findings


@dataclass(frozen=True)
class TextFinding:
    """Personal data found in text the public or a donor reads, and where it stands."""

    need_id: int
    model: str  # need, pledge or feedback
    object_id: int
    field: str
    finding: Finding


def personal_data_in_public_text(
    *, batch: int = 500, progress: Callable[[int, int], None] | None = None
) -> Iterator[TextFinding]:
    """Find the personal data in every text that is public or read by donors: the public
    fields of the needs the board shows (published, closed, expired), the notes and end
    reasons of every pledge, and every thanks. Need by need, a batch at a time (their
    members' names read once a batch); `progress(done, total)` hears of each batch."""
    total = Need.objects.count()
    done, last = 0, 0
    fields = ("pk", "status", "household_id", *public_text.PUBLIC_NEED_FIELDS)
    while True:
        rows = list(Need.objects.filter(pk__gt=last).order_by("pk").values(*fields)[:batch])
        if not rows:
            return
        first, last = rows[0]["pk"], rows[-1]["pk"]
        names = public_text.household_names(row["household_id"] for row in rows)
        names_of_need = {row["pk"]: names.get(row["household_id"], []) for row in rows}
        found = []
        for need_id, model, object_id, field, text in _texts_of_batch(rows, first, last):
            for finding in find_personal_data(text or "", names=names_of_need[need_id]):
                found.append(TextFinding(need_id, model, object_id, field, finding))
        yield from sorted(found, key=lambda item: item.need_id)
        done += len(rows)
        if progress is not None:
            progress(done, total)


def _texts_of_batch(rows: list[dict], first: int, last: int) -> Iterator[tuple]:
    """(need, model, object, field, text) of each text to check for a batch of needs."""
    for row in rows:
        if row["status"] in PUBLIC_STATUSES:
            for field in public_text.PUBLIC_NEED_FIELDS:
                yield row["pk"], "need", row["pk"], field, row[field]
    pledges = Pledge.objects.filter(need_id__gte=first, need_id__lte=last)
    for pledge in pledges.values("pk", "need_id", *public_text.DONOR_PLEDGE_FIELDS):
        for field in public_text.DONOR_PLEDGE_FIELDS:
            yield pledge["need_id"], "pledge", pledge["pk"], field, pledge[field]
    thanks = Feedback.objects.filter(pledge__need_id__gte=first, pledge__need_id__lte=last)
    for feedback in thanks.exclude(thanks="").values("pk", "pledge__need_id", "thanks"):
        yield feedback["pledge__need_id"], "feedback", feedback["pk"], "thanks", feedback["thanks"]


# --- Donors ---------------------------------------------------------------------------------


def pledges_of(user: User) -> QuerySet[Pledge]:
    """The user's own pledges and contributions, newest first."""
    if not user.has_role(*PLEDGERS):
        return Pledge.objects.none()
    return (
        Pledge.objects.filter(donor=user)
        .select_related("need__village", "feedback")
        .order_by("-created_at", "-pk")
    )


def access_pledge(user: User, pledge_id: int) -> Pledge:
    """A pledge its donor may act on, or staff and the household of its need may see."""
    pledge = (
        Pledge.objects.select_related("need__village", "donor")
        .filter(pk=pledge_id)
        .filter(Q(donor_id=user.pk) | Q(need__in=needs_visible_to(user)))
        .first()
        if user.is_authenticated and user.is_active
        else None
    )
    if pledge is None:
        raise Http404
    return pledge


@dataclass(frozen=True)
class Impact:
    """What a donor's help added up to, each figure saying what it counts.

    Goods, services and micro-wishes count at their estimated value, split by how far they
    got: promised (pledged, not yet delivered), delivered (the household has yet to confirm)
    and received (the household confirmed). Money counts as contributed, of which held (a
    need's target not yet met: returned if it is never met) and released to the household.
    Withdrawn, returned and moved pledges count nowhere.
    """

    pledges: int
    needs_helped: int
    households_helped: int
    promised_fen: int
    delivered_fen: int
    received_fen: int
    money_fen: int
    money_held_fen: int
    money_released_fen: int
    value_fen: int  # everything above: promises and money held included
    confirmed: int
    thanks: int
    average_rating: float | None


def impact_of(user: User) -> Impact:
    """What a donor's help added up to: active pledges only, split by how far each got."""
    mine = Pledge.objects.filter(donor=user, status__in=ACTIVE_PLEDGE)
    money, goods = Q(need__kind=Kind.FUNDS), ~Q(need__kind=Kind.FUNDS)
    held = Q(status=PledgeStatus.PLEDGED)
    delivered = Q(status=PledgeStatus.DELIVERED)
    received = Q(status=PledgeStatus.CONFIRMED)
    totals = mine.aggregate(
        pledges=Count("pk"),
        needs=Count("need", distinct=True),
        households=Count("need__household", distinct=True),
        value=Sum("value_fen"),
        promised=Sum("value_fen", filter=goods & held),
        delivered=Sum("value_fen", filter=goods & delivered),
        received=Sum("value_fen", filter=goods & received),
        money=Sum("value_fen", filter=money),
        money_held=Sum("value_fen", filter=money & held),
        confirmed=Count("pk", filter=received),
    )
    feedback = Feedback.objects.filter(pledge__donor=user).aggregate(
        n=Count("pk"), total=Sum("rating")
    )
    money_fen = totals["money"] or 0
    return Impact(
        pledges=totals["pledges"],
        needs_helped=totals["needs"],
        households_helped=totals["households"],
        promised_fen=totals["promised"] or 0,
        delivered_fen=totals["delivered"] or 0,
        received_fen=totals["received"] or 0,
        money_fen=money_fen,
        money_held_fen=totals["money_held"] or 0,
        money_released_fen=money_fen - (totals["money_held"] or 0),
        value_fen=totals["value"] or 0,
        confirmed=totals["confirmed"],
        thanks=feedback["n"],
        average_rating=round(feedback["total"] / feedback["n"], 1) if feedback["n"] else None,
    )


# --- The public board -----------------------------------------------------------------------


@dataclass
class BoardFilters:
    kind: str = ""
    category: str = ""
    region: str = ""  # a region code (any level), or its significant prefix
    urgency: int | None = None  # at least this urgent
    min_value_fen: int | None = None
    max_value_fen: int | None = None
    deadline_before: datetime.date | None = None
    open_only: bool = True  # hide needs fully pledged or past their deadline
    sort: str = "urgency"
    q: str = ""  # words of the title or of the place (village or township), all of them


def clean_board_filters(filters: BoardFilters) -> BoardFilters:
    """Check the filters a visitor typed; a ValidationError names each one at fault."""
    errors: dict[str, list[str]] = {}
    if filters.kind and filters.kind not in Kind.values:
        errors["kind"] = [_("Unknown kind of need.")]
    if filters.category:
        allowed = CATEGORIES_BY_KIND.get(filters.kind, Category.values)
        if filters.category not in allowed:
            errors["category"] = [_("Unknown category.")]
    if filters.region:
        try:
            filters.region = prefix_of(normalize(filters.region))
        except CodeError as exc:
            errors["region"] = [str(exc)]
    if filters.urgency is not None and filters.urgency not in Urgency.values:
        errors["urgency"] = [_("Unknown urgency.")]
    for name in ("min_value_fen", "max_value_fen"):
        value = getattr(filters, name)
        if value is not None and value < 0:
            errors[name] = [_("Give an amount of 0 or more.")]
    if filters.sort not in BOARD_SORTS:
        errors["sort"] = [_("Sort by urgency, deadline, progress or newest.")]
    filters.q = clean_text(filters.q, max_length=BOARD_QUERY_LENGTH, field="q", errors=errors)
    if errors:
        raise ValidationError(errors)
    return filters


def board_needs(filters: BoardFilters) -> QuerySet[Need]:
    """The published needs the public board shows, filtered and sorted.

    Their villages and townships come by a second query (prefetched), not a join: joined
    to the regions, the query tempted SQLite to start from the regions and sort every
    published need (11 ms with 10,000 on the board), where alone it reads the first page
    straight from the index of its order (0.4 ms).
    """
    needs = Need.objects.filter(status=Status.PUBLISHED).prefetch_related("village__parent")
    if filters.open_only:
        # Open: lacking something and before its deadline, whether or not the night's
        # sweep has expired those past it yet.
        needs = needs.filter(pledged__lt=F("target"), deadline__gte=timezone.localdate())
    if filters.kind:
        needs = needs.filter(kind=filters.kind)
    if filters.category:
        needs = needs.filter(category=filters.category)
    if filters.region:
        needs = needs.filter(prefix_q("village__code", filters.region))
    if filters.urgency is not None:
        needs = needs.filter(urgency__gte=filters.urgency)
    if filters.min_value_fen is not None:
        needs = needs.filter(value_fen__gte=filters.min_value_fen)
    if filters.max_value_fen is not None:
        needs = needs.filter(value_fen__lte=filters.max_value_fen)
    if filters.deadline_before is not None:
        needs = needs.filter(deadline__lte=filters.deadline_before)
    if filters.q:
        needs = needs.filter(board_text_matches(filters.q))
    order = {
        "urgency": ("-urgency", "deadline", "pk"),
        "deadline": ("deadline", "-urgency", "pk"),
        # The expression of the index need_open_progress, written the same way, so that
        # the open needs are read in this order from it rather than sorted.
        "progress": (PROGRESS.desc(), "deadline", "pk"),
        "newest": ("-published_at", "-pk"),
    }[filters.sort]
    return needs.order_by(*order)


def board_text_matches(query: str) -> Q:
    """Needs whose title or place (village or township name) holds every word of the query.

    No index answers a match inside a title (LIKE '%…%'), so this reads each need the rest
    of the board's WHERE leaves: the published needs, and by default only the open ones, a
    few thousand at most at city scale (docs/benchmarks.md, part 5). The places are looked
    up in the regions once, as a subquery, not joined to every need.
    """
    from tongxing.regions.models import Region

    condition = Q()
    for word in query.split()[:BOARD_QUERY_WORDS]:
        places = Region.objects.filter(
            Q(name__contains=word) | Q(parent__name__contains=word), level=Level.VILLAGE
        ).values("code")
        condition &= Q(title__icontains=word) | Q(village_id__in=places)
    return condition


def board_townships() -> QuerySet:
    """The townships with needs on the board, by code, with their county."""
    from tongxing.regions.models import Region

    codes = (
        Need.objects.filter(status=Status.PUBLISHED)
        .annotate(township=Concat(Substr("village_id", 1, 9), Value("000")))
        .values("township")
    )
    return Region.objects.filter(code__in=codes).select_related("parent").order_by("code")


def access_public_need(need_id: int) -> Need:
    try:
        return Need.objects.select_related("village").get(pk=need_id, status__in=PUBLIC_STATUSES)
    except Need.DoesNotExist:
        raise Http404 from None


# --- Figures (indicators.md, sections 4 and 6) ----------------------------------------------


def _rate(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 2) if whole else None


def need_figures(*, region: str, as_of: datetime.date) -> dict:
    """needs.<kind>.posted / matched / match_rate and needs.delivered_rate, as of a date
    (the measures of `needs.figures`)."""
    values = evaluate(figures.NEEDS, region, window(as_of, as_of))
    result: dict = {"platform.as_of": as_of}
    for kind in Kind.values:
        posted, matched = values[f"needs.{kind}.posted"], values[f"needs.{kind}.matched"]
        result[f"needs.{kind}.posted"] = posted
        result[f"needs.{kind}.matched"] = matched
        result[f"needs.{kind}.match_rate"] = _rate(matched, posted)
    result["needs.delivered_rate"] = _rate(values["needs.confirmed"], values["needs.matched"])
    return result


def wish_figures(*, region: str, start: datetime.date, end: datetime.date) -> dict:
    """The micro-wish figures of section 4 for a period (start and end days included)."""
    values = evaluate(figures.WISHES, region, window(start, end))
    in_need = values.pop("wishes.children_in_need")
    covered = values.pop("wishes.fulfilled_children_in_need")
    values["wishes.coverage_rate"] = _rate(covered, in_need)
    return values


def platform_figures(*, region: str, as_of: datetime.date) -> dict:
    """platform.donors_registered, households_registered and admins, as of a date."""
    return {"platform.as_of": as_of, **evaluate(figures.PLATFORM, region, window(as_of, as_of))}
