"""The needs board's figures (indicators.md, sections 4 and 6), declared as measures.

Each is what it counts, once (`tongxing.figures.Measure`): the indicators engine evaluates
them for any region and period and lists the records behind each, and the board's own
figure selectors (`selectors.need_figures`, …) evaluate the same declarations.

- Posted: ever published by the period's end. Matched (对接): of those, fully pledged by
  then and still so. Confirmed: of the matched, those whose delivery the household
  confirmed in full by then — the figure that keeps the match rate honest.
- Micro-wishes count children, not wishes: a child with two wishes is one child.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr

from tongxing.access import Role
from tongxing.accounts.models import User
from tongxing.figures import DISTINCT, SUM, Measure, Window
from tongxing.needs.models import ACTIVE_PLEDGE, Kind, Need, Pledge, PledgeStatus
from tongxing.regions.codes import SEGMENT_END, Level
from tongxing.regions.models import Region
from tongxing.registry.models import Household, HouseholdStatus, Member

ADMIN_ROLES = (Role.CITY_ADMIN, Role.TOWNSHIP_ADMIN, Role.VILLAGE_ADMIN)
IN_NEED = (HouseholdStatus.REGISTERED_POOR, HouseholdStatus.UNDER_MONITORING)
# The township part of a wish's village code, for "townships that raised wish funds".
WISH_TOWNSHIP = Substr("need__village_id", 1, SEGMENT_END[Level.TOWNSHIP])


def _posted(kind: str | None = None):
    def where(w: Window) -> Q:
        q = Q(published_at__lt=w.end)
        return q & Q(kind=kind) if kind else q

    return where


def _matched(kind: str | None = None):
    def where(w: Window) -> Q:
        return _posted(kind)(w) & Q(matched_at__lt=w.end)

    return where


def _confirmed(w: Window) -> Q:
    return _matched()(w) & Q(confirmed_at__lt=w.end)


def _wish_gifts(w: Window) -> Q:
    """Gifts to micro-wishes pledged in the period and not withdrawn."""
    return Q(
        need__kind=Kind.WISH,
        status__in=ACTIVE_PLEDGE,
        created_at__gte=w.start,
        created_at__lt=w.end,
    )


def _children(qs: QuerySet) -> QuerySet:
    return Member.objects.filter(pk__in=qs.values("child"))


def _fulfilled_wishes(w: Window) -> Q:
    return Q(
        need__kind=Kind.WISH,
        status__in=(PledgeStatus.DELIVERED, PledgeStatus.CONFIRMED),
        delivered_at__gte=w.start,
        delivered_at__lt=w.end,
    )


def _in_need(w: Window) -> Q:
    return Q(left_behind_child=True, household__status__in=IN_NEED)


def _wished_children(qs: QuerySet) -> QuerySet:
    return Member.objects.filter(pk__in=qs.values("need__child"))


def _townships(qs: QuerySet) -> QuerySet:
    prefixes = qs.annotate(township=WISH_TOWNSHIP).values("township")
    return (
        Region.objects.filter(level=Level.TOWNSHIP)
        .annotate(own=Substr("code", 1, SEGMENT_END[Level.TOWNSHIP]))
        .filter(own__in=prefixes)
    )


NEEDS = {
    **{
        code: measure
        for kind in Kind.values
        for code, measure in (
            (f"needs.{kind}.posted", Measure(Need, "village__code", _posted(kind))),
            (f"needs.{kind}.matched", Measure(Need, "village__code", _matched(kind))),
        )
    },
    # The delivered rate's parts: matched needs of every kind, and those confirmed.
    "needs.matched": Measure(Need, "village__code", _matched()),
    "needs.confirmed": Measure(Need, "village__code", _confirmed),
}

WISHES = {
    "wishes.children": Measure(
        Need,
        "village__code",
        lambda w: Q(kind=Kind.WISH, published_at__gte=w.start, published_at__lt=w.end),
        DISTINCT,
        "child",
        _children,
    ),
    "wishes.raised_fen": Measure(
        Pledge,
        "need__village__code",
        _wish_gifts,
        SUM,
        "value_fen",
    ),
    "wishes.townships": Measure(
        Pledge,
        "need__village__code",
        _wish_gifts,
        DISTINCT,
        WISH_TOWNSHIP,
        _townships,
    ),
    "wishes.fulfilled_children": Measure(
        Pledge, "need__village__code", _fulfilled_wishes, DISTINCT, "need__child", _wished_children
    ),
    # The coverage rate's whole: left-behind children of households in need, today.
    "wishes.children_in_need": Measure(Member, "household__village__code", _in_need),
    # Its part: those of them whose wish came true, so that it never passes 100% (a wish
    # may come true for a child of a household out of poverty, or not left behind). One
    # more condition on the same pass over the members.
    "wishes.fulfilled_children_in_need": Measure(
        Member,
        "household__village__code",
        lambda w: (
            _in_need(w)
            & Q(Exists(Pledge.objects.filter(_fulfilled_wishes(w), need__child=OuterRef("pk"))))
        ),
    ),
}

PLATFORM = {
    # Donors have no region: every donor of the platform counts wherever one looks.
    "platform.donors_registered": Measure(
        User, None, lambda w: Q(role=Role.DONOR, date_joined__lt=w.end)
    ),
    # The honest companion of the donors registered: those who gave at least once by then
    # (a pledge or a contribution still standing today, made before the period's end). The
    # needs actions keep each donor's first such moment on the account (`first_gave_at`), so
    # this is one more condition on the same pass over the accounts.
    "platform.donors_gave": Measure(
        User,
        None,
        lambda w: Q(role=Role.DONOR, date_joined__lt=w.end, first_gave_at__lt=w.end),
    ),
    "platform.households_registered": Measure(
        Household, "village__code", lambda w: Q(created_at__lt=w.end)
    ),
    "platform.admins": Measure(
        User,
        "region__code",
        lambda w: Q(role__in=ADMIN_ROLES, is_active=True, date_joined__lt=w.end),
    ),
}

# Flows: what happened within a period (the dashboard's months), where the figures above
# are stocks as of its end. Posted, matched and confirmed each on its own day.
STEP_FIELDS = {"posted": "published_at", "matched": "matched_at", "confirmed": "confirmed_at"}


def _within(kind: str, field: str):
    def where(w: Window) -> Q:
        return Q(kind=kind, **{f"{field}__gte": w.start, f"{field}__lt": w.end})

    return where


FLOWS = {
    f"needs.{kind}.{step}_within": Measure(Need, "village__code", _within(kind, field))
    for kind in (Kind.GOODS, Kind.FUNDS)
    for step, field in STEP_FIELDS.items()
}
FLOWS["platform.donors_joined"] = Measure(
    User, None, lambda w: Q(role=Role.DONOR, date_joined__gte=w.start, date_joined__lt=w.end)
)

MEASURES = {**NEEDS, **WISHES, **PLATFORM, **FLOWS}
