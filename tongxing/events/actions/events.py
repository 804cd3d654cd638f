"""Events: recorded with their sites and organisations, their outcomes recorded afterwards
(participants, the attendance list, income gains, live-stream figures, prizes, people
served); and the e-commerce service centre with its resident companies."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from tongxing.access import require_scope
from tongxing.accounts.models import User
from tongxing.audit.log import record_update, snapshot
from tongxing.events import rights
from tongxing.events.actions.common import audit, count_or_none, refuse, require_date, today
from tongxing.events.models import (
    Attendance,
    Event,
    EventKind,
    EventOrganisation,
    EventSite,
    IncomeGain,
    OrganisationRole,
    Prize,
    Residency,
    ServiceCentre,
    Topic,
)
from tongxing.regions.models import Region
from tongxing.registry.models import (
    Household,
    HouseholdStatus,
    Member,
    Organisation,
    OrganisationKind,
    Person,
)
from tongxing.registry.selectors import households_visible_to
from tongxing.text import clean_text

EVENT_FIELDS = ("kind", "title", "topic", "starts_on", "ends_on", "region_id")
OUTCOME_FIELDS = ("participants", "registered_attendees", "viewers", "orders", "people_served")
# The household status whose members count as attendees "from registered households".
REGISTERED = HouseholdStatus.REGISTERED_POOR
# Values of one IN (…) list: well within SQLite's limit of variables in a statement.
BATCH = 500


@dataclass
class EventData:
    kind: str
    title: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    region: Region | None
    topic: str = ""
    sites: list[tuple[Region, str]] = field(default_factory=list)
    organisers: list[Organisation] = field(default_factory=list)
    participating: list[Organisation] = field(default_factory=list)


def clean_event(data: EventData) -> tuple[dict, dict[str, list[str]]]:
    """The event's values and its errors by field."""
    errors: dict[str, list[str]] = {}
    values = {
        "kind": data.kind,
        "topic": data.topic or "",
        "title": clean_text(data.title, max_length=200, field="title", errors=errors),
        "starts_on": data.starts_on,
        "ends_on": data.ends_on or data.starts_on,
        "region": data.region,
    }
    if data.kind not in EventKind.values:
        errors.setdefault("kind", []).append(_("Choose a kind of event."))
    if values["topic"] and values["topic"] not in Topic.values:
        errors.setdefault("topic", []).append(_("Choose a topic."))
    if not values["title"] and "title" not in errors:
        errors.setdefault("title", []).append(_("Enter a title."))
    require_date(data.starts_on, "starts_on", errors)
    if data.ends_on is not None:
        require_date(data.ends_on, "ends_on", errors)
    if (
        "starts_on" not in errors
        and "ends_on" not in errors
        and values["ends_on"] < values["starts_on"]
    ):
        errors.setdefault("ends_on", []).append(_("The event cannot end before it starts."))
    if data.region is None:
        errors.setdefault("region", []).append(_("Choose the region the event belongs to."))
    for region, address in data.sites:
        if region is None:
            errors.setdefault("sites", []).append(_("Choose the region of each site."))
        clean_text(address, max_length=200, field="sites", errors=errors)
    both = {o.pk for o in data.organisers} & {o.pk for o in data.participating}
    if both:
        errors.setdefault("participating", []).append(
            _("An organisation is either an organiser or a participating institution.")
        )
    if not data.organisers and not data.participating and data.kind == EventKind.FREE_CLINIC:
        errors.setdefault("participating", []).append(
            _("Name the institutions holding the free clinic.")
        )
    return values, errors


def _check_rights(by: User | None, data: EventData, event: Event | None = None) -> None:
    organiser_ids = [o.pk for o in data.organisers]
    if event is not None:
        rights.require_event_right(by, event)
    if not rights.may_create_event(by, region_code=data.region.code, organiser_ids=organiser_ids):
        raise PermissionDenied
    for region, _address in data.sites:
        if not rights.may_place_site(by, event, region.code):
            raise PermissionDenied


@transaction.atomic
def create_event(*, data: EventData, by: User | None) -> Event:
    values, errors = clean_event(data)
    refuse(errors)
    _check_rights(by, data)
    event = Event.objects.create(**values, created_by=by)
    _write_places(event, data)
    audit(by, "event.created", event, event.region_id, after=_snapshot(event))
    return event


@transaction.atomic
def change_event(*, event: Event, data: EventData, by: User | None) -> Event:
    values, errors = clean_event(data)
    refuse(errors)
    event = Event.objects.select_for_update().select_related("region").get(pk=event.pk)
    _check_rights(by, data, event)
    before = _snapshot(event)
    for name, value in values.items():
        setattr(event, name, value)
    event.save()
    event.sites.all().delete()
    event.organisations.all().delete()
    _write_places(event, data)
    audit(by, "event.changed", event, event.region_id, before=before, after=_snapshot(event))
    return event


