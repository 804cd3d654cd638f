"""The needs board through the API: the public board, posting and review, pledges and
contributions, the review rules and the figures.

What the public sees of a need (`NeedOut`) carries no personal data: the household is its
public name (张**) and its village. The office's record of a need (`record`: the household,
the rule findings, the pledges and their donors) is only in the answers to staff of its
region and to the household's own account; for everyone else `record` is null.

A contribution of money needs an `Idempotency-Key` header: the same key sent again (a retry
after a lost answer) returns the first contribution, marked `Idempotent-Replayed: true`,
and records nothing new. Pledges of goods honour the header when it is sent.
"""

import datetime
from typing import Literal

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Header, Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.errors import AuthenticationError
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import ConfigDict

from tongxing import public_cache
from tongxing.access import (
    NEED_POSTERS,
    NEED_READERS,
    NEED_RECEIVERS,
    NEED_REVIEWERS,
    PLEDGERS,
    REGION_SCOPED_ROLES,
    RULE_EDITORS,
    allow,
    public,
)
from tongxing.accounts.models import User
from tongxing.accounts.selectors import user_for_token
from tongxing.needs import rights, selectors
from tongxing.needs.actions import delivery, pledges, posting, review, rules
from tongxing.needs.amounts import amount_text
from tongxing.needs.models import Category, FundingPolicy, Kind, Need, Status, Urgency
from tongxing.paging import Pages
from tongxing.regions.selectors import access_region_by_code
from tongxing.registry import selectors as registry_selectors
from tongxing.registry.models import Household, Member

router = Router(tags=["needs"])
CODE = r"^\d{12}$"
# A bound on every amount and quantity a request gives, far above any real need (¥10 billion
# in fen): beyond it the database's 64-bit integers would overflow into a 500.
LARGEST = 10**12
# The first day the figures may be asked for: the board did not exist before.
EARLIEST_FIGURES = datetime.date(2000, 1, 1)


# --- Schemas ------------------------------------------------------------------------------


class Input(Schema):
    # Choices arrive as plain strings, as the actions and the audit log keep them.
    model_config = ConfigDict(use_enum_values=True)


class NeedOut(Schema):
    """A need as the public board shows it: no personal data."""

    id: int
    kind: str
    kind_label: str
    category: str
    category_label: str
    title: str
    story: str
    public_name: str = Field(..., description="the household's surname and stars: 张**")
    village: str = Field(..., alias="village_id")
    village_name: str = Field(..., alias="village.name")
    township_name: str
    urgency: int
    urgency_label: str
    deadline: datetime.date
    target: int = Field(..., description="in the need's unit: pieces, places, 1 wish, or fen")
    pledged: int
    delivered: int
    confirmed: int
    remaining: int
    unit: str = Field(..., description="goods: the measure word as posted (件, 台, 床…)")
    target_text: str = Field(
        ..., description="for display, in the request's language: 3 pieces of bedding, ¥1,200"
    )
    pledged_text: str
    remaining_text: str
    value_fen: int = Field(..., description="the estimated value of the whole need")
    percent: int = Field(..., alias="percent_pledged")
    funding_policy: str
    status: str
    status_label: str
    open_for_pledges: bool = Field(
        ..., description="published, not yet fully pledged, and its deadline not passed"
    )
    published_at: datetime.datetime | None

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_category_label(obj) -> str:
        return obj.get_category_display()

    @staticmethod
    def resolve_urgency_label(obj) -> str:
        return obj.get_urgency_display()

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_target_text(obj) -> str:
        return amount_text(obj, obj.target)

    @staticmethod
    def resolve_pledged_text(obj) -> str:
        return amount_text(obj, obj.pledged)

    @staticmethod
    def resolve_remaining_text(obj) -> str:
        return amount_text(obj, obj.remaining)

    @staticmethod
    def resolve_township_name(obj) -> str:
        # Lists select the village's parent with the need; a single need reads it here.
        parent = obj.village.parent if obj.village.parent_id else None
        return parent.name if parent is not None else ""


class FeedbackOut(Schema):
    rating: int
    thanks: str
    on_behalf: bool
    at: datetime.datetime


