"""Every change of the pairing programmes: programmes and their targets, pairings (kept
as history), pledges and disbursements (with their review), exchanges, labour activities.

Each action takes keyword-only arguments and the actor (`by`, None for a command or the
demo), checks the right on the object as it is in the database (`rights.py`), whatever
the caller sent, and writes its audit event in its one transaction. Bad input is refused
with a ValidationError naming each field, and nothing is written.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxing.accounts.models import User
from tongxing.audit.log import record, record_update, snapshot
from tongxing.photos import clean_photo
from tongxing.programs import rights
from tongxing.programs.models import (
    Direction,
    Disbursement,
    DisbursementEvidence,
    DisbursementKind,
    Exchange,
    Kind,
    LabourActivity,
    LabourKind,
    Pairing,
    PairingPledge,
    Programme,
    ProgrammeTarget,
    Review,
)
from tongxing.programs.selectors import active_on, pairing_money
from tongxing.queries import prefix_q
from tongxing.regions.codes import Level
from tongxing.regions.models import TAGS, Region
from tongxing.registry.models import Organisation, OrganisationKind
from tongxing.tabular import RowError
from tongxing.text import check_public_text, clean_text

if TYPE_CHECKING:  # the imports read rows with the selectors, which the actions use too
    from tongxing.programs.imports import Parsed

# A pledge or disbursement larger than this (100 million yuan) is a typing error.
MAX_FEN = 100_000_000_00
MAX_PEOPLE = 100_000
MAX_EVIDENCE = 5
# How far ahead a programme or a pairing may be planned.
PLANNING_DAYS = 366
FOUNDED = datetime.date(2000, 1, 1)

PROGRAMME_FIELDS = ("kind", "name", "starts_on", "ends_on", "region")
PAIRING_FIELDS = ("programme", "target", "helper", "since", "until", "replaces")


def _today() -> datetime.date:
    return timezone.localdate()


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _text(value: str, field: str, errors: dict, *, max_length: int = 200, public: bool = True):
    cleaned = clean_text(value or "", max_length=max_length, field=field, errors=errors)
    if public and cleaned and field not in errors:
        # What a pairing records is read in pages and reports beyond its region.
        check_public_text(cleaned, field=field, errors=errors)
    return cleaned


def _date(value, field: str, errors: dict, *, latest: datetime.date) -> None:
    if not isinstance(value, datetime.date):
        errors.setdefault(field, []).append(_("Enter a date."))
    elif value < FOUNDED:
        errors.setdefault(field, []).append(_("Enter a date from 2000 on."))
    elif value > latest:
        errors.setdefault(field, []).append(
            _("Enter a date no later than %(day)s.") % {"day": latest.isoformat()}
        )


def _amount(value, field: str, errors: dict) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        errors.setdefault(field, []).append(_("Enter an amount above zero."))
    elif value > MAX_FEN:
        errors.setdefault(field, []).append(_("Enter an amount of at most ¥100,000,000."))


def _people(value, field: str, errors: dict, *, allow_zero: bool = False) -> None:
    least = 0 if allow_zero else 1
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        errors.setdefault(field, []).append(
            _("Enter a whole number of people from %(least)s.") % {"least": least}
        )
    elif value > MAX_PEOPLE:
        errors.setdefault(field, []).append(_("Enter at most 100,000 people."))


def _scope_code(programme: Programme, region: Region) -> str:
    """The code a target's records are scoped and counted by: its own when it lies in the
    programme's region, else the programme's (a paired county elsewhere)."""
    return region.code if region.code.startswith(programme.region.prefix) else programme.region_id


# --- Programmes ----------------------------------------------------------------------------


def _check_programme(kind, name, starts_on, ends_on, errors) -> str:
    if kind not in Kind.values:
        errors.setdefault("kind", []).append(_("Choose a kind of programme."))
    name = _text(name, "name", errors, max_length=100)
    if not name and "name" not in errors:
        errors.setdefault("name", []).append(_("Give the programme a name."))
    latest = _today() + datetime.timedelta(days=PLANNING_DAYS)
    _date(starts_on, "starts_on", errors, latest=latest)
    if ends_on is not None:
        _date(ends_on, "ends_on", errors, latest=datetime.date(2100, 12, 31))
        if "starts_on" not in errors and "ends_on" not in errors and ends_on < starts_on:
            errors.setdefault("ends_on", []).append(_("The end comes before the start."))
    return name


def create_programme(
    *,
    kind: str,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    region: Region,
    by: User | None,
) -> Programme:
    """Start a programme run by the office of `region`."""
    rights.require(rights.may_create_in(by, region.code))
    errors: dict[str, list[str]] = {}
    name = _check_programme(kind, name, starts_on, ends_on, errors)
    if region.level > Level.COUNTY:
        errors.setdefault("region", []).append(_("A programme is run by a city or county office."))
    _raise(errors)
    with transaction.atomic():
        programme = Programme.objects.create(
            kind=kind,
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            region=region,
            created_by=by,
        )
        record(
            actor=by,
            action="programme.created",
            target=programme,
            region_code=region.code,
            after=snapshot(programme, PROGRAMME_FIELDS),
        )
    return programme


def edit_programme(
    *,
    programme: Programme,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    by: User | None,
) -> Programme:
    """Rename a programme or move its dates (its kind and region stay)."""
    errors: dict[str, list[str]] = {}
    name = _check_programme(programme.kind, name, starts_on, ends_on, errors)
    _raise(errors)
    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        rights.require(rights.may_run(by, programme))
        first = programme.pairings.order_by("since").values_list("since", flat=True).first()
        if first is not None and starts_on > first:
            raise ValidationError(
                {"starts_on": [_("A pairing of the programme starts before this date.")]}
            )
        record_update(
            programme,
            {"name": name, "starts_on": starts_on, "ends_on": ends_on},
            actor=by,
            action="programme.changed",
            fields=("name", "starts_on", "ends_on"),
            region_code=programme.region_id,
        )
    return programme


# --- Targets -------------------------------------------------------------------------------

TARGET_LEVELS = {
    Kind.ENTERPRISE_VILLAGE: {Level.VILLAGE},
    Kind.DESIGNATED_UNIT: {Level.VILLAGE},
    Kind.PAIRED_COUNTY: {Level.COUNTY},
    Kind.LABOUR_COOPERATION: {Level.CITY, Level.COUNTY},
    Kind.SCHOOL_PAIRING: set(Level.values),  # a school, wherever it is
}


def _add_targets(programme: Programme, regions, by, how: str) -> list[ProgrammeTarget]:
    existing = set(
        programme.targets.filter(organisation__isnull=True).values_list("region_id", flat=True)
    )
    added = [
        ProgrammeTarget.objects.create(
            programme=programme, region=region, region_code=_scope_code(programme, region)
        )
        for region in regions
        if region.code not in existing
    ]
    if added:
        record(
            actor=by,
            action="programme.targets_added",
            target=programme,
            region_code=programme.region_id,
            after={"targets": [t.region_id for t in added], "how": how},
        )
    return added


def add_targets_by_tag(*, programme: Programme, tag: str, by: User | None) -> list[ProgrammeTarget]:
    """Add every village of the programme's region that carries the tag (key poor,
    relocation, provincial key); those already targets stay as they are."""
    if tag not in TAGS:
        raise ValidationError({"tag": [_("Choose a tag of villages.")]})
    with transaction.atomic():
        programme = (
            Programme.objects.select_for_update().select_related("region").get(pk=programme.pk)
        )
        rights.require(rights.may_run(by, programme))
        if Level.VILLAGE not in TARGET_LEVELS[programme.kind]:
            raise ValidationError({"tag": [_("This kind of programme does not help villages.")]})
        villages = Region.objects.filter(
            prefix_q("code", programme.region.prefix), level=Level.VILLAGE, **{tag: True}
        ).order_by("code")
        return _add_targets(programme, villages, by, tag)


def add_target(
    *,
    programme: Programme,
    region: Region | None = None,
    organisation: Organisation | None = None,
    by: User | None,
) -> ProgrammeTarget:
    """Add one target by hand: a region (village, county, partner region) or a school."""
    with transaction.atomic():
        programme = (
            Programme.objects.select_for_update().select_related("region").get(pk=programme.pk)
        )
        rights.require(rights.may_run(by, programme))
        if programme.kind == Kind.SCHOOL_PAIRING:
            if organisation is None or organisation.kind != OrganisationKind.SCHOOL:
                raise ValidationError({"organisation": [_("Choose a school.")]})
            region = organisation.region
            if programme.targets.filter(organisation=organisation).exists():
                raise ValidationError({"organisation": [_("The school is already a target.")]})
            target = ProgrammeTarget.objects.create(
                programme=programme,
                region=region,
                organisation=organisation,
                region_code=_scope_code(programme, region),
            )
            record(
                actor=by,
                action="programme.targets_added",
                target=programme,
                region_code=programme.region_id,
                after={"targets": [region.code], "organisation": organisation.pk, "how": "hand"},
            )
            return target
        if region is None or region.level not in TARGET_LEVELS[programme.kind]:
            raise ValidationError(
                {"region": [_("Choose a region of the level this kind of programme helps.")]}
            )
        inside = region.code.startswith(programme.region.prefix)
        if programme.kind in (Kind.ENTERPRISE_VILLAGE, Kind.DESIGNATED_UNIT) and not inside:
            raise ValidationError({"region": [_("Choose a village of the programme's region.")]})
        added = _add_targets(programme, [region], by, "hand")
        if not added:
            raise ValidationError({"region": [_("The region is already a target.")]})
        return added[0]


# --- Pairings ------------------------------------------------------------------------------


def _lock_pairing(pairing: Pairing) -> Pairing:
    return (
        Pairing.objects.select_for_update()
        .select_related("programme__region", "target__region", "helper")
        .get(pk=pairing.pk)
    )


def _check_open_overlap(target: ProgrammeTarget, helper: Organisation, since, errors, skip=None):
    clash = Pairing.objects.filter(target=target, helper=helper).exclude(until__lt=since)
    if skip is not None:
        clash = clash.exclude(pk=skip.pk)
    if clash.exists():
        errors.setdefault("helper", []).append(
            _("This organisation is already paired with the target then.")
        )


def pair(
    *, target: ProgrammeTarget, helper: Organisation, since: datetime.date, by: User | None
) -> Pairing:
    """Pair a helper organisation with a target from a day on (one target may have several
    helpers, one helper several targets)."""
    with transaction.atomic():
        target = ProgrammeTarget.objects.select_related("programme__region", "region").get(
            pk=target.pk
        )
        programme = Programme.objects.select_for_update().get(pk=target.programme_id)
        rights.require(rights.may_run(by, programme))
        errors: dict[str, list[str]] = {}
        _date(since, "since", errors, latest=_today() + datetime.timedelta(days=PLANNING_DAYS))
        if "since" not in errors and since < programme.starts_on:
            errors.setdefault("since", []).append(_("The programme starts later."))
        if "since" not in errors and programme.ends_on and since > programme.ends_on:
            errors.setdefault("since", []).append(_("The programme has ended by then."))
        if "since" not in errors:
            _check_open_overlap(target, helper, since, errors)
        _raise(errors)
        pairing = Pairing.objects.create(
            programme=programme,
            target=target,
            helper=helper,
            since=since,
            region_code=target.region_code,
            created_by=by,
        )
        record(
            actor=by,
            action="pairing.created",
            target=pairing,
            region_code=pairing.region_code,
            after=snapshot(pairing, PAIRING_FIELDS),
        )
    return pairing


def end_pairing(*, pairing: Pairing, until: datetime.date, by: User | None) -> Pairing:
    """End a pairing on its last day; its record stays as history."""
    with transaction.atomic():
        pairing = _lock_pairing(pairing)
        rights.require(rights.may_run(by, pairing.programme))
        if pairing.until is not None:
            raise ValidationError({"until": [_("The pairing has already ended.")]})
        errors: dict[str, list[str]] = {}
        _date(until, "until", errors, latest=_today() + datetime.timedelta(days=PLANNING_DAYS))
        if "until" not in errors and until < pairing.since:
            errors.setdefault("until", []).append(_("The pairing starts after this date."))
        _raise(errors)
        record_update(
            pairing,
            {"until": until},
            actor=by,
            action="pairing.ended",
            fields=("until",),
            region_code=pairing.region_code,
        )
    return pairing


def change_pairing(
    *,
    pairing: Pairing,
    on: datetime.date,
    helper: Organisation | None = None,
    target: ProgrammeTarget | None = None,
    by: User | None,
) -> Pairing:
    """Change a pairing's helper or target from a day on: the pairing ends the day before
    and a new one, which names it, starts that day; the past is never rewritten."""
    with transaction.atomic():
        old = _lock_pairing(pairing)
        rights.require(rights.may_run(by, old.programme))
        errors: dict[str, list[str]] = {}
        if old.until is not None:
            errors.setdefault("on", []).append(_("The pairing has already ended."))
        helper = helper or old.helper
        target = target or old.target
        if target.programme_id != old.programme_id:
            errors.setdefault("target", []).append(_("Choose a target of the same programme."))
        if helper.pk == old.helper_id and target.pk == old.target_id:
            errors.setdefault("helper", []).append(_("Choose another helper or target."))
        _date(on, "on", errors, latest=_today() + datetime.timedelta(days=PLANNING_DAYS))
        if "on" not in errors and on <= old.since:
            errors.setdefault("on", []).append(
                _("Change it after the day it started; a pairing of one day is ended instead.")
            )
        if not errors:
            _check_open_overlap(target, helper, on, errors, skip=old)
        _raise(errors)
        record_update(
            old,
            {"until": on - datetime.timedelta(days=1)},
            actor=by,
            action="pairing.ended",
            fields=("until",),
            region_code=old.region_code,
        )
        new = Pairing.objects.create(
            programme=old.programme,
            target=target,
            helper=helper,
            since=on,
            replaces=old,
            region_code=target.region_code,
            created_by=by,
        )
        record(
            actor=by,
            action="pairing.changed",
            target=new,
            region_code=new.region_code,
            before=snapshot(old, ("target", "helper", "since")),
            after=snapshot(new, PAIRING_FIELDS),
        )
    return new


# --- Money -------------------------------------------------------------------------------


def _status_for(by: User | None, pairing: Pairing) -> str:
    """The office's own records count at once; an organisation's wait for its review."""
    rights.require(rights.may_record_on(by, pairing))
    if rights.keeps_records_of(by, pairing.region_code):
        return Review.ACCEPTED
    return Review.PENDING


def _within_pairing(day, pairing: Pairing, field: str, errors: dict) -> None:
    _date(day, field, errors, latest=_today())
    if field in errors:
        return
    if day < pairing.since:
        errors.setdefault(field, []).append(_("The pairing starts after this date."))
    elif pairing.until is not None and day > pairing.until:
        errors.setdefault(field, []).append(_("The pairing had ended by this date."))


def record_pledge(
    *,
    pairing: Pairing,
    amount_fen: int,
    purpose: str,
    pledged_on: datetime.date,
    by: User | None,
) -> PairingPledge:
    """Record what a helper promises (意向). An organisation's own pledge waits for review."""
    with transaction.atomic():
        pairing = _lock_pairing(pairing)
        status = _status_for(by, pairing)
        errors: dict[str, list[str]] = {}
        _amount(amount_fen, "amount_fen", errors)
        purpose = _text(purpose, "purpose", errors)
        if not purpose and "purpose" not in errors:
            errors.setdefault("purpose", []).append(_("Say what the money is for."))
        _within_pairing(pledged_on, pairing, "pledged_on", errors)
        _raise(errors)
        pledge = PairingPledge.objects.create(
            pairing=pairing,
            amount_fen=amount_fen,
            purpose=purpose,
            pledged_on=pledged_on,
            status=status,
            recorded_by=by,
            region_code=pairing.region_code,
        )
        record(
            actor=by,
            action="pairing_pledge.recorded",
            target=pledge,
            region_code=pledge.region_code,
            after=snapshot(pledge, ("pairing", "amount_fen", "purpose", "pledged_on", "status")),
        )
    return pledge


