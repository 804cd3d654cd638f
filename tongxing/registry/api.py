"""The registry through the API: households and members, organisations and people.

ID and phone numbers go out masked (`id_number_masked`, `phone_masked`). The full numbers,
as `id_number` and `phone`, are only in the answer to `GET /members/{id}?reveal=true`, for
the roles allowed to see them, and each such answer is written to the audit log.
"""

from datetime import date
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import ConfigDict

from tongxing.access import DIRECTORY_EDITORS, HOUSEHOLD_EDITORS, REGION_SCOPED_ROLES, allow
from tongxing.jobs.api import JobOut, job_out
from tongxing.jobs.models import JobStatus
from tongxing.paging import Pages
from tongxing.regions.selectors import access_region_by_code
from tongxing.registry import actions, records, selectors
from tongxing.registry import jobs as registry_jobs
from tongxing.registry.models import (
    HardshipCause,
    Household,
    HouseholdStatus,
    LabourAbility,
    Member,
    OrganisationKind,
    Position,
    Relation,
    Sex,
)
from tongxing.tabular import read_upload_for_api

router = Router(tags=["registry"])
CODE = r"^\d{12}$"
# `flag` may repeat (?flag=a&flag=b). As a parameter of its own rather than a field of
# HouseholdFilters, its errors are named like the others' ("query.flag.0").
FLAGS_PARAM = Query([], description="only households with every flag given")
Flag = Literal["disability", "serious_illness", "left_behind_children", "elderly_living_alone"]


# --- Schemas ------------------------------------------------------------------------------


class Input(Schema):
    # Choices arrive as plain strings, as the actions and the audit log keep them.
    model_config = ConfigDict(use_enum_values=True)


class MemberOut(Schema):
    id: int
    household: int
    name: str
    relation: str
    id_number_masked: str
    phone_masked: str
    birth_date: date | None
    sex: str
    labour_ability: str
    left_behind_child: bool
    student: bool
    disabled: bool

    @staticmethod
    def resolve_household(obj) -> int:
        return obj.household_id


class MemberRevealed(MemberOut):
    """A member with the full numbers: only in the answer to an audited reveal."""

    id_number: str
    phone: str


class StatusChangeOut(Schema):
    status: str
    since: date


class HelperOut(Schema):
    id: int
    person: int = Field(..., alias="person_id")
    person_name: str = Field(..., alias="person.name")
    position: str = Field(..., alias="person.position")
    since: date


class HouseholdOut(Schema):
    id: int
    registry_number: str
    village: str = Field(..., alias="village_id")
    village_name: str = Field(..., alias="village.name")
    status: str
    status_since: date
    hardship_causes: list[str]
    disability: bool
    serious_illness: bool
    left_behind_children: bool
    elderly_living_alone: bool
    head_name: str | None
    head_id_number_masked: str | None

    # Lists annotate the head (selectors.with_head); a single household finds it among its
    # members, prefetched.
    @staticmethod
    def resolve_head_name(obj) -> str | None:
        if hasattr(obj, "head_name"):
            return obj.head_name
        head = head_of(obj)
        return head.name if head else None

    @staticmethod
    def resolve_head_id_number_masked(obj) -> str | None:
        if hasattr(obj, "head_id_masked"):
            return obj.head_id_masked
        head = head_of(obj)
        return head.id_number_masked if head else None


class HouseholdDetail(HouseholdOut):
    members: list[MemberOut]
    helpers: list[HelperOut]
    status_history: list[StatusChangeOut]

    @staticmethod
    def resolve_members(obj) -> list[Member]:
        return sorted(obj.members.all(), key=lambda m: m.relation != Relation.HEAD)

    @staticmethod
    def resolve_helpers(obj):
        return selectors.helpers_of(obj)

    @staticmethod
    def resolve_status_history(obj):
        return obj.status_changes.all()