class PledgeOut(Schema):
    """A pledge as its donor sees it."""

    id: int
    need: int = Field(..., alias="need_id")
    status: str
    quantity: int = Field(..., description="in the need's unit; fen for a contribution")
    value_fen: int
    deliver_by: datetime.date | None
    note: str
    payment_method: str
    payment_reference: str
    consent_to_move: bool
    created_at: datetime.datetime
    delivered_at: datetime.datetime | None
    confirmed_at: datetime.datetime | None
    ended_at: datetime.datetime | None
    end_reason: str
    refunded_at: datetime.datetime | None = Field(
        ..., description="a returned contribution: when it was paid back (null while pending)"
    )
    feedback: FeedbackOut | None

    @staticmethod
    def resolve_feedback(obj):
        # The reverse one-to-one raises (an AttributeError) when there is no feedback.
        return getattr(obj, "feedback", None)


class PledgeRecordOut(PledgeOut):
    """A pledge as staff of the need's region and the household see it."""

    donor: str
    organisation: str | None
    confirmed_by: str | None
    confirmed_on_behalf: bool
    confirmation_note: str
    has_evidence: bool

    @staticmethod
    def resolve_donor(obj) -> str:
        return str(obj.donor)

    @staticmethod
    def resolve_organisation(obj) -> str | None:
        return obj.organisation.name if obj.organisation_id else None

    @staticmethod
    def resolve_confirmed_by(obj) -> str | None:
        return str(obj.confirmed_by) if obj.confirmed_by_id else None

    @staticmethod
    def resolve_has_evidence(obj) -> bool:
        return bool(obj.evidence)

    @staticmethod
    def resolve_payment_reference(obj, context) -> str:
        # The office reconciles transfers by their reference; a household has no need of
        # its donors' bank references.
        request = (context or {}).get("request")
        if request is not None and rights.is_household(request.user):
            return ""
        return obj.payment_reference


class MyPledgeOut(PledgeOut):
    """One of my pledges, with the public face of its need."""

    need: NeedOut  # type: ignore[assignment]

    @staticmethod
    def resolve_need(obj) -> Need:
        return obj.need


class NeedRecordOut(Schema):
    """The office's record of a need: for staff of its region and the household only."""

    household: int | None = Field(..., alias="household_id")
    child: int | None = Field(..., alias="child_id")
    place: str
    unit_value_fen: int
    status_reason: str
    rule_findings: list[dict]
    override_reason: str
    posted_by: str | None
    on_behalf: bool
    reviewed_by: str | None
    escalated_to: str | None
    created_at: datetime.datetime
    submitted_at: datetime.datetime | None
    reviewed_at: datetime.datetime | None
    matched_at: datetime.datetime | None
    delivered_at: datetime.datetime | None
    confirmed_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    expired_at: datetime.datetime | None
    escalated_at: datetime.datetime | None
    cancelled_at: datetime.datetime | None

    @staticmethod
    def resolve_posted_by(obj) -> str | None:
        return str(obj.posted_by) if obj.posted_by_id else None

    @staticmethod
    def resolve_reviewed_by(obj) -> str | None:
        return str(obj.reviewed_by) if obj.reviewed_by_id else None

    @staticmethod
    def resolve_escalated_to(obj) -> str | None:
        return obj.escalated_to.name if obj.escalated_to_id else None


class NeedRecordDetailOut(NeedRecordOut):
    pledges: list[PledgeRecordOut]

    @staticmethod
    def resolve_pledges(obj):
        return selectors.pledges_of_need(obj).select_related("confirmed_by")


class NeedDetailOut(NeedOut):
    record: NeedRecordDetailOut | None = Field(
        None, description="staff of its region and the household only; null for everyone else"
    )

    @staticmethod
    def resolve_record(obj):
        # Set by `with_record` after an access check; a need read from the board has none.
        return obj if getattr(obj, "shown_with_record", False) else None


class NeedRowOut(NeedOut):
    """A need in the staff's lists (review queue, escalations, my region)."""

    record: NeedRecordOut

    @staticmethod
    def resolve_record(obj):
        return obj


