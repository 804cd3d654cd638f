"""Events, exemplars, publicity and the policy library through the API.

Every list is cut to the caller's region (a representative: its organisation's events) and
paginated; every change goes through the actions, which check the caller's right again.
Bad input is a 400 naming the field; a record outside the caller's reach is a 404.
Personal data never leaves: attendees and winners who are registry members are named as a
public page names them (surname and stars).
"""

import datetime

from django.http import Http404
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import ConfigDict

from tongxing.access import REGION_SCOPED_ROLES, Role, allow
from tongxing.events import rights, selectors
from tongxing.events.actions import events as event_actions
from tongxing.events.actions import exemplars as exemplar_actions
from tongxing.events.actions import publicity as publicity_actions
from tongxing.events.models import Event, Prize
from tongxing.paging import Pages
from tongxing.regions.selectors import access_region_by_code
from tongxing.registry import selectors as registry_selectors
from tongxing.tabular import read_upload_for_api
from tongxing.text import masked_name

router = Router(tags=["events"])
CODE = r"^\d{12}$"
LARGEST = 10**12
EVENT_WRITERS = rights.EVENT_EDITORS | {Role.ORG_REP}


class Input(Schema):
    model_config = ConfigDict(use_enum_values=True)


# --- Events ---------------------------------------------------------------------------------


class SiteIn(Input):
    region: str = Field(..., pattern=CODE)
    address: str = ""


class EventIn(Input):
    kind: str
    title: str
    topic: str = ""
    starts_on: datetime.date
    ends_on: datetime.date | None = None
    region: str = Field(..., pattern=CODE, description="the region the event belongs to")
    sites: list[SiteIn] = []
    organisers: list[int] = Field([], description="organisation ids")
    participating: list[int] = Field([], description="organisation ids")


class OutcomesIn(Input):
    participants: int | None = Field(None, ge=0, le=LARGEST)
    registered_attendees: int | None = Field(None, ge=0, le=LARGEST)
    viewers: int | None = Field(None, ge=0, le=LARGEST)
    orders: int | None = Field(None, ge=0, le=LARGEST)
    people_served: int | None = Field(None, ge=0, le=LARGEST)


class AttendanceIn(Input):
    member_ids: list[int] = Field(..., max_length=5000)


class GainIn(Input):
    amount_fen: int = Field(..., gt=0, le=LARGEST)
    recorded_on: datetime.date
    household_id: int | None = None


class PrizeIn(Input):
    prize: str
    person_id: int | None = None
    member_id: int | None = None
    organisation_id: int | None = None


class SiteOut(Schema):
    region: str = Field(..., alias="region_id")
    region_name: str = Field(..., alias="region.name")
    address: str


class OrganisationLinkOut(Schema):
    organisation_id: int
    name: str = Field(..., alias="organisation.name")
    role: str


class PrizeOut(Schema):
    id: int
    prize: str
    winner: str

    @staticmethod
    def resolve_winner(obj: Prize) -> str:
        if obj.member_id:
            return masked_name(obj.member.name)
        return obj.person.name if obj.person_id else obj.organisation.name


class EventOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    topic: str
    starts_on: datetime.date
    ends_on: datetime.date
    region: str = Field(..., alias="region_id")
    region_name: str = Field(..., alias="region.name")
    participants: int | None
    registered_attendees: int | None
    attendance_listed: bool
    viewers: int | None
    orders: int | None
    people_served: int | None

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()


class EventDetailOut(EventOut):
    sites: list[SiteOut]
    organisations: list[OrganisationLinkOut]
    prizes: list[PrizeOut]
    attendees: list[str] = Field(..., description="names as surname and stars")
    income_gain_fen: int
    may_record: bool

    @staticmethod
    def resolve_sites(obj):
        return list(obj.sites.select_related("region"))

    @staticmethod
    def resolve_organisations(obj):
        return list(obj.organisations.select_related("organisation"))

    @staticmethod
    def resolve_prizes(obj):
        return list(obj.prizes.select_related("person", "member", "organisation"))

    @staticmethod
    def resolve_attendees(obj):
        return [masked_name(a.member.name) for a in obj.attendances.select_related("member")]

    @staticmethod
    def resolve_income_gain_fen(obj) -> int:
        return sum(obj.income_gains.values_list("amount_fen", flat=True))

    @staticmethod
    def resolve_may_record(obj, context) -> bool:
        return rights.may_record_event(context["request"].user, obj)


class EventFilters(Schema):
    kind: str = ""
    topic: str = ""
    year: int | None = Field(None, ge=2000, le=2100)