def record_disbursement(
    *,
    pairing: Pairing,
    kind: str,
    amount_fen: int,
    disbursed_on: datetime.date,
    description: str = "",
    evidence: Sequence[UploadedFile] = (),
    excess_reason: str = "",
    by: User | None,
) -> Disbursement:
    """Record funds paid, or materials delivered with their value (落实).

    A disbursement that would bring the pairing's disbursements beyond its pledges is
    refused, unless a reason is given: then it is recorded and flagged. Both sides count
    what is accepted or waiting for review, not what was rejected.
    """
    errors: dict[str, list[str]] = {}
    if len(evidence) > MAX_EVIDENCE:
        errors.setdefault("evidence", []).append(
            _("Add at most %(count)s photos.") % {"count": MAX_EVIDENCE}
        )
    photos = []
    if not errors:
        for upload in evidence:
            try:
                photos.append(clean_photo(upload, field="evidence"))  # no place, no device
            except ValidationError as exc:
                for message in exc.message_dict.get("evidence", []):
                    errors.setdefault("evidence", []).append(message)
    with transaction.atomic():
        # The pairing's row, locked, orders every disbursement of it: two at once cannot
        # both pass the check against the pledges.
        pairing = _lock_pairing(pairing)
        status = _status_for(by, pairing)
        if kind not in DisbursementKind.values:
            errors.setdefault("kind", []).append(_("Choose funds or materials."))
        _amount(amount_fen, "amount_fen", errors)
        description = _text(description, "description", errors)
        if kind == DisbursementKind.MATERIALS and not description and "description" not in errors:
            errors.setdefault("description", []).append(_("Say what materials were delivered."))
        excess_reason = _text(excess_reason, "excess_reason", errors)
        _within_pairing(disbursed_on, pairing, "disbursed_on", errors)
        exceeds = False
        if "amount_fen" not in errors:
            money = pairing_money(pairing)
            exceeds = money.disbursed_fen + amount_fen > money.pledged_fen
            if exceeds and not excess_reason and "excess_reason" not in errors:
                errors.setdefault("amount_fen", []).append(
                    _(
                        "This brings the pairing's disbursements to ¥%(total)s, beyond the "
                        "¥%(pledged)s pledged. Give a reason to record it."
                    )
                    % {
                        "total": f"{(money.disbursed_fen + amount_fen) / 100:,.2f}",
                        "pledged": f"{money.pledged_fen / 100:,.2f}",
                    }
                )
        _raise(errors)
        disbursement = Disbursement.objects.create(
            pairing=pairing,
            kind=kind,
            amount_fen=amount_fen,
            description=description,
            disbursed_on=disbursed_on,
            exceeds_pledge=exceeds,
            excess_reason=excess_reason if exceeds else "",
            status=status,
            recorded_by=by,
            region_code=pairing.region_code,
        )
        for photo in photos:
            item = DisbursementEvidence(disbursement=disbursement)
            item.photo.save(photo.name, photo, save=False)
            item.save()
        record(
            actor=by,
            action="disbursement.recorded",
            target=disbursement,
            region_code=disbursement.region_code,
            after={
                **snapshot(
                    disbursement,
                    (
                        "pairing",
                        "kind",
                        "amount_fen",
                        "description",
                        "disbursed_on",
                        "exceeds_pledge",
                        "excess_reason",
                        "status",
                    ),
                ),
                "photos": len(photos),
            },
        )
    return disbursement