class PersonalDataOut(Schema):
    field: str = Field(..., description="title, story, place or unit")
    kind: str = Field(..., description="id_number, bank_card, mobile, landline or name")
    label: str
    start: int = Field(..., description="where it starts in the field's text, in characters")
    end: int = Field(..., description="where it ends (exclusive)")
    masked: str


class ReviewRowOut(NeedRowOut):
    """A need waiting for review, with the personal data found in its public text."""

    personal_data: list[PersonalDataOut] = Field(
        ..., description="what must leave the public text before the need can be published"
    )

    @staticmethod
    def resolve_personal_data(obj) -> list[dict]:
        return [
            {"field": field, "label": finding.label, **finding.as_dict()}
            for field, findings in selectors.public_text_findings(obj).items()
            for finding in findings
        ]


class BoardFilters(Schema):
    # Plain strings: selectors.clean_board_filters names each bad one (400, field errors).
    kind: str = Field("", description="goods, funds, service or wish")
    category: str = ""
    region: str = Field("", description="a region code, or its significant prefix (5901)")
    urgency: int | None = Field(None, description="at least this urgent (1-3)")
    min_value_fen: int | None = Field(
        None, le=LARGEST, description="estimated value at least, in fen"
    )
    max_value_fen: int | None = Field(
        None, le=LARGEST, description="estimated value at most, in fen"
    )
    deadline_before: datetime.date | None = Field(None, description="deadline on or before")
    open_only: bool = Field(
        True, description="hide needs already fully pledged or past their deadline"
    )
    sort: str = Field("urgency", description="urgency, deadline, progress or newest")
    # Plain, unbounded here: the selector refuses a query over its length with a message.
    q: str = Field(
        "", description="words of the title or of the village or township name, all of them"
    )


class NeedIn(Input):
    kind: Kind
    category: Category
    title: str = Field(..., max_length=100)
    story: str = Field("", max_length=2000)
    deadline: datetime.date
    urgency: Urgency = Urgency.NORMAL
    household_id: int | None = Field(None, description="the household in need")
    village: str | None = Field(None, pattern=CODE, description="a collective need's village")
    child_id: int | None = Field(None, description="a micro-wish's left-behind child")
    quantity: int | None = Field(None, le=LARGEST, description="goods: pieces; services: places")
    unit: str = Field("", max_length=10)
    unit_value_fen: int = Field(0, le=LARGEST, description="goods: the estimated value of one")
    target_fen: int | None = Field(None, le=LARGEST, description="funds: the amount to raise")
    value_fen: int = Field(
        0, le=LARGEST, description="micro-wishes and services: the estimated value"
    )
    place: str = Field("", max_length=100)
    funding_policy: FundingPolicy | None = None
    submit: bool = Field(False, description="submit for review at once")


class ReviewIn(Input):
    decision: Literal["approve", "reject"]
    reason: str = Field("", max_length=300, description="why it is rejected")
    override_reason: str = Field(
        "", max_length=300, description="why it is published although a rule flags it"
    )


class CancelIn(Input):
    reason: str = Field("", max_length=300)


class ReopenIn(Input):
    deadline: datetime.date


class NeedListFilters(Input):
    status: Status | None = None


class EventOut(Schema):
    at: datetime.datetime
    action: str
    actor: str | None
    actor_role: str | None
    before: dict | None
    after: dict | None

    @staticmethod
    def resolve_action(obj) -> str:
        return obj.action.removeprefix("need.")

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return str(obj.actor) if obj.actor_id else None

    @staticmethod
    def resolve_actor_role(obj) -> str | None:
        return obj.actor.role if obj.actor_id else None


class PledgeIn(Input):
    # Goods, services and micro-wishes
    quantity: int | None = Field(
        None, le=LARGEST, description="goods and services; a wish is taken whole"
    )
    deliver_by: datetime.date | None = None
    note: str = Field("", max_length=300)
    # Money (a funding need)
    amount_fen: int | None = Field(None, le=LARGEST, description="funds: the amount given, in fen")
    payment_reference: str = Field("", max_length=100, description="funds: the transfer's")
    consent_to_move: bool = Field(
        False, description="funds: if the need fails, the money may help another"
    )