def event_data(user, payload: EventIn) -> event_actions.EventData:
    """The action's data, each region and organisation found through the caller's reach."""
    return event_actions.EventData(
        kind=payload.kind,
        title=payload.title,
        topic=payload.topic,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        region=selectors.region_for_events(user, payload.region),
        sites=[
            (selectors.region_for_events(user, site.region), site.address) for site in payload.sites
        ],
        organisers=[
            selectors.access_organisation_for_events(user, pk) for pk in payload.organisers
        ],
        participating=[
            selectors.access_organisation_for_events(user, pk) for pk in payload.participating
        ],
    )


def _detail(request, event: Event) -> Event:
    return selectors.access_event(request.user, event.pk)


@router.get("/events", response=list[EventOut], summary="Events of my region, newest first")
@allow(rights.EVENT_READERS)
@paginate(Pages, page_size=50)
def list_events(request, filters: Query[EventFilters]):
    return selectors.search_events(
        request.user, kind=filters.kind, topic=filters.topic, year=filters.year
    )


@router.post("/events", response={201: EventDetailOut}, summary="Record an event")
@allow(EVENT_WRITERS)
def create_event(request, payload: EventIn):
    event = event_actions.create_event(data=event_data(request.user, payload), by=request.user)
    return 201, _detail(request, event)


# --- The e-commerce service centre (before /events/{id}) ------------------------------------


class CentreIn(Input):
    name: str
    region: str = Field(..., pattern=CODE)


class CentreOut(Schema):
    id: int
    name: str
    region: str = Field(..., alias="region_id")


class ResidentIn(Input):
    organisation_id: int
    since: datetime.date
    until: datetime.date | None = None
    people: int = Field(0, ge=0, le=LARGEST)


class ResidentOut(Schema):
    id: int
    organisation_id: int
    name: str = Field(..., alias="organisation.name")
    since: datetime.date
    until: datetime.date | None
    people: int


@router.get("/events/centres", response=list[CentreOut], summary="E-commerce service centres")
@allow(REGION_SCOPED_ROLES)
@paginate(Pages, page_size=50)
def list_centres(request):
    return selectors.centres_visible_to(request.user).order_by("name")


@router.post("/events/centres", response={201: CentreOut}, summary="Record a service centre")
@allow(rights.EVENT_EDITORS)
def create_centre(request, payload: CentreIn):
    centre = event_actions.create_centre(
        name=payload.name,
        region=access_region_by_code(request.user, payload.region),
        by=request.user,
    )
    return 201, centre


@router.get(
    "/events/centres/{centre_id}/residents",
    response=list[ResidentOut],
    summary="The companies resident in a centre",
)
@allow(REGION_SCOPED_ROLES)
def list_residents(request, centre_id: int):
    # A centre houses tens of companies, not thousands: one answer, unpaginated.
    centre = selectors.access_centre(request.user, centre_id)
    return selectors.residencies_visible_to(request.user).filter(centre=centre).order_by("id")


@router.post(
    "/events/centres/{centre_id}/residents",
    response={201: ResidentOut},
    summary="A company moves into the centre",
)
@allow(rights.EVENT_EDITORS)
def add_resident(request, centre_id: int, payload: ResidentIn):
    centre = selectors.access_centre(request.user, centre_id)
    residency = event_actions.add_resident(
        centre=centre,
        organisation=selectors.access_organisation_for_events(
            request.user, payload.organisation_id
        ),
        since=payload.since,
        until=payload.until,
        people=payload.people,
        by=request.user,
    )
    return 201, residency


# --- Exemplars ------------------------------------------------------------------------------


class CategoryIn(Input):
    year: int
    key: str
    name: str
    takes: str
    region: str = Field(..., pattern=CODE)


class DefaultsIn(Input):
    year: int = Field(..., ge=2000, le=2100)
    region: str = Field(..., pattern=CODE)


class CategoryOut(Schema):
    id: int
    year: int
    key: str
    name: str
    takes: str
    region: str = Field(..., alias="region_id")


class NominationIn(Input):
    category_id: int
    reason: str
    household_id: int | None = None
    person_id: int | None = None
    organisation_id: int | None = None


class DecisionIn(Input):
    selected: bool
    reason: str
    decided_on: datetime.date | None = None