def _review(model, record_id: int, accept: bool, note: str, by: User | None, action: str):
    """The one review of what an organisation's rep recorded: a pledge, a disbursement,
    an exchange or a labour activity."""
    errors: dict[str, list[str]] = {}
    note = _text(note, "review_note", errors)
    if not accept and not note and "review_note" not in errors:
        errors.setdefault("review_note", []).append(_("Say why it is rejected."))
    _raise(errors)
    with transaction.atomic():
        item = model.objects.select_for_update().get(pk=record_id)
        rights.require(rights.may_review(by, item))
        if item.status != Review.PENDING:
            raise ValidationError({"status": [_("It has been reviewed already.")]})
        record_update(
            item,
            {
                "status": Review.ACCEPTED if accept else Review.REJECTED,
                "reviewed_by": by,
                "reviewed_at": timezone.now(),
                "review_note": note,
            },
            actor=by,
            action=action,
            fields=("status", "review_note"),
            region_code=item.region_code,
        )
    return item


def review_pledge(
    *, pledge: PairingPledge, accept: bool, note: str = "", by: User | None
) -> PairingPledge:
    """Accept or reject a pledge an organisation recorded (a rejection says why)."""
    action = "pairing_pledge.accepted" if accept else "pairing_pledge.rejected"
    return _review(PairingPledge, pledge.pk, accept, note, by, action)