def _write_places(event: Event, data: EventData) -> None:
    EventSite.objects.bulk_create(
        EventSite(event=event, region=region, address=clean_text(address, max_length=200))
        for region, address in data.sites
    )
    EventOrganisation.objects.bulk_create(
        [
            EventOrganisation(event=event, organisation=o, role=OrganisationRole.ORGANISER)
            for o in data.organisers
        ]
        + [
            EventOrganisation(event=event, organisation=o, role=OrganisationRole.PARTICIPANT)
            for o in data.participating
        ]
    )


def _snapshot(event: Event) -> dict:
    values = snapshot(event, EVENT_FIELDS)
    values["sites"] = [
        f"{site.region_id} {site.address}".strip() for site in event.sites.order_by("id")
    ]
    values["organisations"] = [
        f"{link.organisation_id}:{link.role}" for link in event.organisations.order_by("id")
    ]
    return values


def _locked(event: Event, by: User | None) -> Event:
    """The event read again under lock, and the actor's right over it checked on it."""
    event = Event.objects.select_for_update().select_related("region").get(pk=event.pk)
    rights.require_event_right(by, event)
    return event


@transaction.atomic
def record_outcomes(
    *,
    event: Event,
    by: User | None,
    participants: int | None = None,
    registered_attendees: int | None = None,
    viewers: int | None = None,
    orders: int | None = None,
    people_served: int | None = None,
) -> Event:
    """Record the counts known after the event (empty: unknown). With an attendance list
    kept, the attendees from registered households are counted from it, not given."""
    errors: dict[str, list[str]] = {}
    given = {
        "participants": count_or_none(participants, "participants", errors),
        "registered_attendees": count_or_none(registered_attendees, "registered_attendees", errors),
        "viewers": count_or_none(viewers, "viewers", errors),
        "orders": count_or_none(orders, "orders", errors),
        "people_served": count_or_none(people_served, "people_served", errors),
    }
    event = _locked(event, by)
    if (
        event.attendance_listed
        and registered_attendees is not None
        and registered_attendees != event.registered_attendees
    ):
        errors.setdefault("registered_attendees", []).append(
            _("The attendance list counts them: change the list instead.")
        )
    if event.attendance_listed:
        given["registered_attendees"] = event.registered_attendees
    refuse(errors)
    if (
        given["participants"] is not None
        and (given["registered_attendees"] or 0) > given["participants"]
    ):
        refuse(
            {"participants": [_("Fewer participants than attendees from registered households.")]}
        )
    record_update(
        event,
        given,
        actor=by,
        action="event.outcomes",
        fields=OUTCOME_FIELDS,
        region_code=event.region_id,
    )
    return event


@transaction.atomic
def set_attendance(*, event: Event, members: list[Member], by: User | None) -> Event:
    """Keep the event's attendance list: these members, in place of any list before. The
    attendees from registered households are then counted from it."""
    event = _locked(event, by)
    ids = sorted({member.pk for member in members})
    kept = set(event.attendances.filter(member_id__in=ids).values_list("member_id", flat=True))
    added = [pk for pk in ids if pk not in kept]
    # Whoever adds a member to a list must see the member's household: a list names
    # people of the registry, and no one names people beyond their region.
    if by is not None and not by.is_superuser and added:
        visible = households_visible_to(by)
        seen = sum(
            Member.objects.filter(pk__in=added[at : at + BATCH], household__in=visible).count()
            for at in range(0, len(added), BATCH)
        )
        if seen != len(added):
            raise PermissionDenied
    event.attendances.exclude(member_id__in=ids).delete()
    Attendance.objects.bulk_create(Attendance(event=event, member_id=pk) for pk in added)
    registered = _registered_count(event)
    participants = event.participants
    if participants is None or participants < len(ids):
        participants = len(ids)
    record_update(
        event,
        {
            "attendance_listed": True,
            "registered_attendees": registered,
            "participants": participants,
        },
        actor=by,
        action="event.attendance",
        fields=("attendance_listed", "registered_attendees", "participants"),
        region_code=event.region_id,
    )
    return event


def import_attendance(*, event: Event, source, filename: str, by: User):
    """Add the attendees of a spreadsheet to the event's list: every row good, or nothing
    added (the file's faults by row and column). TableError for a file unreadable whole."""
    from tongxing.events.attendance import read_attendance

    rights.require_event_right(by, Event.objects.select_related("region").get(pk=event.pk))
    result = read_attendance(by, source, filename=filename)
    if result.ok:
        present = list(Member.objects.filter(pk__in=event.attendances.values("member_id")))
        set_attendance(event=event, members=present + result.members, by=by)
    return result


def _registered_count(event: Event) -> int:
    return Attendance.objects.filter(event=event, member__household__status=REGISTERED).count()