class NoteIn(Input):
    note: str = Field("", max_length=300)


class WithdrawIn(Input):
    reason: str = Field("", max_length=300)


class FeedbackIn(Input):
    rating: int = Field(..., description="1 to 5")
    thanks: str = Field("", max_length=300)


class ImpactOut(Schema):
    """What my help added up to; withdrawn, returned and moved pledges count nowhere."""

    pledges: int = Field(..., description="my pledges and contributions still standing")
    needs_helped: int
    households_helped: int
    promised_fen: int = Field(
        ..., description="goods, services and wishes pledged, not yet delivered (estimated)"
    )
    delivered_fen: int = Field(
        ..., description="delivered, the household's confirmation awaited (estimated)"
    )
    received_fen: int = Field(..., description="received, as the household confirmed (estimated)")
    money_fen: int = Field(..., description="money contributed: held plus released")
    money_held_fen: int = Field(
        ..., description="contributed to needs not yet at their target (returned if never)"
    )
    money_released_fen: int = Field(..., description="released to the households")
    value_fen: int = Field(..., description="all of the above together, promises included")
    confirmed: int = Field(..., description="deliveries the households confirmed")
    thanks: int
    average_rating: float | None


class FiguresFilters(Input):
    region: str | None = Field(None, pattern=CODE, description="default: my region")
    as_of: datetime.date | None = Field(None, description="default: today")


class FiguresOut(Schema):
    region: str
    region_name: str
    as_of: datetime.date
    year_start: datetime.date = Field(..., description="the micro-wish figures count from it")
    figures: dict[str, int | float | None]


class CapOut(Schema):
    region: str = Field(..., alias="region_id")
    region_name: str = Field(..., alias="region.name")
    category: str
    category_label: str
    cap_fen: int

    @staticmethod
    def resolve_category_label(obj) -> str:
        return obj.get_category_display()


class CapIn(Input):
    region: str = Field(..., pattern=CODE)
    category: Category
    cap_fen: int | None = Field(..., le=LARGEST, description="null removes the cap")


class TermOut(Schema):
    id: int
    region: str = Field(..., alias="region_id")
    region_name: str = Field(..., alias="region.name")
    term: str
    note: str


class TermIn(Input):
    region: str = Field(..., pattern=CODE)
    term: str = Field(..., max_length=100)
    note: str = Field("", max_length=200)


# --- Helpers ------------------------------------------------------------------------------


def caller(request) -> User | AnonymousUser:
    """Return who sent a request to a public operation.

    Public operations take no auth, so ninja reads no token for them: the bearer token,
    if one was sent, is read here. A token that is no longer valid is refused (401) rather
    than read as anonymous, so a client does not mistake the public view for the record.
    """
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        found = user_for_token(token.strip())
        if found is None:
            raise AuthenticationError
        request.user = found[0]  # as the authenticated operations have it
    return request.user


def with_record(need: Need) -> Need:
    """Mark a need, found through selectors.access_need, to be answered with its record."""
    need.shown_with_record = True
    return need


def staff_list(needs):
    return needs.select_related("village__parent", "posted_by", "reviewed_by", "escalated_to")


def own_household(user: User) -> Household:
    """The household a household account belongs to (403 if none is linked yet)."""
    household = registry_selectors.household_of_account(user)
    if household is None:
        raise PermissionDenied
    return household


