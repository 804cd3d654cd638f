"""Reads of the pairing programmes, each cut to what the user may see.

The staff of a region see the records whose `region_code` lies in it (a township station:
the programmes with a target in its township, and only those targets' records); an
organisation's representative sees its own organisation's pairings and what hangs on them.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Q, QuerySet, Sum
from django.http import Http404

from tongxing.access import scope_prefix
from tongxing.accounts.models import User
from tongxing.programs.models import (
    Disbursement,
    DisbursementEvidence,
    Exchange,
    Kind,
    LabourActivity,
    Pairing,
    PairingPledge,
    Programme,
    ProgrammeTarget,
    Review,
)
from tongxing.programs.rights import organisation_of
from tongxing.queries import prefix_q
from tongxing.regions.codes import SEGMENT_END, Level
from tongxing.regions.models import Region
from tongxing.registry.models import Organisation
from tongxing.registry.selectors import access_organisation


def _cut(qs: QuerySet, user: User, helper: str) -> QuerySet:
    """The rows of the user's region, or of their organisation's pairings."""
    organisation = organisation_of(user)
    if organisation is not None:
        return qs.filter(**{helper: organisation})
    prefix = scope_prefix(user)
    if prefix is None:
        return qs.none()
    return qs.filter(prefix_q("region_code", prefix))


def programmes_visible_to(user: User) -> QuerySet[Programme]:
    organisation = organisation_of(user)
    if organisation is not None:
        ids = Pairing.objects.filter(helper=organisation).values("programme")
        return Programme.objects.filter(pk__in=ids)
    prefix = scope_prefix(user)
    if prefix is None:
        return Programme.objects.none()
    with_targets = ProgrammeTarget.objects.filter(prefix_q("region_code", prefix)).values(
        "programme"
    )
    return Programme.objects.filter(prefix_q("region__code", prefix) | Q(pk__in=with_targets))


def access_programme(user: User, programme_id: int) -> Programme:
    try:
        return programmes_visible_to(user).select_related("region").get(pk=programme_id)
    except Programme.DoesNotExist:
        raise Http404 from None


def targets_visible_to(user: User) -> QuerySet[ProgrammeTarget]:
    organisation = organisation_of(user)
    if organisation is not None:
        return ProgrammeTarget.objects.filter(pairings__helper=organisation).distinct()
    prefix = scope_prefix(user)
    if prefix is None:
        return ProgrammeTarget.objects.none()
    return ProgrammeTarget.objects.filter(prefix_q("region_code", prefix))


def access_target(user: User, target_id: int) -> ProgrammeTarget:
    try:
        return (
            targets_visible_to(user)
            .select_related("programme", "region", "organisation")
            .get(pk=target_id)
        )
    except ProgrammeTarget.DoesNotExist:
        raise Http404 from None


def pairings_visible_to(user: User) -> QuerySet[Pairing]:
    return _cut(Pairing.objects.all(), user, "helper")


def access_pairing(user: User, pairing_id: int) -> Pairing:
    try:
        return (
            pairings_visible_to(user)
            .select_related("programme", "target__region", "helper")
            .get(pk=pairing_id)
        )
    except Pairing.DoesNotExist:
        raise Http404 from None


def pledges_visible_to(user: User) -> QuerySet[PairingPledge]:
    return _cut(PairingPledge.objects.all(), user, "pairing__helper")


def disbursements_visible_to(user: User) -> QuerySet[Disbursement]:
    return _cut(Disbursement.objects.all(), user, "pairing__helper")


def exchanges_visible_to(user: User) -> QuerySet[Exchange]:
    return _cut(Exchange.objects.all(), user, "pairing__helper")


def labour_activities_visible_to(user: User) -> QuerySet[LabourActivity]:
    """The staff see their region's; a rep those recorded on its organisation's pairings,
    not the office's own records of the partner region (they belong to no one helper)."""
    return _cut(LabourActivity.objects.all(), user, "pairing__helper")