@transaction.atomic
def record_income_gain(
    *,
    event: Event,
    amount_fen: int,
    recorded_on: datetime.date,
    by: User | None,
    household: Household | None = None,
) -> IncomeGain:
    """An income gain after the event: by an attending household, or in total."""
    errors: dict[str, list[str]] = {}
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        errors.setdefault("amount_fen", []).append(_("Enter an amount above 0."))
    require_date(recorded_on, "recorded_on", errors)
    event = _locked(event, by)
    if "recorded_on" not in errors and recorded_on < event.starts_on:
        errors.setdefault("recorded_on", []).append(_("A gain comes after the event starts."))
    if "recorded_on" not in errors and recorded_on > today():
        errors.setdefault("recorded_on", []).append(_("The date cannot be in the future."))
    if household is not None and not event.attendances.filter(member__household=household).exists():
        errors.setdefault("household", []).append(
            _("No member of this household is on the event's attendance list.")
        )
    refuse(errors)
    gain = IncomeGain.objects.create(
        event=event, household=household, amount_fen=amount_fen, recorded_on=recorded_on
    )
    audit(
        by,
        "event.income_gain",
        event,
        event.region_id,
        after={
            "amount_fen": amount_fen,
            "recorded_on": recorded_on.isoformat(),
            "household": household.pk if household else None,
        },
    )
    return gain


@transaction.atomic
def award_prize(
    *,
    event: Event,
    prize: str,
    by: User | None,
    person: Person | None = None,
    member: Member | None = None,
    organisation: Organisation | None = None,
) -> Prize:
    """A contest's prize and its one winner (a person, a member or an organisation)."""
    errors: dict[str, list[str]] = {}
    prize = clean_text(prize, max_length=100, field="prize", errors=errors)
    if not prize and "prize" not in errors:
        errors.setdefault("prize", []).append(_("Name the prize."))
    if sum(winner is not None for winner in (person, member, organisation)) != 1:
        errors.setdefault("winner", []).append(
            _("Choose one winner: a person, a member or an organisation.")
        )
    event = _locked(event, by)
    if event.kind != EventKind.CONTEST:
        errors.setdefault("event", []).append(_("Only a contest has prizes."))
    refuse(errors)
    won = Prize.objects.create(
        event=event, prize=prize, person=person, member=member, organisation=organisation
    )
    audit(
        by,
        "event.prize",
        event,
        event.region_id,
        after={"prize": prize, "winner": str(won.winner)},
    )
    return won


# --- The e-commerce service centre ----------------------------------------------------------


@transaction.atomic
def create_centre(*, name: str, region: Region, by: User | None) -> ServiceCentre:
    errors: dict[str, list[str]] = {}
    name = clean_text(name, max_length=100, field="name", errors=errors)
    if not name and "name" not in errors:
        errors.setdefault("name", []).append(_("Enter the centre's name."))
    refuse(errors)
    require_scope(by, rights.EVENT_EDITORS, region.code)
    centre = ServiceCentre.objects.create(name=name, region=region)
    audit(by, "centre.created", centre, region.code, after={"name": name})
    return centre


@transaction.atomic
def add_resident(
    *,
    centre: ServiceCentre,
    organisation: Organisation,
    since: datetime.date,
    people: int,
    by: User | None,
    until: datetime.date | None = None,
) -> Residency:
    """An e-commerce company moves into the centre, with the people it registered there."""
    errors: dict[str, list[str]] = {}
    require_date(since, "since", errors)
    if until is not None:
        require_date(until, "until", errors)
        if "since" not in errors and "until" not in errors and until < since:
            errors.setdefault("until", []).append(_("The residency cannot end before it starts."))
    count = count_or_none(people, "people", errors)
    if organisation.kind != OrganisationKind.ECOMMERCE_COMPANY:
        errors.setdefault("organisation", []).append(_("Choose an e-commerce company."))
    refuse(errors)
    centre = ServiceCentre.objects.select_related("region").get(pk=centre.pk)
    require_scope(by, rights.EVENT_EDITORS, centre.region.code)
    overlapping = Residency.objects.filter(centre=centre, organisation=organisation).exclude(
        until__lt=since
    )
    if until is not None:
        overlapping = overlapping.filter(since__lte=until)
    if overlapping.exists():
        refuse({"organisation": [_("This company is already resident then.")]})
    residency = Residency.objects.create(
        centre=centre, organisation=organisation, since=since, until=until, people=count or 0
    )
    audit(
        by,
        "centre.resident_added",
        centre,
        centre.region_id,
        after={"organisation": organisation.name, "since": since.isoformat(), "people": count},
    )
    return residency


@transaction.atomic
def end_residency(*, residency: Residency, until: datetime.date, by: User | None) -> Residency:
    residency = (
        Residency.objects.select_for_update().select_related("centre__region").get(pk=residency.pk)
    )
    require_scope(by, rights.EVENT_EDITORS, residency.centre.region.code)
    errors: dict[str, list[str]] = {}
    require_date(until, "until", errors)
    if "until" not in errors and until < residency.since:
        errors.setdefault("until", []).append(_("The residency cannot end before it starts."))
    refuse(errors)
    record_update(
        residency,
        {"until": until},
        actor=by,
        action="centre.resident_left",
        fields=("until",),
        region_code=residency.centre.region_id,
    )
    return residency