class HouseholdFilters(Input):
    q: str | None = Field(
        None,
        max_length=50,
        description=(
            "a member's name or a registry number (its start); an ID or phone number only "
            "through POST /households/search"
        ),
    )
    village: str | None = Field(None, pattern=CODE, description="households of this village")
    status: HouseholdStatus | None = None


class HouseholdSearch(Input):
    q: str | None = Field(
        None,
        max_length=50,
        description="a member's name, a registry number (its start), or a full ID number (exact)",
    )
    village: str | None = Field(None, pattern=CODE, description="households of this village")
    status: HouseholdStatus | None = None
    flag: list[Flag] = Field([], description="only households with every flag given")


class MemberIn(Input):
    name: str = Field(..., max_length=50)
    relation: Relation
    id_number: str = Field("", max_length=30)
    phone: str = Field("", max_length=20)
    birth_date: date | None = Field(None, description="read from the ID number when given")
    sex: Sex | None = Field(None, description="read from the ID number when given")
    labour_ability: LabourAbility | None = None
    left_behind_child: bool = False
    student: bool = False
    disabled: bool = False


class MemberPatch(Input):
    name: str | None = Field(None, max_length=50)
    relation: Relation | None = None
    id_number: str | None = Field(None, max_length=30, description="absent or empty: keep")
    phone: str | None = Field(None, max_length=20, description="absent or empty: keep")
    birth_date: date | None = None
    sex: Sex | None = None
    labour_ability: LabourAbility | None = None
    left_behind_child: bool | None = None
    student: bool | None = None
    disabled: bool | None = None


class HouseholdIn(Input):
    registry_number: str = Field(..., max_length=32)
    village: str = Field(..., pattern=CODE)
    status: HouseholdStatus
    status_since: date
    hardship_causes: list[HardshipCause] = []
    disability: bool = False
    serious_illness: bool = False
    left_behind_children: bool = False
    elderly_living_alone: bool = False
    members: list[MemberIn] = Field(..., description="the head of household and the others")


class HouseholdPatch(Input):
    registry_number: str | None = Field(None, max_length=32)
    village: str | None = Field(None, pattern=CODE)
    status: HouseholdStatus | None = None
    status_since: date | None = None
    hardship_causes: list[HardshipCause] | None = None
    disability: bool | None = None
    serious_illness: bool | None = None
    left_behind_children: bool | None = None
    elderly_living_alone: bool | None = None


class HelperIn(Input):
    person: int
    since: date


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    credit_code: str
    region: str = Field(..., alias="region_id")
    region_name: str = Field(..., alias="region.name")


class OrganisationFilters(Input):
    q: str | None = Field(None, max_length=50, description="name contains")
    kind: OrganisationKind | None = None


class OrganisationIn(Input):
    name: str = Field(..., max_length=100)
    kind: OrganisationKind
    credit_code: str = Field("", max_length=30)
    region: str = Field(..., pattern=CODE)


class OrganisationPatch(Input):
    name: str | None = Field(None, max_length=100)
    kind: OrganisationKind | None = None
    credit_code: str | None = Field(None, max_length=30, description="empty: no code")
    region: str | None = Field(None, pattern=CODE)


class PersonOut(Schema):
    id: int
    name: str
    position: str
    organisation: int | None = Field(None, alias="organisation_id")
    organisation_name: str | None = None
    region: str = Field(..., alias="region_id")
    region_name: str = Field(..., alias="region.name")
    phone_masked: str
    account: str | None = Field(None, description="the username this person logs in with")

    @staticmethod
    def resolve_organisation_name(obj) -> str | None:
        return obj.organisation.name if obj.organisation_id else None

    @staticmethod
    def resolve_account(obj) -> str | None:
        return obj.account.username if obj.account_id else None


class PersonFilters(Input):
    position: Position | None = None
    organisation: int | None = None


