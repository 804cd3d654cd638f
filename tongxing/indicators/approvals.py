"""The approvals a user may see, and the figures a report of a period uses: frozen where
the period is approved for the region, live otherwise (with a flag that says which)."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from tongxing.access import scope_prefix
from tongxing.indicators import engine
from tongxing.indicators.catalogue import BY_CODE, INDICATORS, Display, Indicator
from tongxing.indicators.engine import COMPUTED, NOT_RECORDED, Figure, Period
from tongxing.indicators.models import Approval
from tongxing.queries import prefix_q
from tongxing.regions.codes import Level, ancestor_code, full_code
from tongxing.regions.models import Region


@dataclass(frozen=True)
class Figures:
    """A region's figures for a period: frozen by its approval, or computed live."""

    figures: dict[str, Figure]
    frozen: bool
    approval: Approval | None = None


def figures_for(region_prefix: str, period: Period) -> Figures:
    """The figures a report of the region (by its code prefix) and the period uses: the
    approved ones where the period is approved for the region, else live ones."""
    approval = approval_in_force(full_code(region_prefix), period)
    if approval is not None:
        return Figures(frozen_figures(approval), True, approval)
    return Figures(engine.compute(region_prefix, period.start, period.end), False)


def approval_in_force(region_code: str, period: Period) -> Approval | None:
    """The approval a period's figures of the region are read from (see `covers`)."""
    candidates = Approval.objects.filter(
        region_id=region_code, **might_cover(period), withdrawn_at__isnull=True
    ).select_related("region", "approved_by")
    return next((a for a in candidates.order_by("-end") if covers(a, period)), None)


def might_cover(period: Period) -> dict:
    """The lookups of the approvals that may cover the period; `covers` decides."""
    return {"start": period.start, "end__lte": period.end, "end__year": period.end.year}


def covers(approval: Approval, period: Period) -> bool:
    """Whether the approval holds the period's figures: it is of that very period, or it was
    made "to date" (on its own last day) from the same start and the period goes on from
    there within the year. A year approved on 3 December stays approved as the days pass,
    its figures frozen as of that day; an approval of a past quarter covers that quarter."""
    if approval.start != period.start or approval.end > period.end:
        return False
    to_date = approval.end == timezone.localdate(approval.approved_at)
    return approval.end == period.end or (to_date and approval.end.year == period.end.year)


def frozen_figures(approval: Approval) -> dict[str, Figure]:
    """The figures as approved, in the catalogue's order; a code the catalogue gained since
    was not approved: not recorded."""
    return {
        indicator.code: frozen_figure(indicator, approval.figures.get(indicator.code))
        for indicator in INDICATORS
    }


def frozen_figure(indicator: Indicator, stored: dict | None) -> Figure:
    if stored is None:
        return Figure(None, NOT_RECORDED)
    value = stored["value"]
    if indicator.display == Display.DATE and value is not None:
        value = datetime.date.fromisoformat(value)
    return Figure(value, stored["state"], stored.get("numerator"), stored.get("denominator"))


def frozen_record_ids(approval: Approval, code: str) -> list | None:
    """The ids of the records an approved figure counted; None where none were kept."""
    return approval.figures.get(code, {}).get("records")


def stored_figures(region_prefix: str, period: Period, figures: dict[str, Figure]) -> dict:
    """The figures as an approval stores them: value, state, a rate's parts, and the ids of
    the records behind each computed figure."""
    stored = {}
    for indicator in INDICATORS:
        figure = figures[indicator.code]
        value = figure.value
        if isinstance(value, datetime.date):
            value = value.isoformat()
        entry = {
            "value": value,
            "state": figure.state,
            "numerator": figure.numerator,
            "denominator": figure.denominator,
        }
        if figure.state == COMPUTED:
            try:
                ids = engine.record_ids(indicator.code, region_prefix, period.start, period.end)
            except engine.NotRecorded:
                ids = None
            if ids is not None:
                entry["records"] = [pk if isinstance(pk, int) else str(pk) for pk in ids]
        stored[indicator.code] = entry
    return stored


# --- What a user sees -----------------------------------------------------------------------


def approvals_visible_to(user) -> QuerySet[Approval]:
    """Approvals of the regions in the user's scope, in force or withdrawn, newest first."""
    prefix = scope_prefix(user)
    if prefix is None:
        return Approval.objects.none()
    return Approval.objects.filter(prefix_q("region__code", prefix)).select_related(
        "region", "approved_by", "withdrawn_by"
    )


def access_approval(user, approval_id: int) -> Approval:
    """The approval if its region is in the user's scope; 404 otherwise."""
    approval = approvals_visible_to(user).filter(pk=approval_id).first()
    if approval is None:
        raise Http404
    return approval


@dataclass(frozen=True)
class Row:
    indicator: Indicator
    live: str
    frozen: str | None  # None: not approved
    differs: bool


def comparison(live: dict[str, Figure], frozen: dict[str, Figure] | None) -> list[Row]:
    """Every code's live value beside its approved one, marking where they differ."""
    rows = []
    for indicator in INDICATORS:
        now = live[indicator.code]
        then = frozen[indicator.code] if frozen is not None else None
        rows.append(
            Row(
                indicator,
                engine.display(indicator, now),
                engine.display(indicator, then) if then is not None else None,
                then is not None and (then.value, then.state) != (now.value, now.state),
            )
        )
    return rows


# --- The order of approval ------------------------------------------------------------------


def townships_not_approved(city: Region, period: Period) -> list[Region]:
    """The townships of the city with records in the period whose figures of that period
    are not approved: the city's approval waits for them."""
    approved = {
        approval.region_id
        for approval in Approval.objects.filter(
            prefix_q("region__code", city.prefix),
            region__level=Level.TOWNSHIP,
            **might_cover(period),
            withdrawn_at__isnull=True,
        )
        if covers(approval, period)
    }
    by_township = engine.compute_by(city.prefix, period.start, period.end, Level.TOWNSHIP)
    with_records = [code for code, figures in by_township.items() if has_records(figures)]
    missing = [code for code in with_records if code not in approved]
    return list(Region.objects.filter(code__in=missing).order_by("code"))


def has_records(figures: dict[str, Figure]) -> bool:
    """Whether any figure that adds up over regions counts something."""
    return any(
        figure.state == COMPUTED and BY_CODE[code].additive and figure.value
        for code, figure in figures.items()
    )


def city_approvals_over(approval: Approval) -> QuerySet[Approval]:
    """The city approvals in force whose period meets this township approval's."""
    return Approval.objects.filter(
        region_id=ancestor_code(approval.region_id, Level.CITY),
        start__lte=approval.end,
        end__gte=approval.start,
        withdrawn_at__isnull=True,
    )