def need_data(user: User, payload: NeedIn) -> posting.NeedData:
    """Turn the request into the action's data, finding each record through the caller's
    scope: a household, child or village outside it is 404 and never named."""
    household = village = child = None
    if rights.is_household(user):
        own = own_household(user)
        if payload.household_id not in (None, own.pk) or payload.village:
            raise Http404
        household = own
        if payload.child_id is not None:
            child = Member.objects.filter(household=own, pk=payload.child_id).first()
            if child is None:
                raise Http404
    else:
        if payload.household_id is not None:
            household = registry_selectors.access_household(user, payload.household_id)
        if payload.village:
            village = access_region_by_code(user, payload.village)
        if payload.child_id is not None:
            child = registry_selectors.access_member(user, payload.child_id)
    return posting.NeedData(
        kind=payload.kind,
        category=payload.category,
        title=payload.title,
        story=payload.story,
        deadline=payload.deadline,
        household=household,
        village=village,
        child=child,
        urgency=payload.urgency,
        quantity=payload.quantity,
        unit=payload.unit,
        unit_value_fen=payload.unit_value_fen,
        target_fen=payload.target_fen,
        value_fen=payload.value_fen,
        place=payload.place,
        funding_policy=payload.funding_policy or "",
    )


# --- The public board ---------------------------------------------------------------------
# The fixed paths come before /needs/{need_id}, which would otherwise take them as an id.


@router.get(
    "/needs",
    response=list[NeedOut],
    auth=None,
    summary="The public board: published needs, filtered and sorted",
)
@public
@decorate_view(public_cache.cached("board"))
@paginate(Pages, page_size=20)
def list_board(request, filters: Query[BoardFilters]):
    cleaned = selectors.clean_board_filters(selectors.BoardFilters(**filters.model_dump()))
    return selectors.board_needs(cleaned)


@router.post(
    "/needs",
    response={201: NeedDetailOut},
    summary="Post a need for a household (or a village), as a draft or submitted at once",
)
@allow(NEED_POSTERS)
def create_need(
    request,
    payload: NeedIn,
    idempotency_key: str = Header(
        "",
        alias="Idempotency-Key",
        description="optional: the same key sent again returns the need it first made",
    ),
):
    need = posting.create_need(
        data=need_data(request.user, payload),
        by=request.user,
        submit=payload.submit,
        idempotency_key=idempotency_key,
    )
    return 201, with_record(need)


# --- Staff lists, figures and rules -------------------------------------------------------


@router.get(
    "/needs/review-queue",
    response=list[ReviewRowOut],
    summary="Needs waiting for my review, oldest first, with the personal data in their text",
)
@allow(NEED_REVIEWERS)
@paginate(Pages, page_size=50)
def review_queue(request):
    # The households' members come with the page: their names are checked in the text.
    return staff_list(selectors.review_queue(request.user)).prefetch_related("household__members")


@router.get(
    "/needs/escalated",
    response=list[NeedRowOut],
    summary="Needs of my region that expired without a full match, newest first",
)
@allow(NEED_REVIEWERS)
@paginate(Pages, page_size=50)
def escalated(request):
    return staff_list(selectors.escalated_needs(request.user))


@router.get(
    "/needs/region",
    response=list[NeedRowOut],
    summary="Every need of my region (a household account: of my household), newest first",
)
@allow(NEED_READERS)
@paginate(Pages, page_size=50)
def needs_of_my_region(request, filters: Query[NeedListFilters]):
    needs = selectors.needs_visible_to(request.user)
    if filters.status:
        needs = needs.filter(status=filters.status)
    return staff_list(needs).order_by("-id")


@router.get(
    "/needs/figures",
    response=FiguresOut,
    summary="The needs board's indicators for a region of mine, as of a date",
)
@allow(REGION_SCOPED_ROLES)
def figures(request, filters: Query[FiguresFilters]):
    user = request.user
    code = filters.region or user.region_id
    region = access_region_by_code(user, code)
    today = timezone.localdate()
    as_of = filters.as_of or today
    if not EARLIEST_FIGURES <= as_of <= today:
        raise ValidationError(
            {"as_of": [_("Give a day from 2000 to today: figures are not forecasts.")]}
        )
    year_start = datetime.date(as_of.year, 1, 1)
    values = {
        **selectors.need_figures(region=region.prefix, as_of=as_of),
        **selectors.wish_figures(region=region.prefix, start=year_start, end=as_of),
        **selectors.platform_figures(region=region.prefix, as_of=as_of),
    }
    values.pop("platform.as_of")
    return {
        "region": region.code,
        "region_name": region.name,
        "as_of": as_of,
        "year_start": year_start,
        "figures": values,
    }