class NominationOut(Schema):
    id: int
    category_id: int
    category_key: str = Field(..., alias="category.key")
    nominee: str
    region: str = Field(..., alias="region_id")
    reason: str
    status: str
    decision_reason: str
    decided_on: datetime.date | None

    @staticmethod
    def resolve_nominee(obj) -> str:
        if obj.household_id:
            # A household as the registry names it, not by a member's full name.
            return obj.household.registry_number
        return obj.person.name if obj.person_id else obj.organisation.name


class NominationFilters(Schema):
    status: str = ""
    category_id: int | None = None


@router.get("/events/awards/categories", response=list[CategoryOut], summary="Award categories")
@allow(REGION_SCOPED_ROLES)
@paginate(Pages, page_size=50)
def list_categories(request):
    return selectors.categories_visible_to(request.user).order_by("-year", "id")


@router.post(
    "/events/awards/categories", response={201: CategoryOut}, summary="Create an award category"
)
@allow(rights.AWARD_KEEPERS)
def create_category(request, payload: CategoryIn):
    category = exemplar_actions.create_category(
        year=payload.year,
        key=payload.key,
        name=payload.name,
        takes=payload.takes,
        region=access_region_by_code(request.user, payload.region),
        by=request.user,
    )
    return 201, category


@router.post(
    "/events/awards/categories/defaults",
    response={201: list[CategoryOut]},
    summary="Create the five categories of the reference report for a year",
)
@allow(rights.AWARD_KEEPERS)
def create_defaults(request, payload: DefaultsIn):
    made = exemplar_actions.create_default_categories(
        year=payload.year,
        region=access_region_by_code(request.user, payload.region),
        by=request.user,
    )
    return 201, made


@router.get("/events/awards/nominations", response=list[NominationOut], summary="Nominations")
@allow(REGION_SCOPED_ROLES)
@paginate(Pages, page_size=50)
def list_nominations(request, filters: Query[NominationFilters]):
    nominations = selectors.nominations_visible_to(request.user)
    if filters.status:
        nominations = nominations.filter(status=filters.status)
    if filters.category_id:
        nominations = nominations.filter(category_id=filters.category_id)
    return nominations.order_by("id")


@router.post("/events/awards/nominations", response={201: NominationOut}, summary="Nominate")
@allow(rights.NOMINATORS)
def create_nomination(request, payload: NominationIn):
    user = request.user
    nomination = exemplar_actions.nominate(
        category=selectors.access_category(user, payload.category_id),
        reason=payload.reason,
        household=(
            registry_selectors.access_household(user, payload.household_id)
            if payload.household_id
            else None
        ),
        person=(_person(user, payload.person_id) if payload.person_id else None),
        organisation=(
            registry_selectors.access_organisation(user, payload.organisation_id)
            if payload.organisation_id
            else None
        ),
        by=user,
    )
    return 201, nomination


def _person(user, person_id: int):
    person = registry_selectors.people_visible_to(user).filter(pk=person_id).first()
    if person is None:
        raise Http404
    return person


@router.post(
    "/events/awards/nominations/{nomination_id}/decision",
    response=NominationOut,
    summary="Select a nomination or not, with the reason",
)
@allow(rights.AWARD_KEEPERS)
def decide(request, nomination_id: int, payload: DecisionIn):
    nomination = exemplar_actions.decide_nomination(
        nomination=selectors.access_nomination(request.user, nomination_id),
        selected=payload.selected,
        reason=payload.reason,
        on=payload.decided_on,
        by=request.user,
    )
    return selectors.access_nomination(request.user, nomination.pk)


class StoryIn(Input):
    campaign: str
    title: str
    author: str
    text: str
    region: str = Field(..., pattern=CODE)


class ReviewIn(Input):
    accepted: bool
    reason: str = ""


class StoryOut(Schema):
    id: int
    campaign: str
    title: str
    author: str
    text: str
    region: str = Field(..., alias="region_id")
    submitted_on: datetime.date
    status: str
    review_reason: str


@router.get("/events/stories", response=list[StoryOut], summary="Stories of my region")
@allow(REGION_SCOPED_ROLES)
@paginate(Pages, page_size=50)
def list_stories(request, status: str = ""):
    stories = selectors.stories_visible_to(request.user)
    if status:
        stories = stories.filter(status=status)
    return stories.order_by("-submitted_on", "-id")


@router.post("/events/stories", response={201: StoryOut}, summary="Send a story to a campaign")
@allow(rights.STORY_SENDERS)
def submit_story(request, payload: StoryIn):
    story = exemplar_actions.submit_story(
        campaign=payload.campaign,
        title=payload.title,
        author=payload.author,
        text=payload.text,
        region=access_region_by_code(request.user, payload.region),
        by=request.user,
    )
    return 201, story


