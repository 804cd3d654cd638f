"""The pairing programmes' figures (indicators.md, sections 2 and 5), declared as measures
(`tongxing.figures.Measure`); the indicators catalogue finds them here by code.

Every record is counted where its `region_code` lies: its target's region, or the office's
for a target elsewhere (a paired county, a partner region). Dates are days in the office's
time zone; a period is its first and last day.

- A programme, a pairing "in the period": overlapping it (a programme from `starts_on`
  through `ends_on`, a pairing from `since` through `until`).
- Money and exchanges count what the office accepted, never what an organisation recorded
  and waits for its review or was rejected.
  Section 2's pledged and disbursed sums are "as of" the period's last day (the report's
  cumulative 共达成 / 已落实); a disbursement counts funds and materials at their value.
- Coverage (一对一全覆盖): of the enterprise–village programme's target villages, those with
  a pairing that holds on the period's last day — or on the programme's own last day, for a
  programme that ended before it. The catalogue's rate divides `pairing.targets_paired` by
  `pairing.targets`.
- The start month (自今年 M 月份) is the month of the earliest enterprise–village programme
  that started within the period (the report's period is a year): none, where none did.
"""

import datetime

from django.db.models import F, Q, QuerySet
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from tongxing.figures import DISTINCT, MIN, SUM, Measure, Window
from tongxing.programs.models import (
    Disbursement,
    DisbursementKind,
    Exchange,
    Kind,
    Pairing,
    PairingPledge,
    Programme,
    ProgrammeTarget,
    Review,
)
from tongxing.regions.models import Region
from tongxing.registry.models import Organisation, OrganisationKind


def _first(w: Window) -> datetime.date:
    return timezone.localdate(w.start)


def _last(w: Window) -> datetime.date:
    return timezone.localdate(w.end) - datetime.timedelta(days=1)


def _programme_in(w: Window, via: str = "programme__") -> Q:
    """The programme runs on some day of the period."""
    return Q(**{f"{via}starts_on__lte": _last(w)}) & (
        Q(**{f"{via}ends_on__isnull": True}) | Q(**{f"{via}ends_on__gte": _first(w)})
    )


def _pairing_in(w: Window) -> Q:
    """The pairing holds on some day of the period."""
    return Q(since__lte=_last(w)) & (Q(until__isnull=True) | Q(until__gte=_first(w)))


def _holding_at_end(w: Window) -> Q:
    """Pairings that hold on the period's last day, or on their programme's last day when
    the programme ended before it."""
    last = _last(w)
    ended_with_programme = Q(programme__ends_on__lt=last) & Q(until__gte=F("programme__ends_on"))
    return Q(since__lte=last) & (Q(until__isnull=True) | Q(until__gte=last) | ended_with_programme)


def _targets(kind: str, **where):
    def condition(w: Window) -> Q:
        return Q(programme__kind=kind, **where) & _programme_in(w)

    return condition


def _paired_targets(w: Window) -> Q:
    holding = Pairing.objects.filter(_holding_at_end(w)).values("target")
    return _targets(Kind.ENTERPRISE_VILLAGE)(w) & Q(pk__in=holding)


def _helpers(kind: str, **where):
    def condition(w: Window) -> Q:
        return Q(programme__kind=kind, **where) & _pairing_in(w)

    return condition


def _accepted_as_of(day_field: str, kind: str):
    def condition(w: Window) -> Q:
        return Q(
            pairing__programme__kind=kind,
            status=Review.ACCEPTED,
            **{f"{day_field}__lte": _last(w)},
        )

    return condition


def _disbursed_in(kind: str):
    def condition(w: Window) -> Q:
        return Q(
            pairing__programme__kind=Kind.PAIRED_COUNTY,
            kind=kind,
            status=Review.ACCEPTED,
            disbursed_on__gte=_first(w),
            disbursed_on__lte=_last(w),
        )

    return condition


def _exchanged(w: Window) -> Q:
    return Q(
        pairing__programme__kind=Kind.SCHOOL_PAIRING,
        status=Review.ACCEPTED,
        exchanged_on__gte=_first(w),
        exchanged_on__lte=_last(w),
    )


def _started_in(w: Window) -> Q:
    return Q(kind=Kind.ENTERPRISE_VILLAGE, starts_on__gte=_first(w), starts_on__lte=_last(w))


def _regions(qs: QuerySet) -> QuerySet:
    return Region.objects.filter(pk__in=qs.values("region"))


def _organisations(qs: QuerySet) -> QuerySet:
    return Organisation.objects.filter(pk__in=qs.values("helper"))


def _villages(tag: str) -> Measure:
    return Measure(
        ProgrammeTarget,
        "region_code",
        _targets(Kind.ENTERPRISE_VILLAGE, **{f"region__{tag}": True}),
        DISTINCT,
        "region",
        _regions,
    )


MEASURES: dict[str, Measure] = {
    # 2. Enterprise–village pairing (百企联百村)
    "pairing.program_start_month": Measure(
        Programme, "region__code", _started_in, MIN, ExtractMonth("starts_on")
    ),
    "pairing.villages.key_poor": _villages("key_poor_village"),
    "pairing.villages.relocation": _villages("relocation_village"),
    "pairing.villages.provincial_key": _villages("provincial_key_village"),
    "pairing.enterprises": Measure(
        Pairing,
        "region_code",
        _helpers(Kind.ENTERPRISE_VILLAGE, helper__kind=OrganisationKind.PRIVATE_ENTERPRISE),
        DISTINCT,
        "helper",
        _organisations,
    ),
    # The parts of `pairing.coverage_rate`.
    "pairing.targets_paired": Measure(
        ProgrammeTarget, "region_code", _paired_targets, DISTINCT, "region", _regions
    ),
    "pairing.targets": Measure(
        ProgrammeTarget,
        "region_code",
        _targets(Kind.ENTERPRISE_VILLAGE),
        DISTINCT,
        "region",
        _regions,
    ),
    "pairing.pledged_fen": Measure(
        PairingPledge,
        "region_code",
        _accepted_as_of("pledged_on", Kind.ENTERPRISE_VILLAGE),
        SUM,
        "amount_fen",
    ),
    "pairing.disbursed_fen": Measure(
        Disbursement,
        "region_code",
        _accepted_as_of("disbursed_on", Kind.ENTERPRISE_VILLAGE),
        SUM,
        "amount_fen",
    ),
    # 5. Regional cooperation and designated assistance
    "cooperation.paired_county.funds_fen": Measure(
        Disbursement, "region_code", _disbursed_in(DisbursementKind.FUNDS), SUM, "amount_fen"
    ),
    "cooperation.paired_county.materials_fen": Measure(
        Disbursement, "region_code", _disbursed_in(DisbursementKind.MATERIALS), SUM, "amount_fen"
    ),
    "cooperation.labor.partner_regions": Measure(
        ProgrammeTarget,
        "region_code",
        _targets(Kind.LABOUR_COOPERATION),
        DISTINCT,
        "region",
        _regions,
    ),
    "cooperation.education.teachers_exchanged": Measure(
        Exchange, "region_code", _exchanged, SUM, "people"
    ),
    "cooperation.designated.units": Measure(
        Pairing, "region_code", _helpers(Kind.DESIGNATED_UNIT), DISTINCT, "helper", _organisations
    ),
}
