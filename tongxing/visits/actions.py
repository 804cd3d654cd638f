"""Changes to visits: record one (with what it delivered), change or delete it, attach a
photo to it, record one and raise a need (a micro-wish too) for its household in the same
step, and keep the campaign days.

Every action checks its input field by field (`clean_visit`), re-reads the rights of the
actor on the household or village it writes (`rights.py`), whatever the caller sent, and
writes its audit event in its own transaction.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxing import public_cache
from tongxing.accounts.models import User
from tongxing.audit.log import record, snapshot
from tongxing.needs.actions import posting
from tongxing.needs.models import Kind, Need
from tongxing.photos import clean_photo
from tongxing.regions.codes import Level
from tongxing.regions.models import Region
from tongxing.registry.models import Household, Person
from tongxing.text import check_public_text, clean_text
from tongxing.visits import rights
from tongxing.visits.models import CampaignDay, DeliveryKind, Purpose, Visit, VisitDelivery

VISIT_FIELDS = (
    "visitor",
    "position",
    "visitor_region",
    "visited_on",
    "household",
    "village",
    "purpose",
    "notes",
    "findings",
    "place",
)
# Bounds on what one visit delivers, far above any real visit (a visit carries a few bags
# of rice, not a lorry): beyond them a typo (an extra zero or three) is refused.
MOST_LINES = 20
LARGEST_QUANTITY = {
    DeliveryKind.CLOTHING: 10_000,  # pieces
    DeliveryKind.GRAIN_OIL: 100_000,  # jin
    DeliveryKind.CASH: 100_000_000,  # fen: ¥1,000,000
    DeliveryKind.OTHER: 100_000,
}
# Visits are recorded for the work since the platform began, never for days to come.
EARLIEST_VISIT = datetime.date(2000, 1, 1)
CLIENT_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


@dataclass
class DeliveryLine:
    kind: str
    quantity: int | None
    description: str = ""


@dataclass
class VisitData:
    """A visit as entered: a household, or a village for a visit to the village as a whole."""

    visitor: Person | None
    visited_on: datetime.date | None
    purpose: str
    household: Household | None = None
    village: Region | None = None
    notes: str = ""
    findings: str = ""
    place: str = ""
    deliveries: list[DeliveryLine] = field(default_factory=list)


def current_date() -> datetime.date:
    return timezone.localdate()


def clean_visit(
    data: VisitData, *, today: datetime.date | None = None
) -> tuple[dict, list[VisitDelivery], dict[str, list[str]]]:
    """Validate a visit; return the model's values, its delivery lines and the errors by
    field (a line's fault on `deliveries.<n>.<field>`)."""
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    today = today or current_date()
    if data.visitor is None:
        err("visitor", _("Choose who made the visit."))
    if data.visited_on is None:
        err("visited_on", _("Give the day of the visit."))
    elif data.visited_on > today:
        err("visited_on", _("The day of a visit cannot be in the future."))
    elif data.visited_on < EARLIEST_VISIT:
        err("visited_on", _("Give a day from 2000 on."))
    if data.purpose not in Purpose.values:
        err("purpose", _("Choose the purpose of the visit."))
    household, village = data.household, data.village
    if household is not None:
        village = household.village
    elif village is None or village.level != Level.VILLAGE:
        err("household", _("Choose the household visited, or the village for a village visit."))
    notes = clean_text(data.notes, max_length=2000, multiline=True, field="notes", errors=errors)
    findings = clean_text(
        data.findings, max_length=2000, multiline=True, field="findings", errors=errors
    )
    place = clean_text(data.place, max_length=100, field="place", errors=errors)
    # Notes are read by staff and quoted in reports: no ID, phone or card number in them.
    for name, text in (("notes", notes), ("findings", findings), ("place", place)):
        if name not in errors:
            check_public_text(text, field=name, errors=errors)
    lines = _clean_lines(data.deliveries, errors)
    values = {
        "visitor": data.visitor,
        "position": data.visitor.position if data.visitor is not None else "",
        "visitor_region": data.visitor.region if data.visitor is not None else None,
        "visited_on": data.visited_on,
        "household": household,
        "village": village,
        "purpose": data.purpose,
        "notes": notes,
        "findings": findings,
        "place": place,
    }
    return values, lines, errors


def _clean_lines(lines: list[DeliveryLine], errors: dict[str, list[str]]) -> list[VisitDelivery]:
    if len(lines) > MOST_LINES:
        errors.setdefault("deliveries", []).append(
            _("A visit has at most %(count)s lines of what was delivered.") % {"count": MOST_LINES}
        )
        return []
    out = []
    for index, line in enumerate(lines):
        prefix = f"deliveries.{index}."
        if line.kind not in DeliveryKind.values:
            errors.setdefault(prefix + "kind", []).append(
                _("Choose clothing, grain and oil, cash or other.")
            )
            continue
        largest = LARGEST_QUANTITY[line.kind]
        quantity = line.quantity
        if (
            not isinstance(quantity, int)
            or isinstance(quantity, bool)
            or not 1 <= quantity <= largest
        ):
            errors.setdefault(prefix + "quantity", []).append(
                _("Give a quantity from 1 to %(largest)s.") % {"largest": f"{largest:,}"}
            )
        description = clean_text(
            line.description, max_length=100, field=prefix + "description", errors=errors
        )
        if (
            line.kind == DeliveryKind.OTHER
            and not description
            and prefix + "description" not in errors
        ):
            errors.setdefault(prefix + "description", []).append(_("Say what was delivered."))
        elif prefix + "description" not in errors:
            check_public_text(description, field=prefix + "description", errors=errors)
        out.append(VisitDelivery(kind=line.kind, quantity=quantity, description=description))
    return out


def clean_client_key(key: str) -> str:
    key = (key or "").strip()
    if len(key) > 64 or not set(key) <= CLIENT_KEY_CHARS:
        raise ValidationError(
            {"client_key": [_("Send a key of up to 64 letters, digits, - or _.")]}
        )
    return key


def _replayed(key: str, by: User | None) -> Visit | None:
    """The visit an earlier sending of the same form saved, if any. A key someone else
    used is refused without telling whose it is (keys are random: it is not a resend)."""
    if not key:
        return None
    earlier = Visit.objects.filter(client_key=key).first()
    if earlier is None:
        return None
    if earlier.recorded_by_id != (by.pk if by is not None and by.pk else None):
        raise ValidationError({"client_key": [_("This key was used already: send a new one.")]})
    earlier.replayed = True
    return earlier


def visit_snapshot(visit: Visit, lines: list[VisitDelivery]) -> dict:
    return snapshot(visit, VISIT_FIELDS) | {
        "photo": bool(visit.photo),
        "deliveries": [
            {"kind": line.kind, "quantity": line.quantity, "description": line.description}
            for line in lines
        ],
    }


def record_visit(
    *,
    data: VisitData,
    by: User | None,
    photo: UploadedFile | None = None,
    client_key: str = "",
) -> Visit:
    """Record a visit and what it delivered. With a client key, a form sent again (after a
    network drop, a double tap) returns the visit the first sending saved, and saves
    nothing new (`visit.replayed` is then True)."""
    key = clean_client_key(client_key)
    with transaction.atomic():
        return _record(data=data, by=by, photo=photo, key=key)


def _record(*, data: VisitData, by: User | None, photo, key: str) -> Visit:
    earlier = _replayed(key, by)
    if earlier is not None:
        return earlier
    values, lines, errors = clean_visit(data)
    stored_photo = None
    try:
        stored_photo = clean_photo(photo)
    except ValidationError as refusal:
        for name, messages in refusal.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    if not rights.may_record(by, village=values["village"], household=values["household"]):
        raise PermissionDenied
    if not rights.may_name_visitor(by, values["visitor"]):
        raise ValidationError({"visitor": [_("Choose a visitor of your region.")]})
    visit = Visit(
        **values,
        photo=stored_photo or "",
        client_key=key or None,
        recorded_by=by if by is not None and by.pk else None,
    )
    try:
        # A savepoint: two sendings of one form racing each other meet at the unique key,
        # and the second returns what the first saved.
        with transaction.atomic():
            visit.save()
    except IntegrityError:
        earlier = _replayed(key, by)
        if earlier is None:
            raise
        return earlier
    for line in lines:
        line.visit = visit
    VisitDelivery.objects.bulk_create(lines)
    record(
        actor=by,
        action="visit.recorded",
        target=visit,
        region_code=visit.village_id,
        after=visit_snapshot(visit, lines),
    )
    visit.replayed = False
    return visit


def update_visit(*, visit: Visit, data: VisitData, by: User | None) -> Visit:
    """Change a visit and replace its lines. The visitor's position stays the one they
    held on the day, unless the visit is given to another visitor."""
    with transaction.atomic():
        visit = Visit.objects.select_for_update().get(pk=visit.pk)
        if not rights.may_change(by, visit):
            raise PermissionDenied
        values, lines, errors = clean_visit(data)
        if errors:
            raise ValidationError(errors)
        if not rights.may_record(by, village=values["village"], household=values["household"]):
            raise PermissionDenied
        if values["visitor"].pk != visit.visitor_id:
            if not rights.may_name_visitor(by, values["visitor"]):
                raise ValidationError({"visitor": [_("Choose a visitor of your region.")]})
        else:
            values.update(position=visit.position, visitor_region=visit.visitor_region)
        before = visit_snapshot(visit, list(visit.deliveries.all()))
        for name, value in values.items():
            setattr(visit, name, value)
        visit.save()
        visit.deliveries.all().delete()
        for line in lines:
            line.visit = visit
        VisitDelivery.objects.bulk_create(lines)
        record(
            actor=by,
            action="visit.changed",
            target=visit,
            region_code=visit.village_id,
            before=before,
            after=visit_snapshot(visit, lines),
        )
    return visit


def delete_visit(*, visit: Visit, by: User | None) -> None:
    """Delete a visit recorded by mistake; the audit log keeps what it said."""
    with transaction.atomic():
        visit = Visit.objects.select_for_update().get(pk=visit.pk)
        if not rights.may_change(by, visit):
            raise PermissionDenied
        before = visit_snapshot(visit, list(visit.deliveries.all()))
        record(
            actor=by,
            action="visit.deleted",
            target=visit,
            region_code=visit.village_id,
            before=before,
        )
        photo = visit.photo.name if visit.photo else ""
        visit.delete()
        if photo:
            storage = Visit._meta.get_field("photo").storage
            # After the commit: a rollback keeps the row, and so must keep its photo.
            transaction.on_commit(lambda: storage.delete(photo))


def attach_photo(*, visit: Visit, photo: UploadedFile | None, by: User | None) -> Visit:
    """Attach a photo to a visit, or replace its photo: a phone sends the visit first and
    its photo when the signal allows. The photo is re-encoded without its EXIF (no place,
    no camera); only the visit's `place` field, written on purpose, says where it was."""
    if photo is None:
        raise ValidationError({"photo": [_("Choose a photo to upload.")]})
    stored = clean_photo(photo)  # refused on `photo` before the visit is locked
    with transaction.atomic():
        visit = Visit.objects.select_for_update().get(pk=visit.pk)
        if not rights.may_attach_photo(by, visit):
            raise PermissionDenied
        replaced = visit.photo.name if visit.photo else ""
        visit.photo.save(stored.name, stored, save=False)
        visit.save(update_fields=["photo"])
        record(
            actor=by,
            action="visit.photo_attached",
            target=visit,
            region_code=visit.village_id,
            before={"photo": bool(replaced)},
            after={"photo": True},
        )
        if replaced:
            storage = Visit._meta.get_field("photo").storage
            # The old file goes once the new one is committed; a rollback keeps it.
            transaction.on_commit(lambda: storage.delete(replaced))
    return visit


@public_cache.changes("board")  # first, as every writer of the board takes it
def raise_need(
    *,
    data: VisitData,
    need: posting.NeedData,
    by: User | None,
    photo: UploadedFile | None = None,
    client_key: str = "",
) -> tuple[Visit, Need]:
    """Record a visit to a household and post a need for it from what the visit found,
    through the board's own posting action: submitted for the township's review like any
    other need. A micro-wish names a left-behind child of the household visited. Both are
    saved, or neither."""
    if data.household is None:
        raise ValidationError({"household": [_("A need is raised for the household visited.")]})
    key = clean_client_key(client_key)
    with transaction.atomic():
        visit = _record(data=data, by=by, photo=photo, key=key)
        if visit.replayed and visit.need_id is not None:
            return visit, visit.need
        need.household = visit.household
        need.village = None
        # A micro-wish is a child's: one of the household visited, whatever the caller
        # named (the board's posting action takes the household from the child).
        child = need.child if need.kind == Kind.WISH else None
        if child is not None and child.household_id != visit.household_id:
            _values, faults = posting.clean_need(need)  # every fault at once
            faults["child"] = [_("Choose a child of the household visited.")]
            raise ValidationError({f"need.{name}": text for name, text in faults.items()})
        try:
            posted = posting.create_need(data=need, by=by, submit=True)
        except ValidationError as refusal:
            # The need's fields answer under `need.`: the visit's are checked already.
            raise ValidationError(
                {f"need.{name}": messages for name, messages in refusal.message_dict.items()}
            ) from None
        visit.need = posted
        visit.save(update_fields=["need"])
        record(
            actor=by,
            action="visit.need_raised",
            target=visit,
            region_code=visit.village_id,
            after={"need": posted.pk},
        )
    return visit, posted


# --- Campaign days ----------------------------------------------------------------------------


def set_campaign_day(*, day: datetime.date, name: str, by: User | None) -> CampaignDay:
    """Add a campaign day, or rename one. A year's days replace its default 17 October."""
    if not rights.may_keep_campaign_days(by):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    name = clean_text(name, max_length=60, field="name", errors=errors)
    if not name and "name" not in errors:
        errors.setdefault("name", []).append(_("Name the day."))
    if not EARLIEST_VISIT <= day <= current_date() + datetime.timedelta(days=3 * 366):
        errors.setdefault("day", []).append(_("Give a day from 2000 to three years from now."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        campaign_day, created = CampaignDay.objects.select_for_update().get_or_create(
            day=day, defaults={"name": name}
        )
        before = None if created else {"name": campaign_day.name}
        campaign_day.name = name
        campaign_day.save()
        record(
            actor=by,
            action="visit.campaign_day_set",
            target=campaign_day,
            before=before,
            after={"day": day.isoformat(), "name": name},
        )
    return campaign_day


def remove_campaign_day(*, campaign_day: CampaignDay, by: User | None) -> None:
    """Remove a campaign day; a year left with none has its 17 October again."""
    if not rights.may_keep_campaign_days(by):
        raise PermissionDenied
    with transaction.atomic():
        # Read again under a lock: removed meanwhile (two tabs, a double tap), it says so
        # rather than logging a removal that removed nothing.
        campaign_day = CampaignDay.objects.select_for_update().filter(pk=campaign_day.pk).first()
        if campaign_day is None:
            raise ValidationError({"day": [_("This campaign day was removed already.")]})
        record(
            actor=by,
            action="visit.campaign_day_removed",
            target=campaign_day,
            before={"day": campaign_day.day.isoformat(), "name": campaign_day.name},
        )
        campaign_day.delete()


# --- Recorded visits, in bulk -----------------------------------------------------------------


@dataclass
class RecordedVisit:
    """A visit recorded earlier (the demo's year; later, the records an office brings):
    the visit, when it was recorded, and a key of its own that makes a second run of the
    same records add nothing."""

    data: VisitData
    recorded_at: datetime.datetime
    key: str


def record_visits(*, visits: list[RecordedVisit], by: User | None) -> int:
    """Record many visits at once, each checked as `record_visit` checks one (its fields,
    lines, household or village, visitor and the actor's rights), with the same rows and
    audit events; any fault refuses them all, named `visits.<n>.<field>`. Visits whose key
    is on file already are left alone. Returns how many were recorded."""
    from tongxing.audit.log import record_history
    from tongxing.queries import insert_many

    keys = [clean_client_key(item.key) for item in visits]
    if any(not key for key in keys) or len(set(keys)) != len(keys):
        raise ValidationError({"visits": [_("Give every recorded visit a key of its own.")]})
    known = set()
    for start in range(0, len(keys), 500):  # every IN (…) list at most 500 values
        chunk = keys[start : start + 500]
        known.update(
            Visit.objects.filter(client_key__in=chunk).values_list("client_key", flat=True)
        )
    errors: dict[str, list[str]] = {}
    planned: list[tuple[Visit, list[VisitDelivery]]] = []
    recorder = by if by is not None and by.pk else None
    for index, (item, key) in enumerate(zip(visits, keys, strict=True)):
        if key in known:
            continue
        values, lines, faults = clean_visit(item.data, today=timezone.localdate(item.recorded_at))
        if not faults:
            if not rights.may_record(by, village=values["village"], household=values["household"]):
                raise PermissionDenied
            if not rights.may_name_visitor(by, values["visitor"]):
                faults["visitor"] = [_("Choose a visitor of your region.")]
        for name, messages in faults.items():
            errors[f"visits.{index}.{name}"] = messages
        if not faults:
            visit = Visit(
                **values, client_key=key, recorded_by=recorder, recorded_at=item.recorded_at
            )
            planned.append((visit, lines))
    if errors:
        raise ValidationError(errors)
    if not planned:
        return 0
    with transaction.atomic():
        insert_many(Visit, [visit for visit, _lines in planned], keep_moments=True)
        ids: dict[str, int] = {}
        new_keys = [visit.client_key for visit, _lines in planned]
        for start in range(0, len(new_keys), 500):
            chunk = new_keys[start : start + 500]
            ids.update(Visit.objects.filter(client_key__in=chunk).values_list("client_key", "pk"))
        deliveries = []
        events = []
        for visit, lines in planned:
            visit.pk = ids[visit.client_key]
            for line in lines:
                line.visit_id = visit.pk
                deliveries.append(line)
            events.append(
                (
                    visit.recorded_at,
                    recorder,
                    "visit.recorded",
                    visit,
                    visit.village_id,
                    None,
                    visit_snapshot(visit, lines),
                )
            )
        insert_many(VisitDelivery, deliveries)
        record_history(events)
    return len(planned)