@router.post(
    "/events/stories/{story_id}/review", response=StoryOut, summary="Accept or reject a story"
)
@allow(rights.STORY_REVIEWERS)
def review_story(request, story_id: int, payload: ReviewIn):
    return exemplar_actions.review_story(
        story=selectors.access_story(request.user, story_id),
        accepted=payload.accepted,
        reason=payload.reason,
        by=request.user,
    )


# --- Publicity and policies -----------------------------------------------------------------


class PublicityIn(Input):
    title: str
    outlet: str
    outlet_level: str
    published_on: datetime.date
    link: str = ""
    region: str = Field(..., pattern=CODE)


class PublicityOut(Schema):
    id: int
    title: str
    outlet: str
    outlet_level: str
    published_on: datetime.date
    link: str
    has_file: bool
    region: str = Field(..., alias="region_id")

    @staticmethod
    def resolve_has_file(obj) -> bool:
        return bool(obj.file)


class PolicyIn(Input):
    title: str
    category: str
    issuing_body: str
    in_force_from: datetime.date
    in_force_until: datetime.date | None = None
    compendium_id: int | None = None
    region: str = Field(..., pattern=CODE)


class PolicyOut(Schema):
    id: int
    title: str
    category: str
    category_label: str
    issuing_body: str
    in_force_from: datetime.date
    in_force_until: datetime.date | None
    compendium_id: int | None
    has_file: bool
    region: str = Field(..., alias="region_id")

    @staticmethod
    def resolve_category_label(obj) -> str:
        return obj.get_category_display()

    @staticmethod
    def resolve_has_file(obj) -> bool:
        return bool(obj.file)


class CompendiumIn(Input):
    year: int
    title: str = ""
    region: str = Field(..., pattern=CODE)


class PublishIn(Input):
    published_on: datetime.date


class CompendiumOut(Schema):
    id: int
    year: int
    title: str
    published_on: datetime.date | None
    region: str = Field(..., alias="region_id")


class PolicyFilters(Schema):
    category: str = ""
    in_force_on: datetime.date | None = None


@router.get("/events/publicity", response=list[PublicityOut], summary="Publicity items")
@allow(REGION_SCOPED_ROLES)
@paginate(Pages, page_size=50)
def list_publicity(request, outlet_level: str = ""):
    items = selectors.publicity_visible_to(request.user)
    if outlet_level:
        items = items.filter(outlet_level=outlet_level)
    return items.order_by("-published_on", "-id")


@router.post("/events/publicity", response={201: PublicityOut}, summary="Record a news item")
@allow(rights.PUBLICITY_EDITORS)
def record_publicity(request, payload: PublicityIn):
    item = publicity_actions.record_publicity(
        title=payload.title,
        outlet=payload.outlet,
        outlet_level=payload.outlet_level,
        published_on=payload.published_on,
        link=payload.link,
        region=access_region_by_code(request.user, payload.region),
        by=request.user,
    )
    return 201, item


@router.get("/events/policies", response=list[PolicyOut], summary="The policy library")
@allow(REGION_SCOPED_ROLES)
@paginate(Pages, page_size=50)
def list_policies(request, filters: Query[PolicyFilters]):
    documents = selectors.policies_visible_to(request.user)
    if filters.category:
        documents = documents.filter(category=filters.category)
    if filters.in_force_on:
        day = filters.in_force_on
        documents = documents.filter(in_force_from__lte=day).exclude(in_force_until__lt=day)
    return documents.order_by("category", "-in_force_from", "id")


@router.post("/events/policies", response={201: PolicyOut}, summary="Add a policy document")
@allow(rights.PUBLICITY_EDITORS)
def add_policy(request, payload: PolicyIn):
    user = request.user
    document = publicity_actions.add_policy(
        title=payload.title,
        category=payload.category,
        issuing_body=payload.issuing_body,
        in_force_from=payload.in_force_from,
        in_force_until=payload.in_force_until,
        compendium=(
            selectors.access_compendium(user, payload.compendium_id)
            if payload.compendium_id
            else None
        ),
        region=access_region_by_code(user, payload.region),
        by=user,
    )
    return 201, document


@router.get("/events/policies/compendia", response=list[CompendiumOut], summary="Yearly compendia")
@allow(REGION_SCOPED_ROLES)
@paginate(Pages, page_size=50)
def list_compendia(request):
    return selectors.compendia_visible_to(request.user).order_by("-year")