class PersonIn(Input):
    name: str = Field(..., max_length=50)
    position: Position
    region: str = Field(..., pattern=CODE)
    organisation: int | None = None
    phone: str = Field("", max_length=20)
    account: int | None = Field(None, description="the id of the account it logs in with")


class PersonAccountIn(Input):
    account: int | None = Field(..., description="the id of an account, or null for none")


# --- Helpers ------------------------------------------------------------------------------


def head_of(household: Household) -> Member | None:
    return next((m for m in household.members.all() if m.relation == Relation.HEAD), None)


def with_members(household: Household) -> Household:
    """Fetch the members once for the head and the member list of HouseholdDetail."""
    prefetch_related_objects([household], "members")
    return household


def member_data(payload: MemberIn) -> records.MemberData:
    return records.MemberData(
        name=payload.name,
        relation=payload.relation,
        id_number=payload.id_number,
        phone=payload.phone,
        birth_date=payload.birth_date,
        sex=payload.sex or "",
        labour_ability=payload.labour_ability or "",
        left_behind_child=payload.left_behind_child,
        student=payload.student,
        disabled=payload.disabled,
    )


# --- Households and members ----------------------------------------------------------------


@router.get("/households", response=list[HouseholdOut], summary="Households in my region")
@allow(REGION_SCOPED_ROLES)
@paginate(Pages, page_size=50)
def list_households(
    request,
    filters: Query[HouseholdFilters],
    flag: list[Flag] = FLAGS_PARAM,
):
    if filters.q and selectors.search_goes_by_post(filters.q):
        # The number would already be in the access log; refuse it so it is not sent again.
        raise ValidationError(
            {
                "q": [
                    _(
                        "Search an ID or phone number with POST /api/v1/households/search: "
                        "the address of a GET is written to access logs."
                    )
                ]
            }
        )
    return selectors.search_households(
        request.user,
        query=filters.q or "",
        village=filters.village or "",
        status=filters.status or "",
        flags=tuple(flag),
    )


@router.post(
    "/households/search",
    response=list[HouseholdOut],
    summary="Search households in my region, by ID or phone number too (kept out of the address)",
)
@allow(REGION_SCOPED_ROLES)
@paginate(Pages, page_size=50)
def search_households(request, search: HouseholdSearch):
    return selectors.search_households(
        request.user,
        query=search.q or "",
        village=search.village or "",
        status=search.status or "",
        flags=tuple(search.flag),
    )


@router.post(
    "/households",
    response={201: HouseholdDetail},
    summary="Register a household with its members (exactly one head)",
)
@allow(HOUSEHOLD_EDITORS)
def create_household(request, payload: HouseholdIn):
    data = records.HouseholdData(
        village=access_region_by_code(request.user, payload.village),
        **payload.model_dump(exclude={"village", "members"}),
    )
    household = actions.register_household(
        data=data, members=[member_data(m) for m in payload.members], by=request.user
    )
    return 201, with_members(household)


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportOut(Schema):
    households_created: int
    households_updated: int
    members_created: int
    members_updated: int
    rows_unchanged: int
    rows_imported: int
    rows_rejected: int
    dry_run: bool
    errors: list[RowErrorOut] = Field(description="the first 1,000 bad rows' faults")
    error_count: int = Field(description="all the faults found")
    marked_copy_url: str | None = Field(
        description="the file with its faults marked and its numbers masked (for 7 days)"
    )


class FileErrorOut(Schema):
    detail: str
    errors: list[dict]


@router.post(
    "/households/import",
    response={200: ImportOut, 202: JobOut, 400: ImportOut, 413: FileErrorOut},
    summary="Import a roster (.xlsx, .xls, .csv): all or nothing unless partial; "
    "a large file is imported in the background (202 and the job)",
)
@allow(HOUSEHOLD_EDITORS)
def import_roster(
    request, file: File[UploadedFile], partial: Form[bool] = False, dry_run: Form[bool] = False
):
    job, refused = read_upload_for_api(
        lambda: registry_jobs.import_roster(
            upload=file, filename=file.name, by=request.user, partial=partial, dry_run=dry_run
        )
    )
    if refused:
        return refused
    if not job.finished:
        return 202, job_out(job)
    if job.status == JobStatus.FAILED:
        raise HttpError(400, job.error)
    result = dict(job.result)
    result["marked_copy_url"] = job_out(job)["download_url"]
    # A partial import that took some rows answers 200, with the rows it did not take.
    return (400 if result["refused"] else 200), result