def review_disbursement(
    *, disbursement: Disbursement, accept: bool, note: str = "", by: User | None
) -> Disbursement:
    """Accept or reject a disbursement an organisation recorded (a rejection says why)."""
    action = "disbursement.accepted" if accept else "disbursement.rejected"
    return _review(Disbursement, disbursement.pk, accept, note, by, action)


# --- Exchanges and labour ------------------------------------------------------------------


def record_exchange(
    *,
    pairing: Pairing,
    people: int,
    exchanged_on: datetime.date,
    direction: str,
    note: str = "",
    by: User | None,
) -> Exchange:
    """Record people (teachers, staff) sent between a paired school or unit and its target.
    An organisation's own exchange waits for the office's review."""
    with transaction.atomic():
        pairing = _lock_pairing(pairing)
        status = _status_for(by, pairing)
        errors: dict[str, list[str]] = {}
        _people(people, "people", errors)
        if direction not in Direction.values:
            errors.setdefault("direction", []).append(_("Choose a direction."))
        note = _text(note, "note", errors)
        _within_pairing(exchanged_on, pairing, "exchanged_on", errors)
        _raise(errors)
        exchange = Exchange.objects.create(
            pairing=pairing,
            people=people,
            exchanged_on=exchanged_on,
            direction=direction,
            note=note,
            status=status,
            region_code=pairing.region_code,
            recorded_by=by,
        )
        record(
            actor=by,
            action="exchange.recorded",
            target=exchange,
            region_code=exchange.region_code,
            after=snapshot(
                exchange, ("pairing", "people", "exchanged_on", "direction", "note", "status")
            ),
        )
    return exchange


