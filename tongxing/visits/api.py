"""Visits through the API: the visits of my region (a cadre: mine and my households'),
recording one with what it delivered, raising a need from a visit, changing and deleting
one, attaching a photo to one (multipart), the coverage of a region's poor households and
the campaign days.

A form sent again after a network drop is saved once: send the same `Idempotency-Key`
header (or `client_key` field) with each sending; a resend answers 200 with the visit the
first one saved and `Idempotent-Replayed: true`, a first sending 201.
"""

import datetime

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Header, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from tongxing.access import allow
from tongxing.accounts.models import User
from tongxing.needs.actions.posting import NeedData
from tongxing.paging import Pages
from tongxing.regions.selectors import access_region_by_code
from tongxing.registry import selectors as registry_selectors
from tongxing.visits import actions, rights, selectors
from tongxing.visits.actions import MOST_LINES, DeliveryLine, VisitData
from tongxing.visits.models import CampaignDay, Visit

router = Router(tags=["visits"])
CODE = r"^\d{12}$"
# Far above any quantity of a visit; the action holds each kind to its own bound.
LARGEST = 10**12
EARLIEST = datetime.date(2000, 1, 1)


# --- Schemas ------------------------------------------------------------------------------


class DeliveryIn(Schema):
    kind: str = Field(..., description="clothing (pieces), grain_oil (jin), cash (fen) or other")
    quantity: int = Field(..., ge=-LARGEST, le=LARGEST)
    description: str = Field("", max_length=100, description="what it was, for other")


class VisitIn(Schema):
    visitor_id: int | None = Field(
        None, description="the person who visited; a cadre's own person when left out"
    )
    visited_on: datetime.date
    household_id: int | None = Field(None, description="the household visited")
    village: str | None = Field(None, pattern=CODE, description="a village visit's village")
    purpose: str = Field(
        ..., description="survey, condolence, policy_explanation, clinic_follow_up or other"
    )
    notes: str = Field("", max_length=2000)
    findings: str = Field("", max_length=2000)
    place: str = Field("", max_length=100, description="kept only when written here")
    deliveries: list[DeliveryIn] = Field([], max_length=MOST_LINES)
    client_key: str = Field("", max_length=64, description="or the Idempotency-Key header")


class NeedFromVisitIn(Schema):
    kind: str = Field(..., description="goods, funds, service or wish")
    category: str
    title: str = Field(..., max_length=100)
    story: str = Field("", max_length=2000)
    deadline: datetime.date
    urgency: int = Field(2, ge=1, le=3)
    quantity: int | None = Field(None, ge=-LARGEST, le=LARGEST)
    unit: str = Field("", max_length=10)
    unit_value_fen: int = Field(0, ge=-LARGEST, le=LARGEST)
    target_fen: int | None = Field(None, ge=-LARGEST, le=LARGEST)
    value_fen: int = Field(
        0, ge=-LARGEST, le=LARGEST, description="a micro-wish's value; a service's estimate"
    )
    place: str = Field("", max_length=100)
    funding_policy: str = ""
    child_id: int | None = Field(
        None, description="a micro-wish's child: a left-behind child of the household visited"
    )


class RaiseNeedIn(Schema):
    visit: VisitIn
    need: NeedFromVisitIn


class DeliveryOut(Schema):
    kind: str
    kind_label: str
    quantity: int
    description: str

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()


class VisitOut(Schema):
    id: int
    visitor_id: int
    visitor: str = Field(..., alias="visitor.name")
    position: str = Field(..., description="the position the visitor held that day")
    position_label: str
    visited_on: datetime.date
    household_id: int | None
    registry_number: str | None
    village: str = Field(..., alias="village_id")
    village_name: str = Field(..., alias="village.name")
    purpose: str
    purpose_label: str
    notes: str
    findings: str
    place: str
    has_photo: bool
    deliveries: list[DeliveryOut]
    need_id: int | None
    recorded_at: datetime.datetime

    @staticmethod
    def resolve_position_label(obj) -> str:
        return obj.get_position_display()

    @staticmethod
    def resolve_purpose_label(obj) -> str:
        return obj.get_purpose_display()

    @staticmethod
    def resolve_registry_number(obj) -> str | None:
        return obj.household.registry_number if obj.household_id else None

    @staticmethod
    def resolve_has_photo(obj) -> bool:
        return bool(obj.photo)

    @staticmethod
    def resolve_deliveries(obj):
        return list(obj.deliveries.all())


class RaisedOut(Schema):
    visit: VisitOut
    need_id: int


class VisitFiltersIn(Schema):
    from_: datetime.date | None = Field(None, alias="from", description="visited on or after")
    to: datetime.date | None = Field(None, description="visited on or before")
    campaign: bool = Field(False, description="only the visits of campaign days (17 October…)")
    household_id: int | None = None
    purpose: str = ""