@router.get(
    "/households/{household_id}",
    response=HouseholdDetail,
    summary="A household with its members (numbers masked), helpers and status history",
)
@allow(REGION_SCOPED_ROLES)
def get_household(request, household_id: int):
    return with_members(selectors.access_household(request.user, household_id))


@router.patch(
    "/households/{household_id}",
    response=HouseholdDetail,
    summary="Change a household; a new status is kept in its history",
)
@allow(HOUSEHOLD_EDITORS)
def patch_household(request, household_id: int, payload: HouseholdPatch):
    household = selectors.access_household(request.user, household_id)
    changes = payload.model_dump(exclude_unset=True, exclude_none=True)
    village = household.village
    if "village" in changes:
        village = access_region_by_code(request.user, changes.pop("village"))
    current = {name: getattr(household, name) for name in HouseholdPatch.model_fields}
    data = records.HouseholdData(**{**current, **changes, "village": village})
    household = actions.update_household(household=household, data=data, by=request.user)
    return with_members(household)


@router.post(
    "/households/{household_id}/members",
    response={201: MemberOut},
    summary="Add a member to a household",
)
@allow(HOUSEHOLD_EDITORS)
def add_member(request, household_id: int, payload: MemberIn):
    household = selectors.access_household(request.user, household_id)
    return 201, actions.add_member(household=household, data=member_data(payload), by=request.user)


@router.post(
    "/households/{household_id}/helpers",
    response={201: HelperOut},
    summary="Assign a person of the directory to help a household",
)
@allow(HOUSEHOLD_EDITORS)
def assign_helper(request, household_id: int, payload: HelperIn):
    household = selectors.access_household(request.user, household_id)
    person = selectors.access_person(request.user, payload.person)
    assignment = actions.assign_helper(
        person=person, household=household, since=payload.since, by=request.user
    )
    return 201, assignment


@router.get(
    "/members/{member_id}",
    response=MemberRevealed | MemberOut,
    summary="A member, masked; with reveal=true the full numbers (audited)",
)
@allow(REGION_SCOPED_ROLES)
def get_member(request, response: HttpResponse, member_id: int, reveal: bool = False):
    member = selectors.access_member(request.user, member_id)
    if not reveal:
        return member  # no id_number or phone attribute: only MemberOut fits
    numbers = actions.reveal_member(member=member, by=request.user)
    add_never_cache_headers(response)
    # Held on this instance for the answer only; the database keeps them encrypted.
    member.id_number, member.phone = numbers["id_number"], numbers["phone"]
    return member


@router.patch(
    "/members/{member_id}",
    response=MemberOut,
    summary="Change a member; an absent or empty ID or phone keeps the number on file",
)
@allow(HOUSEHOLD_EDITORS)
def patch_member(request, member_id: int, payload: MemberPatch):
    member = selectors.access_member(request.user, member_id)
    changes = payload.model_dump(exclude_unset=True, exclude_none=True)
    data = records.MemberData(
        name=changes.get("name", member.name),
        relation=changes.get("relation", member.relation),
        # Empty numbers, birth date and sex keep what is on file (or follow a new ID number).
        id_number=changes.get("id_number", ""),
        phone=changes.get("phone", ""),
        birth_date=changes.get("birth_date"),
        sex=changes.get("sex", ""),
        labour_ability=changes.get("labour_ability", member.labour_ability),
        left_behind_child=changes.get("left_behind_child", member.left_behind_child),
        student=changes.get("student", member.student),
        disabled=changes.get("disabled", member.disabled),
    )
    return actions.update_member(member=member, data=data, by=request.user)