def record_labour_activity(
    *,
    target: ProgrammeTarget,
    kind: str,
    held_on: datetime.date,
    people_placed: int = 0,
    note: str = "",
    by: User | None,
) -> LabourActivity:
    """Record a job fair or a placement with a partner region of a labour programme.

    The office records it for the region and it counts at once; a helper's representative
    records it on its organisation's pairing with the region that held on the day, and it
    waits for the office's review.
    """
    with transaction.atomic():
        target = ProgrammeTarget.objects.select_related("programme").get(pk=target.pk)
        helper = None
        if not rights.keeps_records_of(by, target.region_code):
            rights.require(rights.is_helper_rep_of_target(by, target))
            helper = rights.organisation_of(by)
        errors: dict[str, list[str]] = {}
        if target.programme.kind != Kind.LABOUR_COOPERATION:
            errors.setdefault("target", []).append(
                _("Choose a partner region of a labour-cooperation programme.")
            )
        if kind not in LabourKind.values:
            errors.setdefault("kind", []).append(_("Choose a job fair or a placement."))
        _date(held_on, "held_on", errors, latest=_today())
        pairing = None
        if helper is not None and "held_on" not in errors:
            # The rep's pairing that held on the day, locked like any record on a pairing.
            pairing = (
                Pairing.objects.select_for_update()
                .filter(active_on(held_on), target=target, helper=helper)
                .order_by("since", "pk")
                .first()
            )
            if pairing is None:
                errors.setdefault("held_on", []).append(
                    _("Your organisation was not paired with this partner region on that day.")
                )
        _people(people_placed, "people_placed", errors, allow_zero=True)
        note = _text(note, "note", errors)
        _raise(errors)
        activity = LabourActivity.objects.create(
            target=target,
            pairing=pairing,
            kind=kind,
            held_on=held_on,
            people_placed=people_placed,
            note=note,
            status=Review.ACCEPTED if helper is None else Review.PENDING,
            region_code=target.region_code,
            recorded_by=by,
        )
        record(
            actor=by,
            action="labour_activity.recorded",
            target=activity,
            region_code=activity.region_code,
            after=snapshot(
                activity,
                ("target", "pairing", "kind", "held_on", "people_placed", "note", "status"),
            ),
        )
    return activity