@router.get(
    "/needs/rules/caps", response=list[CapOut], summary="Value caps of the review in my region"
)
@allow(RULE_EDITORS)
def list_caps(request):
    return selectors.value_caps_visible_to(request.user)


@router.put(
    "/needs/rules/caps",
    response={200: CapOut, 204: None},
    summary="Set the value cap of a category in a region (cap_fen null removes it: 204)",
)
@allow(RULE_EDITORS)
def set_cap(request, payload: CapIn):
    cap = rules.set_value_cap(
        region=access_region_by_code(request.user, payload.region),
        category=payload.category,
        cap_fen=payload.cap_fen,
        by=request.user,
    )
    if cap is None:
        return 204, None
    return 200, cap


@router.get(
    "/needs/rules/terms", response=list[TermOut], summary="Words the review flags in my region"
)
@allow(RULE_EDITORS)
def list_terms(request):
    return selectors.banned_terms_visible_to(request.user)


@router.post("/needs/rules/terms", response={201: TermOut}, summary="Flag a word in a region")
@allow(RULE_EDITORS)
def add_term(request, payload: TermIn):
    banned = rules.add_banned_term(
        region=access_region_by_code(request.user, payload.region),
        term=payload.term,
        note=payload.note,
        by=request.user,
    )
    return 201, banned


@router.delete("/needs/rules/terms/{term_id}", response={204: None}, summary="Stop flagging a word")
@allow(RULE_EDITORS)
def remove_term(request, term_id: int):
    banned = selectors.banned_terms_visible_to(request.user).filter(pk=term_id).first()
    if banned is None:
        raise Http404
    rules.remove_banned_term(banned=banned, by=request.user)
    return 204, None


# --- One need -----------------------------------------------------------------------------


@router.get(
    "/needs/{need_id}",
    response=NeedDetailOut,
    auth=None,
    summary="A need: its public face for anyone, with its record for staff of its region",
)
@public
@decorate_view(public_cache.cached("board"))
def get_need(request, need_id: int):
    user = caller(request)
    try:
        return with_record(selectors.access_need(user, need_id))
    except Http404:
        return selectors.access_public_need(need_id)


@router.post("/needs/{need_id}/submit", response=NeedDetailOut, summary="Submit a draft for review")
@allow(NEED_POSTERS)
def submit_need(request, need_id: int):
    need = selectors.access_need(request.user, need_id)
    return with_record(posting.submit_need(need=need, by=request.user))


@router.post(
    "/needs/{need_id}/review",
    response=NeedDetailOut,
    summary="Publish a submitted need, or reject it with a reason",
)
@allow(NEED_REVIEWERS)
def review_need(request, need_id: int, payload: ReviewIn):
    need = selectors.access_need(request.user, need_id)
    reviewed = review.review_need(
        need=need,
        by=request.user,
        approve=payload.decision == "approve",
        reason=payload.reason,
        override_reason=payload.override_reason,
    )
    return with_record(reviewed)


@router.post(
    "/needs/{need_id}/cancel",
    response=NeedDetailOut,
    summary="Withdraw a need; pledges not yet delivered are released",
)
@allow(NEED_POSTERS)
def cancel_need(request, need_id: int, payload: CancelIn):
    need = selectors.access_need(request.user, need_id)
    return with_record(posting.cancel_need(need=need, by=request.user, reason=payload.reason))


@router.post(
    "/needs/{need_id}/reopen",
    response=NeedDetailOut,
    summary="Put an expired need back on the board with a new deadline",
)
@allow(NEED_REVIEWERS)
def reopen_need(request, need_id: int, payload: ReopenIn):
    need = selectors.access_need(request.user, need_id)
    return with_record(review.reopen_need(need=need, by=request.user, deadline=payload.deadline))


@router.get(
    "/needs/{need_id}/events",
    response=list[EventOut],
    summary="Everything that happened to a need, oldest first",
)
@allow(NEED_READERS)
def need_events(request, need_id: int):
    return selectors.need_events(selectors.access_need(request.user, need_id))