# --- Organisations and people ---------------------------------------------------------------


@router.get("/organisations", response=list[OrganisationOut], summary="Organisations in my region")
@allow(REGION_SCOPED_ROLES)
@paginate(Pages, page_size=50)
def list_organisations(request, filters: Query[OrganisationFilters]):
    return selectors.search_organisations(
        request.user, query=filters.q or "", kind=filters.kind or ""
    )


@router.post("/organisations", response={201: OrganisationOut}, summary="Add an organisation")
@allow(DIRECTORY_EDITORS)
def create_organisation(request, payload: OrganisationIn):
    organisation = actions.create_organisation(
        name=payload.name,
        kind=payload.kind,
        credit_code=payload.credit_code,
        region=access_region_by_code(request.user, payload.region),
        by=request.user,
    )
    return 201, organisation


@router.get(
    "/organisations/{organisation_id}",
    response=OrganisationOut,
    summary="An organisation in my region",
)
@allow(REGION_SCOPED_ROLES)
def get_organisation(request, organisation_id: int):
    return selectors.access_organisation(request.user, organisation_id)


@router.patch(
    "/organisations/{organisation_id}", response=OrganisationOut, summary="Change an organisation"
)
@allow(DIRECTORY_EDITORS)
def patch_organisation(request, organisation_id: int, payload: OrganisationPatch):
    organisation = selectors.access_organisation(request.user, organisation_id)
    changes = payload.model_dump(exclude_unset=True, exclude_none=True)
    region = organisation.region
    if "region" in changes:
        region = access_region_by_code(request.user, changes["region"])
    return actions.update_organisation(
        organisation=organisation,
        name=changes.get("name", organisation.name),
        kind=changes.get("kind", organisation.kind),
        credit_code=changes.get("credit_code", organisation.credit_code),
        region=region,
        by=request.user,
    )


@router.get("/people", response=list[PersonOut], summary="People of the directory in my region")
@allow(REGION_SCOPED_ROLES)
@paginate(Pages, page_size=50)
def list_people(request, filters: Query[PersonFilters]):
    return selectors.search_people(
        request.user, position=filters.position or "", organisation=filters.organisation
    )


@router.post("/people", response={201: PersonOut}, summary="Add a person to the directory")
@allow(DIRECTORY_EDITORS)
def create_person(request, payload: PersonIn):
    organisation = None
    if payload.organisation is not None:
        organisation = selectors.access_organisation(request.user, payload.organisation)
    person = actions.create_person(
        name=payload.name,
        position=payload.position,
        region=access_region_by_code(request.user, payload.region),
        organisation=organisation,
        phone=payload.phone,
        account=linkable_account(request.user, payload.account),
        by=request.user,
    )
    return 201, person


def linkable_account(user, account_id: int | None, person=None):
    """The account asked for, if the user may link it; a field error if not."""
    if account_id is None:
        return None
    found = selectors.linkable_accounts(user, person).filter(pk=account_id).first()
    if found is None:
        message = _("Choose an active account of staff, a cadre or an organisation of your region.")
        raise ValidationError({"account": [message]})
    return found


@router.put(
    "/people/{person_id}/account",
    response=PersonOut,
    summary="Let a person of the directory log in with an account (null: with none)",
)
@allow(DIRECTORY_EDITORS)
def link_person_account(request, person_id: int, payload: PersonAccountIn):
    person = selectors.access_person(request.user, person_id)
    account = linkable_account(request.user, payload.account, person)
    return actions.link_person_account(person=person, account=account, by=request.user)


@router.get("/people/{person_id}", response=PersonOut, summary="A person in my region")
@allow(REGION_SCOPED_ROLES)
def get_person(request, person_id: int):
    return selectors.access_person(request.user, person_id)