def review_exchange(
    *, exchange: Exchange, accept: bool, note: str = "", by: User | None
) -> Exchange:
    """Accept or reject an exchange an organisation recorded (a rejection says why)."""
    action = "exchange.accepted" if accept else "exchange.rejected"
    return _review(Exchange, exchange.pk, accept, note, by, action)


def review_labour_activity(
    *, activity: LabourActivity, accept: bool, note: str = "", by: User | None
) -> LabourActivity:
    """Accept or reject a labour activity an organisation recorded (a rejection says why)."""
    action = "labour_activity.accepted" if accept else "labour_activity.rejected"
    return _review(LabourActivity, activity.pk, accept, note, by, action)


# --- Imports -------------------------------------------------------------------------------


@dataclass
class ImportResult:
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Refused(Exception):
    """A row the single action refused: the whole import rolls back."""


# The fields the single actions name, as the file's columns.
IMPORT_COLUMNS = {
    "region": "target_code",
    "amount_fen": "amount",
    "excess_reason": "excess_reason",
}


def _row_errors(number: int, exc: ValidationError) -> list[RowError]:
    if not hasattr(exc, "error_dict"):
        return [RowError(number, "", message) for message in exc.messages]
    return [
        RowError(number, IMPORT_COLUMNS.get(name, name), message)
        for name, messages in exc.message_dict.items()
        for message in messages
    ]