# --- Pledges and contributions --------------------------------------------------------------


@router.post(
    "/needs/{need_id}/pledges",
    response={201: PledgeOut},
    summary="Pledge goods, a service or a wish; or contribute money (Idempotency-Key needed)",
)
@allow(PLEDGERS)
def pledge(
    request,
    response: HttpResponse,
    need_id: int,
    payload: PledgeIn,
    idempotency_key: str = Header(
        "", alias="Idempotency-Key", description="required for money; honoured for goods"
    ),
):
    need = selectors.access_public_need(need_id)
    if need.kind == Kind.FUNDS:
        if not idempotency_key.strip():
            raise ValidationError(
                {
                    "idempotency_key": [
                        _(
                            "A contribution needs an Idempotency-Key header: a unique value "
                            "that you send again if you retry, so the money counts once."
                        )
                    ]
                }
            )
        result = pledges.contribute(
            need=need,
            by=request.user,
            amount_fen=payload.amount_fen,
            payment_reference=payload.payment_reference,
            consent_to_move=payload.consent_to_move,
            idempotency_key=idempotency_key,
        )
    else:
        result = pledges.pledge_goods(
            need=need,
            by=request.user,
            quantity=payload.quantity,
            deliver_by=payload.deliver_by,
            note=payload.note,
            idempotency_key=idempotency_key,
        )
    if result.replayed:
        response["Idempotent-Replayed"] = "true"
    # Read again: the contribution that completes a need is released (delivered) by the
    # same action after the pledge object was made.
    result.pledge.refresh_from_db()
    return 201, result.pledge


@router.post(
    "/pledges/{pledge_id}/deliver",
    response=PledgeOut,
    summary="Say the goods (or the service) reached the household",
)
@allow(PLEDGERS)
def deliver(request, pledge_id: int, payload: NoteIn | None = None):
    pledge = selectors.access_pledge(request.user, pledge_id)
    note = payload.note if payload is not None else ""
    return delivery.deliver_pledge(pledge=pledge, by=request.user, note=note)


@router.post(
    "/pledges/{pledge_id}/withdraw",
    response=PledgeOut,
    summary="Take back a pledge of goods not yet delivered",
)
@allow(PLEDGERS)
def withdraw(request, pledge_id: int, payload: WithdrawIn | None = None):
    pledge = selectors.access_pledge(request.user, pledge_id)
    reason = payload.reason if payload is not None else ""
    return pledges.withdraw_pledge(pledge=pledge, by=request.user, reason=reason)


@router.post(
    "/pledges/{pledge_id}/confirm",
    response=PledgeRecordOut,
    summary="Confirm receipt (multipart); staff confirming for the household add a photo or note",
)
@allow(NEED_RECEIVERS)
def confirm(
    request,
    pledge_id: int,
    note: str = Form("", max_length=300),
    evidence: File[UploadedFile | None] = None,  # a photo: JPEG, PNG, WebP or GIF
):
    pledge = selectors.access_pledge(request.user, pledge_id)
    return delivery.confirm_pledge(pledge=pledge, by=request.user, note=note, evidence=evidence)


@router.post(
    "/pledges/{pledge_id}/feedback",
    response={201: FeedbackOut},
    summary="Thank the donor and rate the help (1 to 5)",
)
@allow(NEED_RECEIVERS)
def feedback(request, pledge_id: int, payload: FeedbackIn):
    pledge = selectors.access_pledge(request.user, pledge_id)
    given = delivery.give_feedback(
        pledge=pledge, by=request.user, rating=payload.rating, thanks=payload.thanks
    )
    return 201, given


@router.get(
    "/me/pledges",
    response=list[MyPledgeOut],
    summary="My pledges and contributions, newest first, with their needs and thanks",
)
@allow(PLEDGERS)
@paginate(Pages, page_size=20)
def my_pledges(request):
    return selectors.pledges_of(request.user).select_related("need__village__parent")


@router.get("/me/impact", response=ImpactOut, summary="What my help added up to")
@allow(PLEDGERS)
def my_impact(request):
    return selectors.impact_of(request.user)