def access_pledge(user: User, pledge_id: int) -> PairingPledge:
    try:
        return pledges_visible_to(user).select_related("pairing").get(pk=pledge_id)
    except PairingPledge.DoesNotExist:
        raise Http404 from None


def access_disbursement(user: User, disbursement_id: int) -> Disbursement:
    try:
        return disbursements_visible_to(user).select_related("pairing").get(pk=disbursement_id)
    except Disbursement.DoesNotExist:
        raise Http404 from None


def access_exchange(user: User, exchange_id: int) -> Exchange:
    try:
        return exchanges_visible_to(user).select_related("pairing").get(pk=exchange_id)
    except Exchange.DoesNotExist:
        raise Http404 from None


def access_labour_activity(user: User, activity_id: int) -> LabourActivity:
    try:
        return labour_activities_visible_to(user).select_related("target").get(pk=activity_id)
    except LabourActivity.DoesNotExist:
        raise Http404 from None


class ReviewQueue(NamedTuple):
    pledges: QuerySet[PairingPledge]
    disbursements: QuerySet[Disbursement]
    exchanges: QuerySet[Exchange]
    labour_activities: QuerySet[LabourActivity]


def review_queue(user: User) -> ReviewQueue:
    """What organisations recorded in the user's region and waits for review, oldest
    first: pledges, disbursements, exchanges, labour activities; not what the user recorded
    themselves."""
    if organisation_of(user) is not None or scope_prefix(user) is None:
        return ReviewQueue(
            PairingPledge.objects.none(),
            Disbursement.objects.none(),
            Exchange.objects.none(),
            LabourActivity.objects.none(),
        )
    on_pairing = ("pairing__helper", "pairing__target__region", "pairing__programme")
    return ReviewQueue(
        *(
            qs.filter(status=Review.PENDING)
            .exclude(recorded_by=user)
            .select_related(*related)
            .order_by("recorded_at", "pk")
            for qs, related in (
                (pledges_visible_to(user), on_pairing),
                (disbursements_visible_to(user), on_pairing),
                (exchanges_visible_to(user), (*on_pairing, "pairing__target__organisation")),
                (
                    labour_activities_visible_to(user),
                    ("pairing__helper", "target__region", "target__programme"),
                ),
            )
        )
    )


# --- Coverage and money ------------------------------------------------------------------


def active_on(day: datetime.date) -> Q:
    """Pairings that hold on the day (`until` is their last day)."""
    return Q(since__lte=day) & (Q(until__isnull=True) | Q(until__gte=day))


def uncovered_targets(targets: QuerySet[ProgrammeTarget], day: datetime.date):
    """The targets with no pairing active on the day (一对一全覆盖 means none)."""
    paired = Pairing.objects.filter(active_on(day)).values("target")
    return targets.exclude(pk__in=paired)


@dataclass
class Money:
    pledged_fen: int = 0
    disbursed_fen: int = 0

    @property
    def gap_fen(self) -> int:
        """What was promised and not yet delivered (never below 0)."""
        return max(self.pledged_fen - self.disbursed_fen, 0)


def money_by(user: User, programme: Programme, *, by: str) -> dict[object, Money]:
    """Accepted pledges and disbursements of the programme that the user sees, summed per
    township (`by="township"`: the 9-digit prefix of the target's code) or per helper
    (`by="helper"`: the organisation's id)."""
    if by == "township":
        key = "pairing__target__region_id"
    elif by == "helper":
        key = "pairing__helper_id"
    else:
        raise ValueError(by)
    out: dict[object, Money] = defaultdict(Money)
    for qs, attribute in (
        (pledges_visible_to(user), "pledged_fen"),
        (disbursements_visible_to(user), "disbursed_fen"),
    ):
        rows = (
            qs.filter(pairing__programme=programme, status=Review.ACCEPTED)
            .values(key)
            .annotate(total=Sum("amount_fen"))
            .order_by()
        )
        for row in rows:
            unit = row[key]
            if by == "township":
                unit = unit[: SEGMENT_END[Level.TOWNSHIP]]
            money = out[unit]
            setattr(money, attribute, getattr(money, attribute) + row["total"])
    return dict(out)


