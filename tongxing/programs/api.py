"""The pairing programmes through the API: programmes and their targets, pairings, pledges
and disbursements (with the office's review), exchanges and labour activities.

Every list is cut to the caller (the staff of a region: its records; an organisation's
representative: its own pairings) and paginated; every change goes through the actions,
whose refusals answer 400 field by field, 403 for a right the caller lacks, and 404 for
anything outside their scope.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import ConfigDict

from tongxing.access import allow
from tongxing.paging import Pages
from tongxing.programs import actions, imports, selectors
from tongxing.programs.models import Direction, DisbursementKind, Kind, LabourKind, Pairing, Review
from tongxing.programs.rights import (
    PROGRAMME_READERS,
    PROGRAMME_RUNNERS,
    RECORD_KEEPERS,
    RECORDERS,
)
from tongxing.regions.selectors import access_region_by_code
from tongxing.tabular import read_upload_for_api

router = Router(tags=["programmes"])
CODE = r"^\d{12}$"
# Far above any real amount or count; beyond it the database's integers would overflow.
LARGEST = 10**12


class Input(Schema):
    model_config = ConfigDict(use_enum_values=True)


# --- Schemas ---------------------------------------------------------------------------------


class ProgrammeOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    region: str = Field(..., alias="region_id")
    region_name: str = Field(..., alias="region.name")

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()


class ProgrammeIn(Input):
    kind: Kind
    name: str = Field(..., max_length=100)
    starts_on: datetime.date
    ends_on: datetime.date | None = None
    region: str | None = Field(
        None, pattern=CODE, description="the office's region (default: my own)"
    )


class ProgrammeChangeIn(Input):
    name: str = Field(..., max_length=100)
    starts_on: datetime.date
    ends_on: datetime.date | None = None


class TargetOut(Schema):
    id: int
    programme: int = Field(..., alias="programme_id")
    region: str = Field(..., alias="region_id")
    region_name: str = Field(..., alias="region.name")
    organisation: int | None = Field(None, alias="organisation_id")
    name: str

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj)


class TargetsIn(Input):
    """One of: a tag (every village of the programme's region carrying it), a region's
    code, or a school (an organisation's id)."""

    tag: str | None = Field(None, description="key_poor_village, relocation_village, …")
    region: str | None = Field(None, pattern=CODE)
    organisation: int | None = Field(None, ge=1, le=LARGEST)


class PairingOut(Schema):
    id: int
    programme: int = Field(..., alias="programme_id")
    target: int = Field(..., alias="target_id")
    target_name: str
    helper: int = Field(..., alias="helper_id")
    helper_name: str = Field(..., alias="helper.name")
    since: datetime.date
    until: datetime.date | None
    replaces: int | None = Field(None, alias="replaces_id")

    @staticmethod
    def resolve_target_name(obj) -> str:
        return str(obj.target)


class PairIn(Input):
    target: int = Field(..., ge=1, le=LARGEST)
    helper: int = Field(..., ge=1, le=LARGEST)
    since: datetime.date


class EndIn(Input):
    until: datetime.date


class ChangeIn(Input):
    on: datetime.date
    helper: int | None = Field(None, ge=1, le=LARGEST)
    target: int | None = Field(None, ge=1, le=LARGEST)


class PledgeOut(Schema):
    id: int
    pairing: int = Field(..., alias="pairing_id")
    amount_fen: int
    purpose: str
    pledged_on: datetime.date
    status: str
    review_note: str


class PledgeIn(Input):
    amount_fen: int = Field(..., ge=1, le=LARGEST)
    purpose: str = Field(..., max_length=200)
    pledged_on: datetime.date


class DisbursementOut(Schema):
    id: int
    pairing: int = Field(..., alias="pairing_id")
    kind: str
    amount_fen: int
    description: str
    disbursed_on: datetime.date
    exceeds_pledge: bool
    excess_reason: str
    status: str
    review_note: str
    photos: int

    @staticmethod
    def resolve_photos(obj) -> int:
        return obj.evidence.count()


class ReviewIn(Input):
    accept: bool
    note: str = Field("", max_length=200)


class ExchangeOut(Schema):
    id: int
    pairing: int = Field(..., alias="pairing_id")
    people: int
    exchanged_on: datetime.date
    direction: str
    note: str
    status: str
    review_note: str


class ExchangeIn(Input):
    people: int = Field(..., ge=1, le=LARGEST)
    exchanged_on: datetime.date
    direction: Direction
    note: str = Field("", max_length=200)


class LabourOut(Schema):
    id: int
    target: int = Field(..., alias="target_id")
    pairing: int | None = Field(None, alias="pairing_id")
    kind: str
    held_on: datetime.date
    people_placed: int
    note: str
    status: str
    review_note: str


class LabourIn(Input):
    kind: LabourKind
    held_on: datetime.date
    people_placed: int = Field(0, ge=0, le=LARGEST)
    note: str = Field("", max_length=200)


class CoverageOut(Schema):
    on: datetime.date
    targets: int
    uncovered: list[TargetOut]


class RecordFilters(Input):
    programme: int | None = Field(None, ge=1, le=LARGEST)
    status: Review | None = None


def _filtered(qs: QuerySet, filters: RecordFilters, programme_field: str) -> QuerySet:
    if filters.programme is not None:
        qs = qs.filter(**{programme_field: filters.programme})
    if filters.status is not None:
        qs = qs.filter(status=filters.status)
    return qs.order_by("pk")


# --- Fixed paths first: /programmes/{programme_id} would take them as an id -------------------


@router.get("/programmes/pairings", response=list[PairingOut], summary="Pairings I may see")
@allow(PROGRAMME_READERS)
@paginate(Pages, page_size=50)
def list_pairings(request, filters: Query[RecordFilters]):
    qs = selectors.pairings_visible_to(request.user).select_related(
        "helper", "target__region", "target__organisation"
    )
    if filters.programme is not None:
        qs = qs.filter(programme=filters.programme)
    return qs.order_by("pk")


@router.get("/programmes/targets", response=list[TargetOut], summary="Targets I may see")
@allow(PROGRAMME_READERS)
@paginate(Pages, page_size=100)
def list_targets(request, filters: Query[RecordFilters]):
    qs = selectors.targets_visible_to(request.user).select_related("region", "organisation")
    if filters.programme is not None:
        qs = qs.filter(programme=filters.programme)
    return qs.order_by("pk")


@router.post("/programmes/pairings/{pairing_id}/end", response=PairingOut, summary="End a pairing")
@allow(PROGRAMME_RUNNERS)
def end_pairing(request, pairing_id: int, payload: EndIn):
    pairing = selectors.access_pairing(request.user, pairing_id)
    return actions.end_pairing(pairing=pairing, until=payload.until, by=request.user)


@router.post(
    "/programmes/pairings/{pairing_id}/change",
    response={201: PairingOut},
    summary="Change a pairing's helper or target from a day on (a new pairing replaces it)",
)
@allow(PROGRAMME_RUNNERS)
def change_pairing(request, pairing_id: int, payload: ChangeIn):
    pairing = selectors.access_pairing(request.user, pairing_id)
    helper = selectors.helper_for(request.user, payload.helper) if payload.helper else None
    target = selectors.access_target(request.user, payload.target) if payload.target else None
    new = actions.change_pairing(
        pairing=pairing, on=payload.on, helper=helper, target=target, by=request.user
    )
    return 201, new


@router.post(
    "/programmes/pairings/{pairing_id}/pledges",
    response={201: PledgeOut},
    summary="Record a pledge (意向); an organisation's own waits for the office's review",
)
@allow(RECORDERS)
def record_pledge(request, pairing_id: int, payload: PledgeIn):
    pairing = selectors.access_pairing(request.user, pairing_id)
    pledge = actions.record_pledge(
        pairing=pairing,
        amount_fen=payload.amount_fen,
        purpose=payload.purpose,
        pledged_on=payload.pledged_on,
        by=request.user,
    )
    return 201, pledge


@router.post(
    "/programmes/pairings/{pairing_id}/disbursements",
    response={201: DisbursementOut},
    summary="Record a disbursement (落实; multipart, with photos as evidence)",
)
@allow(RECORDERS)
def record_disbursement(
    request,
    pairing_id: int,
    kind: Form[DisbursementKind],
    amount_fen: Form[int],
    disbursed_on: Form[datetime.date],
    description: str = Form("", max_length=200),
    excess_reason: str = Form("", max_length=200),
    evidence: File[list[UploadedFile]] = None,  # photos: JPEG, PNG, WebP or GIF
):
    pairing = selectors.access_pairing(request.user, pairing_id)
    disbursement = actions.record_disbursement(
        pairing=pairing,
        kind=kind,
        amount_fen=amount_fen,  # bounded by the action, before any database sees it
        disbursed_on=disbursed_on,
        description=description,
        evidence=evidence or [],
        excess_reason=excess_reason,
        by=request.user,
    )
    return 201, disbursement


@router.post(
    "/programmes/pairings/{pairing_id}/exchanges",
    response={201: ExchangeOut},
    summary=(
        "Record people sent between a paired school or unit and its target; an "
        "organisation's own waits for the office's review"
    ),
)
@allow(RECORDERS)
def record_exchange(request, pairing_id: int, payload: ExchangeIn):
    pairing = selectors.access_pairing(request.user, pairing_id)
    exchange = actions.record_exchange(
        pairing=pairing,
        people=payload.people,
        exchanged_on=payload.exchanged_on,
        direction=payload.direction,
        note=payload.note,
        by=request.user,
    )
    return 201, exchange


@router.get("/programmes/pledges", response=list[PledgeOut], summary="Pledges I may see")
@allow(PROGRAMME_READERS)
@paginate(Pages, page_size=50)
def list_pledges(request, filters: Query[RecordFilters]):
    return _filtered(selectors.pledges_visible_to(request.user), filters, "pairing__programme")


@router.post(
    "/programmes/pledges/{pledge_id}/review",
    response=PledgeOut,
    summary="Accept or reject a pledge an organisation recorded",
)
@allow(RECORD_KEEPERS)
def review_pledge(request, pledge_id: int, payload: ReviewIn):
    pledge = selectors.access_pledge(request.user, pledge_id)
    return actions.review_pledge(
        pledge=pledge, accept=payload.accept, note=payload.note, by=request.user
    )


@router.get(
    "/programmes/disbursements", response=list[DisbursementOut], summary="Disbursements I may see"
)
@allow(PROGRAMME_READERS)
@paginate(Pages, page_size=50)
def list_disbursements(request, filters: Query[RecordFilters]):
    qs = selectors.disbursements_visible_to(request.user).prefetch_related("evidence")
    return _filtered(qs, filters, "pairing__programme")


@router.post(
    "/programmes/disbursements/{disbursement_id}/review",
    response=DisbursementOut,
    summary="Accept or reject a disbursement an organisation recorded",
)
@allow(RECORD_KEEPERS)
def review_disbursement(request, disbursement_id: int, payload: ReviewIn):
    disbursement = selectors.access_disbursement(request.user, disbursement_id)
    return actions.review_disbursement(
        disbursement=disbursement, accept=payload.accept, note=payload.note, by=request.user
    )


@router.get("/programmes/exchanges", response=list[ExchangeOut], summary="Exchanges I may see")
@allow(PROGRAMME_READERS)
@paginate(Pages, page_size=50)
def list_exchanges(request, filters: Query[RecordFilters]):
    return _filtered(selectors.exchanges_visible_to(request.user), filters, "pairing__programme")


@router.post(
    "/programmes/exchanges/{exchange_id}/review",
    response=ExchangeOut,
    summary="Accept or reject an exchange an organisation recorded",
)
@allow(RECORD_KEEPERS)
def review_exchange(request, exchange_id: int, payload: ReviewIn):
    exchange = selectors.access_exchange(request.user, exchange_id)
    return actions.review_exchange(
        exchange=exchange, accept=payload.accept, note=payload.note, by=request.user
    )


@router.get("/programmes/labour-activities", response=list[LabourOut], summary="Labour activities")
@allow(PROGRAMME_READERS)
@paginate(Pages, page_size=50)
def list_labour_activities(request, filters: Query[RecordFilters]):
    qs = selectors.labour_activities_visible_to(request.user)
    return _filtered(qs, filters, "target__programme")


@router.post(
    "/programmes/labour-activities/{activity_id}/review",
    response=LabourOut,
    summary="Accept or reject a labour activity an organisation recorded",
)
@allow(RECORD_KEEPERS)
def review_labour_activity(request, activity_id: int, payload: ReviewIn):
    activity = selectors.access_labour_activity(request.user, activity_id)
    return actions.review_labour_activity(
        activity=activity, accept=payload.accept, note=payload.note, by=request.user
    )


@router.post(
    "/programmes/targets/{target_id}/labour-activities",
    response={201: LabourOut},
    summary=(
        "Record a job fair or a placement with a partner region; an organisation records "
        "it on its own pairing with the region, and it waits for the office's review"
    ),
)
@allow(RECORDERS)
def record_labour_activity(request, target_id: int, payload: LabourIn):
    target = selectors.access_target(request.user, target_id)
    activity = actions.record_labour_activity(
        target=target,
        kind=payload.kind,
        held_on=payload.held_on,
        people_placed=payload.people_placed,
        note=payload.note,
        by=request.user,
    )
    return 201, activity


# --- Programmes ------------------------------------------------------------------------------


@router.get("/programmes", response=list[ProgrammeOut], summary="Programmes I may see")
@allow(PROGRAMME_READERS)
@paginate(Pages, page_size=50)
def list_programmes(request):
    return selectors.programmes_visible_to(request.user).select_related("region").order_by("pk")


@router.post("/programmes", response={201: ProgrammeOut}, summary="Start a programme")
@allow(PROGRAMME_RUNNERS)
def create_programme(request, payload: ProgrammeIn):
    code = payload.region or request.user.region_id
    region = access_region_by_code(request.user, code)
    programme = actions.create_programme(
        kind=payload.kind,
        name=payload.name,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        region=region,
        by=request.user,
    )
    return 201, programme


@router.get("/programmes/{programme_id}", response=ProgrammeOut, summary="A programme")
@allow(PROGRAMME_READERS)
def get_programme(request, programme_id: int):
    return selectors.access_programme(request.user, programme_id)


@router.put("/programmes/{programme_id}", response=ProgrammeOut, summary="Change a programme")
@allow(PROGRAMME_RUNNERS)
def change_programme(request, programme_id: int, payload: ProgrammeChangeIn):
    programme = selectors.access_programme(request.user, programme_id)
    return actions.edit_programme(
        programme=programme,
        name=payload.name,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        by=request.user,
    )


@router.post(
    "/programmes/{programme_id}/targets",
    response={201: list[TargetOut]},
    summary="Add targets: villages by tag, or one region or school by hand",
)
@allow(PROGRAMME_RUNNERS)
def add_targets(request, programme_id: int, payload: TargetsIn):
    programme = selectors.access_programme(request.user, programme_id)
    given = [name for name in ("tag", "region", "organisation") if getattr(payload, name)]
    if len(given) != 1:
        raise ValidationError({"tag": [_("Give one of: a tag, a region or a school.")]})
    if payload.tag:
        added = actions.add_targets_by_tag(programme=programme, tag=payload.tag, by=request.user)
        return 201, added
    if payload.region:
        region = selectors.target_region(request.user, programme, payload.region)
        return 201, [actions.add_target(programme=programme, region=region, by=request.user)]
    school = selectors.helper_for(request.user, payload.organisation)
    return 201, [actions.add_target(programme=programme, organisation=school, by=request.user)]


@router.get(
    "/programmes/{programme_id}/coverage",
    response=CoverageOut,
    summary="The targets with no pairing on a day (一对一全覆盖 means none)",
)
@allow(PROGRAMME_READERS)
def coverage(request, programme_id: int, on: datetime.date | None = None):
    programme = selectors.access_programme(request.user, programme_id)
    day = on or timezone.localdate()
    targets = selectors.targets_visible_to(request.user).filter(programme=programme)
    uncovered = selectors.uncovered_targets(targets, day).select_related("region", "organisation")
    return {"on": day, "targets": targets.count(), "uncovered": list(uncovered)}


@router.post(
    "/programmes/{programme_id}/pairings",
    response={201: PairingOut},
    summary="Pair a helper organisation with a target",
)
@allow(PROGRAMME_RUNNERS)
def create_pairing(request, programme_id: int, payload: PairIn):
    programme = selectors.access_programme(request.user, programme_id)
    target = selectors.access_target(request.user, payload.target)
    if target.programme_id != programme.pk:
        raise Http404
    helper = selectors.helper_for(request.user, payload.helper)
    pairing: Pairing = actions.pair(
        target=target, helper=helper, since=payload.since, by=request.user
    )
    return 201, pairing


# --- Imports -------------------------------------------------------------------------------


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportOut(Schema):
    imported: int
    detail: str = ""
    errors: list[RowErrorOut] = []


def _import(request, programme_id: int, file, read, write):
    programme = selectors.access_programme(request.user, programme_id)
    parsed, refused = read_upload_for_api(lambda: read(file, programme=programme, by=request.user))
    if refused:
        return refused
    result = write(programme=programme, parsed=parsed, by=request.user)
    if result.ok:
        return 200, {"imported": result.imported}
    detail = _("Nothing was imported: correct the rows named and send the file again.")
    return 400, {"imported": 0, "detail": detail, "errors": [e.as_dict() for e in result.errors]}


@router.post(
    "/programmes/{programme_id}/pairings/import",
    response={200: ImportOut, 400: ImportOut, 413: dict},
    summary="Import pairings from a spreadsheet (all or nothing; faults by row and column)",
)
@allow(PROGRAMME_RUNNERS)
def import_pairings(request, programme_id: int, file: File[UploadedFile]):
    return _import(request, programme_id, file, imports.read_pairings, actions.import_pairings)


@router.post(
    "/programmes/{programme_id}/disbursements/import",
    response={200: ImportOut, 400: ImportOut, 413: dict},
    summary="Import disbursements from a spreadsheet (all or nothing; faults by row and column)",
)
@allow(PROGRAMME_RUNNERS)
def import_disbursements(request, programme_id: int, file: File[UploadedFile]):
    return _import(
        request, programme_id, file, imports.read_disbursements, actions.import_disbursements
    )