def _import(rows, write) -> ImportResult:
    """Write every row through its single action in one transaction: with any row refused,
    nothing is kept and every refusal is named by its row."""
    errors: list[RowError] = []
    try:
        with transaction.atomic():
            for row in rows:
                try:
                    with transaction.atomic():
                        write(row)
                except ValidationError as exc:
                    errors.extend(_row_errors(row.number, exc))
            if errors:
                raise _Refused
    except _Refused:
        return ImportResult(0, errors)
    return ImportResult(len(rows), [])


def import_pairings(*, programme: Programme, parsed: "Parsed", by: User | None) -> ImportResult:
    """Pair the helpers of a spreadsheet with their targets (added where they are not yet
    targets of the programme): all or nothing."""
    rights.require(rights.may_run(by, programme))
    if parsed.errors:
        return ImportResult(0, parsed.errors)

    def write(row) -> None:
        target = programme.targets.filter(region=row.target, organisation__isnull=True).first()
        if target is None:
            target = add_target(programme=programme, region=row.target, by=by)
        pair(target=target, helper=row.helper, since=row.since, by=by)

    return _import(parsed.rows, write)


def import_disbursements(
    *, programme: Programme, parsed: "Parsed", by: User | None
) -> ImportResult:
    """Record the disbursements of a spreadsheet, each on the pairing of its helper with its
    target that held on its date: all or nothing."""
    if parsed.errors:
        return ImportResult(0, parsed.errors)

    def write(row) -> None:
        pairing = (
            Pairing.objects.filter(
                programme=programme,
                target__region=row.target,
                helper=row.helper,
                since__lte=row.disbursed_on,
            )
            .exclude(until__lt=row.disbursed_on)
            .first()
        )
        if pairing is None:
            raise ValidationError(
                {"helper": [_("This helper was not paired with this target on that day.")]}
            )
        record_disbursement(
            pairing=pairing,
            kind=row.kind,
            amount_fen=row.amount_fen,
            disbursed_on=row.disbursed_on,
            description=row.description,
            excess_reason=row.excess_reason,
            by=by,
        )

    return _import(parsed.rows, write)