class CoverageFiltersIn(Schema):
    region: str | None = Field(None, pattern=CODE, description="a region of mine (mine by default)")
    from_: datetime.date | None = Field(None, alias="from", description="1 January by default")
    to: datetime.date | None = Field(None, description="today by default")


class HouseholdGapOut(Schema):
    id: int
    registry_number: str
    village: str = Field(..., alias="village_id")
    village_name: str = Field(..., alias="village.name")
    by_cadre: bool
    by_township_secretary: bool
    by_anyone: bool


class VillageGapsOut(Schema):
    village: str = Field(..., alias="village.code")
    village_name: str = Field(..., alias="village.name")
    poor_households: int
    not_by_cadre: int
    not_by_township_secretary: int
    not_by_anyone: int


class CadreGapsOut(Schema):
    person_id: int
    name: str
    households: list[HouseholdGapOut]


class LeaderVillageOut(Schema):
    village: str
    village_name: str
    visits: int


class CoverageOut(Schema):
    region: str
    region_name: str
    first: datetime.date
    last: datetime.date
    poor_households: int
    not_by_cadre: list[HouseholdGapOut]
    not_by_township_secretary: list[HouseholdGapOut]
    not_by_anyone: list[HouseholdGapOut]
    villages: list[VillageGapsOut]
    cadres: list[CadreGapsOut]
    city_leader_villages: list[LeaderVillageOut]


class CampaignDayIn(Schema):
    day: datetime.date
    name: str = Field(..., max_length=60)


class CampaignDayOut(Schema):
    day: datetime.date
    name: str


# --- Helpers ------------------------------------------------------------------------------


def checked_period(
    first: datetime.date | None, last: datetime.date | None, *, default_year: bool = False
) -> tuple[datetime.date | None, datetime.date | None]:
    """Bound a period a request asks for: from 2000 to today, the first day not after the
    last (with `default_year`, 1 January to today when left out)."""
    today = actions.current_date()
    if default_year:
        last = last or today
        first = first or datetime.date(last.year, 1, 1)
    errors: dict[str, list[str]] = {}
    for name, day in (("from", first), ("to", last)):
        if day is not None and not EARLIEST <= day <= today:
            errors[name] = [_("Give a day from 2000 to today.")]
    if not errors and first is not None and last is not None and first > last:
        errors["to"] = [_("The last day comes before the first.")]
    if errors:
        raise ValidationError(errors)
    return first, last


def visit_data(user: User, payload: VisitIn) -> VisitData:
    """Turn the request into the action's data, finding each record through the caller's
    scope: a person, household or village outside it is 404 and never named."""
    if payload.visitor_id is not None:
        visitor = selectors.access_visitor(user, payload.visitor_id)
    else:
        visitor = rights.own_person(user) if rights.is_cadre(user) else None
    household = village = None
    if payload.household_id is not None:
        household = registry_selectors.access_household(user, payload.household_id)
    elif payload.village:
        village = access_region_by_code(user, payload.village)
    return VisitData(
        visitor=visitor,
        visited_on=payload.visited_on,
        purpose=payload.purpose,
        household=household,
        village=village,
        notes=payload.notes,
        findings=payload.findings,
        place=payload.place,
        deliveries=[
            DeliveryLine(line.kind, line.quantity, line.description) for line in payload.deliveries
        ],
    )


def answered(response, visit: Visit, status: int = 201):
    """201 for a visit saved now; 200 and `Idempotent-Replayed` for one a resend found."""
    if getattr(visit, "replayed", False):
        response["Idempotent-Replayed"] = "true"
        return 200, visit
    return status, visit


# --- Visits -------------------------------------------------------------------------------
# The fixed paths come before /visits/{visit_id}, which would otherwise take them as an id.


@router.get(
    "/visits",
    response=list[VisitOut],
    summary="The visits of my region (a cadre: mine and my households'), newest first",
)
@allow(rights.VISIT_READERS)
@paginate(Pages, page_size=50)
def list_visits(request, filters: Query[VisitFiltersIn]):
    first, last = checked_period(filters.from_, filters.to)
    return selectors.filtered_visits(
        request.user,
        selectors.VisitFilters(
            first=first,
            last=last,
            campaign=filters.campaign,
            household=filters.household_id,
            purpose=filters.purpose,
        ),
    )


@router.post(
    "/visits",
    response={200: VisitOut, 201: VisitOut},
    summary="Record a visit and what it delivered (a resend with the same key saves once)",
)
@allow(rights.VISIT_RECORDERS)
def create_visit(
    request,
    response: HttpResponse,
    payload: VisitIn,
    idempotency_key: str = Header(
        "", alias="Idempotency-Key", description="or `client_key`: a resend saves once"
    ),
):
    visit = actions.record_visit(
        data=visit_data(request.user, payload),
        by=request.user,
        client_key=idempotency_key or payload.client_key,
    )
    return answered(response, visit)