def pairing_money(pairing: Pairing) -> Money:
    """What the pairing's pledges and disbursements add up to, leaving out the rejected:
    the rule of `record_disbursement` counts those waiting for review too."""
    pledged = pairing.pledges.exclude(status=Review.REJECTED).aggregate(t=Sum("amount_fen"))["t"]
    disbursed = pairing.disbursements.exclude(status=Review.REJECTED).aggregate(
        t=Sum("amount_fen")
    )["t"]
    return Money(pledged or 0, disbursed or 0)


# Kinds of programme whose targets may lie outside the office's region: another county it
# helps, the regions its workers go to.
FAR_TARGETS = frozenset({Kind.PAIRED_COUNTY, Kind.LABOUR_COOPERATION})


def target_region(user: User, programme: Programme, code: str) -> Region:
    """The region a user names as a target: one of their scope, or, for a paired county or
    a partner region, any region of the tree (its names are no one's secret); else 404."""
    regions = Region.objects.all() if programme.kind in FAR_TARGETS else None
    if regions is None:
        prefix = scope_prefix(user)
        if prefix is None:
            raise Http404
        regions = Region.objects.filter(prefix_q("code", prefix))
    try:
        return regions.get(code=code)
    except Region.DoesNotExist:
        raise Http404 from None


def helper_for(user: User, organisation_id: int) -> Organisation:
    """A helper organisation of the user's region's directory; 404 otherwise."""
    return access_organisation(user, organisation_id)


def township_names(prefixes: list[str]) -> dict[str, str]:
    """The names of the townships whose 9-digit prefixes are given, by prefix."""
    codes = [prefix.ljust(12, "0") for prefix in prefixes]
    return {
        code[: SEGMENT_END[Level.TOWNSHIP]]: name
        for code, name in Region.objects.filter(code__in=codes).values_list("code", "name")
    }


def access_evidence(user: User, evidence_id: int) -> DisbursementEvidence:
    """A photo of a disbursement the user sees (its region's staff, its helper's rep)."""
    try:
        return DisbursementEvidence.objects.get(
            pk=evidence_id, disbursement__in=disbursements_visible_to(user)
        )
    except DisbursementEvidence.DoesNotExist:
        raise Http404 from None


@dataclass(frozen=True)
class HelperMoney:
    programme_id: int
    helper: str
    pledged_fen: int
    disbursed_fen: int


def money_by_helper(
    region_prefix: str, kind: str, as_of: datetime.date, *, most: int = 15
) -> list[HelperMoney]:
    """The accepted pledges and disbursements of a kind of programme in the region (by
    its code prefix), by helper, as of a day — as `pairing.pledged_fen` and
    `pairing.disbursed_fen` count them — the `most` helpers that pledged most first."""
    totals: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    names: dict[int, str] = {}
    for position, (model, day) in enumerate(
        ((PairingPledge, "pledged_on"), (Disbursement, "disbursed_on"))
    ):
        rows = (
            model.objects.filter(
                prefix_q("region_code", region_prefix),
                pairing__programme__kind=kind,
                status=Review.ACCEPTED,
                **{f"{day}__lte": as_of},
            )
            .values("pairing__programme_id", "pairing__helper_id", "pairing__helper__name")
            .annotate(total=Sum("amount_fen"))
            .order_by()
        )
        for row in rows:
            key = (row["pairing__programme_id"], row["pairing__helper_id"])
            totals[key][position] += row["total"]
            names[row["pairing__helper_id"]] = row["pairing__helper__name"]
    ranked = sorted(totals.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))
    return [
        HelperMoney(programme, names[helper], pledged, disbursed)
        for (programme, helper), (pledged, disbursed) in ranked[:most]
    ]