@router.post(
    "/events/policies/compendia", response={201: CompendiumOut}, summary="Start a compendium"
)
@allow(rights.PUBLICITY_EDITORS)
def create_compendium(request, payload: CompendiumIn):
    compendium = publicity_actions.create_compendium(
        year=payload.year,
        title=payload.title,
        region=access_region_by_code(request.user, payload.region),
        by=request.user,
    )
    return 201, compendium


@router.post(
    "/events/policies/compendia/{compendium_id}/publish",
    response=CompendiumOut,
    summary="Publish a compendium",
)
@allow(rights.PUBLICITY_EDITORS)
def publish_compendium(request, compendium_id: int, payload: PublishIn):
    return publicity_actions.publish_compendium(
        compendium=selectors.access_compendium(request.user, compendium_id),
        published_on=payload.published_on,
        by=request.user,
    )


# --- One event (its paths last: /events/{id} would take the fixed ones) ----------------------


@router.get("/events/{event_id}", response=EventDetailOut, summary="One event")
@allow(rights.EVENT_READERS)
def get_event(request, event_id: int):
    return selectors.access_event(request.user, event_id)


@router.put("/events/{event_id}", response=EventDetailOut, summary="Change an event")
@allow(EVENT_WRITERS)
def change_event(request, event_id: int, payload: EventIn):
    event = selectors.access_event(request.user, event_id)
    event_actions.change_event(event=event, data=event_data(request.user, payload), by=request.user)
    return _detail(request, event)


@router.put(
    "/events/{event_id}/outcomes",
    response=EventDetailOut,
    summary="Record the counts known after the event (null: unknown)",
)
@allow(EVENT_WRITERS)
def record_outcomes(request, event_id: int, payload: OutcomesIn):
    event = selectors.access_event(request.user, event_id)
    event_actions.record_outcomes(event=event, by=request.user, **payload.model_dump())
    return _detail(request, event)


@router.put(
    "/events/{event_id}/attendance",
    response=EventDetailOut,
    summary="Keep the attendance list: these registry members",
)
@allow(EVENT_WRITERS)
def set_attendance(request, event_id: int, payload: AttendanceIn):
    event = selectors.access_event(request.user, event_id)
    members = [registry_selectors.access_member(request.user, pk) for pk in payload.member_ids]
    event_actions.set_attendance(event=event, members=members, by=request.user)
    return _detail(request, event)


@router.post(
    "/events/{event_id}/income-gains",
    response={201: EventDetailOut},
    summary="Record an income gain after the event",
)
@allow(EVENT_WRITERS)
def record_gain(request, event_id: int, payload: GainIn):
    event = selectors.access_event(request.user, event_id)
    household = None
    if payload.household_id is not None:
        household = registry_selectors.access_household(request.user, payload.household_id)
    event_actions.record_income_gain(
        event=event,
        amount_fen=payload.amount_fen,
        recorded_on=payload.recorded_on,
        household=household,
        by=request.user,
    )
    return 201, _detail(request, event)


@router.post("/events/{event_id}/prizes", response={201: EventDetailOut}, summary="Record a prize")
@allow(EVENT_WRITERS)
def award_prize(request, event_id: int, payload: PrizeIn):
    user = request.user
    event = selectors.access_event(user, event_id)
    event_actions.award_prize(
        event=event,
        prize=payload.prize,
        person=_person(user, payload.person_id) if payload.person_id else None,
        member=(
            registry_selectors.access_member(user, payload.member_id) if payload.member_id else None
        ),
        organisation=(
            selectors.access_organisation_for_events(user, payload.organisation_id)
            if payload.organisation_id
            else None
        ),
        by=user,
    )
    return 201, _detail(request, event)


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class AttendanceImportOut(Schema):
    added: int
    registered_attendees: int | None
    errors: list[RowErrorOut]


@router.post(
    "/events/{event_id}/attendance/import",
    response={200: AttendanceImportOut, 400: AttendanceImportOut, 413: dict},
    summary="Add the attendees of a spreadsheet (ID number, name): every row good, or none",
)
@allow(EVENT_WRITERS)
def import_attendance(request, event_id: int, file: File[UploadedFile]):
    event = selectors.access_event(request.user, event_id)
    result, refused = read_upload_for_api(
        lambda: event_actions.import_attendance(
            event=event, source=file, filename=file.name, by=request.user
        )
    )
    if refused:
        return refused
    event.refresh_from_db()
    answer = {
        "added": len(result.members) if result.ok else 0,
        "registered_attendees": event.registered_attendees,
        "errors": [error.as_dict() for error in result.errors],
    }
    return (200 if result.ok else 400), answer