@router.post(
    "/visits/raise-need",
    response={200: RaisedOut, 201: RaisedOut},
    summary=(
        "Record a visit to a household and raise a need for it (a micro-wish: for a child of "
        "the household), sent to review"
    ),
)
@allow(rights.VISIT_RECORDERS)
def raise_need(
    request,
    response: HttpResponse,
    payload: RaiseNeedIn,
    idempotency_key: str = Header(
        "", alias="Idempotency-Key", description="or `visit.client_key`: a resend saves once"
    ),
):
    need = payload.need
    # The child is found through the caller's scope, as the household is: outside it, 404.
    child = (
        registry_selectors.access_member(request.user, need.child_id)
        if need.child_id is not None
        else None
    )
    visit, posted = actions.raise_need(
        data=visit_data(request.user, payload.visit),
        need=NeedData(
            kind=need.kind,
            category=need.category,
            title=need.title,
            story=need.story,
            deadline=need.deadline,
            urgency=need.urgency,
            quantity=need.quantity,
            unit=need.unit,
            unit_value_fen=need.unit_value_fen,
            target_fen=need.target_fen,
            value_fen=need.value_fen,
            place=need.place,
            funding_policy=need.funding_policy,
            child=child,
        ),
        by=request.user,
        client_key=idempotency_key or payload.visit.client_key,
    )
    status, visit = answered(response, visit)
    return status, {"visit": visit, "need_id": posted.pk}


@router.get(
    "/visits/coverage",
    response=CoverageOut,
    summary="Poor households of a region not visited in a period: by cadre, secretary, anyone",
)
@allow(rights.COVERAGE_READERS)
def coverage(request, filters: Query[CoverageFiltersIn]):
    region = selectors.coverage_region(request.user, filters.region)
    first, last = checked_period(filters.from_, filters.to, default_year=True)
    cover = selectors.coverage(region, first, last)
    return {
        "region": region.code,
        "region_name": region.name,
        "first": first,
        "last": last,
        "poor_households": cover.poor_households,
        "not_by_cadre": cover.not_by_cadre,
        "not_by_township_secretary": cover.not_by_township_secretary,
        "not_by_anyone": cover.not_by_anyone,
        "villages": cover.villages,
        "cadres": cover.cadres,
        "city_leader_villages": [
            {"village": v.code, "village_name": v.name, "visits": n}
            for v, n in cover.city_leader_villages
        ],
    }


@router.get(
    "/visits/campaign-days",
    response=list[CampaignDayOut],
    summary="The configured campaign days (a year without one has 17 October)",
)
@allow(rights.VISIT_READERS)
def list_campaign_days(request):
    return CampaignDay.objects.all()


@router.put(
    "/visits/campaign-days",
    response=CampaignDayOut,
    summary="Set a campaign day (the city office); a year's days replace its 17 October",
)
@allow(rights.CAMPAIGN_DAY_KEEPERS)
def set_campaign_day(request, payload: CampaignDayIn):
    return actions.set_campaign_day(day=payload.day, name=payload.name, by=request.user)


@router.delete("/visits/campaign-days/{day}", response={204: None}, summary="Remove a campaign day")
@allow(rights.CAMPAIGN_DAY_KEEPERS)
def remove_campaign_day(request, day: datetime.date):
    campaign_day = CampaignDay.objects.filter(day=day).first()
    if campaign_day is None:
        raise Http404
    actions.remove_campaign_day(campaign_day=campaign_day, by=request.user)
    return 204, None


@router.get("/visits/{visit_id}", response=VisitOut, summary="One visit of my region")
@allow(rights.VISIT_READERS)
def get_visit(request, visit_id: int):
    return selectors.access_visit(request.user, visit_id)


@router.post(
    "/visits/{visit_id}/photo",
    response=VisitOut,
    summary=(
        "Attach a photo to a visit, or replace it (multipart, field `photo`: JPEG, PNG, WebP "
        "or GIF, up to 10 MB); its location and camera data are removed"
    ),
)
@allow(rights.VISIT_RECORDERS)
def attach_photo(request, visit_id: int, photo: File[UploadedFile] = None):
    # Sent after the visit itself (a JSON call a resend saves once): a phone sends the
    # small record at once and the photo when the signal allows; sent again, it replaces.
    visit = selectors.access_visit(request.user, visit_id)
    actions.attach_photo(visit=visit, photo=photo, by=request.user)
    return selectors.access_visit(request.user, visit_id)


@router.put("/visits/{visit_id}", response=VisitOut, summary="Change a visit and its lines")
@allow(rights.VISIT_RECORDERS)
def update_visit(request, visit_id: int, payload: VisitIn):
    visit = selectors.access_visit(request.user, visit_id)
    actions.update_visit(visit=visit, data=visit_data(request.user, payload), by=request.user)
    return selectors.access_visit(request.user, visit_id)


@router.delete("/visits/{visit_id}", response={204: None}, summary="Delete a visit")
@allow(rights.VISIT_RECORDERS)
def delete_visit(request, visit_id: int):
    visit = selectors.access_visit(request.user, visit_id)
    actions.delete_visit(visit=visit, by=request.user)
    return 204, None
