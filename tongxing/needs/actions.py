"""Changes to the needs board. Each action checks the actor's right, validates every field
at once, runs in one transaction, writes the need's event to the audit log and sends its
notifications. Pages, the API, the sweep command and the demo all come through here.

Progress (`pledged`, `delivered`, `confirmed` on Need) moves only here, by conditional
UPDATE statements in the same transaction as the pledge lines they sum.
"""

import datetime
import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxing import public_cache
from tongxing.access import (
    HOUSEHOLD_PROXIES,
    NEED_POSTERS,
    NEED_REVIEWERS,
    PLEDGERS,
    RULE_EDITORS,
    Role,
    scope_prefix,
)
from tongxing.accounts.models import User
from tongxing.audit.log import record, record_history, redact_events, snapshot
from tongxing.audit.models import AuditEvent
from tongxing.needs import public_text
from tongxing.needs.amounts import amount_text, yuan
from tongxing.needs.models import (
    CANCELLABLE,
    CATEGORIES_BY_KIND,
    BannedTerm,
    Category,
    Feedback,
    FundingPolicy,
    IdempotentRequest,
    Kind,
    Need,
    Pledge,
    PledgeStatus,
    Status,
    Urgency,
    ValueCap,
)
from tongxing.needs.payments import OfflineTransfer, Payment, payment_provider
from tongxing.needs.rules import RuleBook, check_rules
from tongxing.notifications.actions import notify, replace_quoted_text
from tongxing.photos import clean_photo
from tongxing.queries import insert_many, prefix_q
from tongxing.regions.codes import Level
from tongxing.regions.models import Region
from tongxing.registry.models import Household, Member, Relation
from tongxing.registry.selectors import households_visible_to
from tongxing.text import (
    check_public_text,
    clean_text,
    forbidden_characters,
    mask_personal_data,
    masked_name,
)

logger = logging.getLogger(__name__)

# How long a need may stay on the board, and how early its poster hears it will expire.
LONGEST_DEADLINE = datetime.timedelta(days=366)
EXPIRY_WARNING = datetime.timedelta(days=3)
NEED_FIELDS = (
    "kind",
    "category",
    "title",
    "story",
    "household",
    "village",
    "child",
    "unit",
    "unit_value_fen",
    "place",
    "urgency",
    "deadline",
    "funding_policy",
    "target",
    "value_fen",
)


def _now() -> datetime.datetime:
    return timezone.now()


def _today() -> datetime.date:
    return timezone.localdate()


def _need_url(need: Need) -> str:
    """The public page of a need: where donors follow it."""
    return reverse("needs:detail", args=[need.pk])


def _manage_url(need: Need) -> str:
    """The staff's page of a need: where its poster follows it, whatever its status."""
    return reverse("needs:manage", args=[need.pk])


def _event(by: User | None, action: str, need: Need, before=None, after=None) -> None:
    """Audit a step of a need, and make the public answers that may show it old.

    Every change of a need writes its event here, in its own transaction, so bumping the
    board's version here too keeps a writer that forgot `public_cache.changes` correct
    (if not in the order of its locks). A draft's steps bump it too: an answer built
    again costs less than a rule of which steps the public sees.
    """
    public_cache.bump("board")  # already done first by the action: see public_cache.changes
    record(
        actor=by,
        action=f"need.{action}",
        target=need,
        region_code=need.village_id,
        before=before,
        after=after,
    )


# --- Rights -------------------------------------------------------------------------------


def _in_scope(by: User, code: str, roles) -> bool:
    scope = scope_prefix(by, roles)
    return scope is not None and code.startswith(scope)


def _is_own_household(by: User | None, household_id: int | None) -> bool:
    return (
        by is not None
        and household_id is not None
        and by.has_role(Role.HOUSEHOLD)
        and Household.objects.filter(pk=household_id, account=by).exists()
    )


def _helps(by: User, household_id: int | None) -> bool:
    """Whether a cadre is assigned to the household today, inside their region: read from
    the database at the moment of the action, so an assignment ended yesterday counts for
    nothing, whatever a page showed before."""
    return (
        household_id is not None
        and by.has_role(Role.CADRE)
        and households_visible_to(by).filter(pk=household_id).exists()
    )


def may_post_for(by: User | None, *, village: Region, household: Household | None) -> bool:
    """The household itself; staff of its village; a cadre only for a household assigned
    to them, or for a village of their region (a collective need)."""
    if by is None or by.is_superuser:
        return True
    if by.has_role(Role.HOUSEHOLD):
        return household is not None and _is_own_household(by, household.pk)
    if by.has_role(Role.CADRE) and household is not None:
        return _helps(by, household.pk)
    return _in_scope(by, village.code, NEED_POSTERS - {Role.HOUSEHOLD})


def may_edit(by: User | None, need: Need) -> bool:
    """The poster, the household itself, and staff of its region may change or cancel it;
    a cadre a need of a household assigned to them, or a collective need they posted."""
    if by is None or by.is_superuser:
        return True
    if by.has_role(Role.CADRE):
        # Before the poster's own right: a need a cadre posted for a household is theirs
        # only while they help the household.
        if need.household_id is not None:
            return _helps(by, need.household_id)
        return need.posted_by_id == by.pk and _in_scope(by, need.village_id, {Role.CADRE})
    if need.posted_by_id == by.pk and by.is_active:
        return True
    if _is_own_household(by, need.household_id):
        return True
    return _in_scope(by, need.village_id, HOUSEHOLD_PROXIES)


def may_review(by: User | None, need: Need) -> bool:
    if by is None or by.is_superuser:
        return True
    return _in_scope(by, need.village_id, NEED_REVIEWERS)


def reviews_own_need(by: User | None, need: Need) -> bool:
    """A reviewer never publishes what they posted themselves: a second pair of eyes is
    the point of the review (the township's other reviewers, or the city office, do)."""
    return by is not None and by.pk is not None and need.posted_by_id == by.pk


def may_act_for_household(by: User | None, need: Need) -> bool:
    """Confirm receipt and thank: the household, or staff of its region on its behalf (a
    cadre only for a household assigned to them, so never for a collective need)."""
    if by is None or by.is_superuser:
        return True
    if by.has_role(Role.CADRE):
        return _helps(by, need.household_id)
    return _is_own_household(by, need.household_id) or _in_scope(
        by, need.village_id, HOUSEHOLD_PROXIES
    )


def organisation_of(user: User):
    """Return the organisation an org_rep account speaks for, if its person record says."""
    if user.role != Role.ORG_REP:
        return None
    person = getattr(user, "person", None)
    return person.organisation if person is not None else None


# --- Posting and review -------------------------------------------------------------------


@dataclass
class NeedData:
    """A need as entered. Amounts are in fen; the action derives the target and value."""

    kind: str
    category: str
    title: str
    deadline: datetime.date | None
    story: str = ""
    household: Household | None = None
    village: Region | None = None
    child: Member | None = None
    urgency: int = Urgency.NORMAL
    quantity: int | None = None  # goods: pieces; services: places (1 by default)
    unit: str = ""
    unit_value_fen: int = 0  # goods: the estimated value of one piece
    target_fen: int | None = None  # funds: the amount to raise
    value_fen: int = 0  # micro-wishes: the wish's value; services: an estimate
    place: str = ""
    funding_policy: str = ""


def clean_need(
    data: NeedData,
    *,
    today: datetime.date | None = None,
    names: dict[int, list[str]] | None = None,
) -> tuple[dict, dict[str, list[str]]]:
    """Validate a need (posted today, or on the day given); return the model's values and
    the errors by field.

    Its public text may name none of the household's members: their names are read from
    the registry, or from `names` (by household) when many needs are checked at once.
    """
    errors: dict[str, list[str]] = {}

    def err(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    kind = data.kind
    if kind not in Kind.values:
        err("kind", _("Choose goods, funds, a service or a micro-wish."))
        return {}, errors
    if data.category not in CATEGORIES_BY_KIND[kind]:
        err("category", _("Choose a category of this kind of need."))
    title = clean_text(data.title, max_length=100, field="title", errors=errors)
    if not title and "title" not in errors:
        err("title", _("Say what is needed."))
    story = clean_text(data.story, max_length=2000, multiline=True, field="story", errors=errors)
    if data.urgency not in Urgency.values:
        err("urgency", _("Choose how urgent it is."))
    today = today or _today()
    if data.deadline is None:
        err("deadline", _("Give a deadline."))
    elif data.deadline < today:
        err("deadline", _("The deadline has passed."))
    elif data.deadline > today + LONGEST_DEADLINE:
        err("deadline", _("A need stays on the board for a year at most."))

    household, village, child = data.household, data.village, None
    unit = place = ""  # goods have a unit, services a place
    if kind == Kind.WISH:
        child = data.child
        if child is None:
            err("child", _("Choose the child whose wish it is."))
        else:
            household = child.household
            if not child.left_behind_child:
                err("child", _("Micro-wishes are for children registered as left behind."))
    if household is not None:
        village = household.village
    elif "child" in errors:
        pass
    elif village is None or village.level != Level.VILLAGE:
        err("household", _("Choose the household, or the village for a collective need."))

    values = {
        "kind": kind,
        "category": data.category,
        "title": title,
        "story": story,
        "household": household,
        "village": village,
        "child": child,
        "urgency": data.urgency,
        "deadline": data.deadline,
        "unit": "",
        "unit_value_fen": 0,
        "place": "",
        "funding_policy": "",
    }
    if kind == Kind.GOODS:
        quantity = data.quantity
        if quantity is None or not 1 <= quantity <= 10_000:
            err("quantity", _("Give a quantity from 1 to 10,000."))
        unit = clean_text(data.unit, max_length=10, field="unit", errors=errors)
        if not unit and "unit" not in errors:
            err("unit", _("Give the unit (piece, bag, set…)."))
        if data.unit_value_fen is None or data.unit_value_fen < 0:
            err("unit_value_fen", _("Give the estimated value of one, or 0."))
        if not errors:
            values.update(
                unit=unit,
                unit_value_fen=data.unit_value_fen,
                target=quantity,
                value_fen=quantity * data.unit_value_fen,
            )
    elif kind == Kind.FUNDS:
        target = data.target_fen
        if target is None or not 100 <= target <= 100_000_000_00:
            err("target_fen", _("Give an amount from ¥1 to ¥100,000,000."))
        if data.funding_policy not in FundingPolicy.values:
            err("funding_policy", _("Choose all-or-nothing or keep-what-is-raised."))
        if not errors:
            values.update(target=target, value_fen=target, funding_policy=data.funding_policy)
    elif kind == Kind.SERVICE:
        quantity = 1 if data.quantity is None else data.quantity
        if not 1 <= quantity <= 1000:
            err("quantity", _("Give a number of places from 1 to 1,000."))
        place = clean_text(data.place, max_length=100, field="place", errors=errors)
        if not place and "place" not in errors:
            err("place", _("Say where the service is needed."))
        if data.value_fen is None or data.value_fen < 0:
            err("value_fen", _("Give the estimated value, or 0."))
        if not errors:
            values.update(place=place, target=quantity, value_fen=data.value_fen)
    else:  # a micro-wish: one wish, taken whole by one donor
        if data.value_fen is None or not 100 <= data.value_fen <= 1_000_00:
            err("value_fen", _("A micro-wish is worth ¥1 to ¥1,000."))
        if not errors:
            values.update(target=1, value_fen=data.value_fen)
    # The text that will be public: what the fields hold once cleaned (a unit or place of
    # another kind of need is not kept, so it is not checked either).
    household_id = household.pk if household is not None else None
    known = names if names is not None else public_text.household_names([household_id])
    members = known.get(household_id, [])
    public = {"title": title, "story": story, "unit": unit, "place": place}
    public_text.check_need_text(public, names=members, errors=errors)
    return values, errors


def public_name_for(need_values: dict) -> str:
    """Return the surname and stars the board shows (张**), from the head or the child."""
    person = need_values.get("child")
    if person is None and need_values.get("household") is not None:
        person = need_values["household"].members.filter(relation=Relation.HEAD).first()
    return masked_name(person.name) if person is not None else ""


@public_cache.changes("board")
def create_need(
    *, data: NeedData, by: User | None, submit: bool = False, idempotency_key: str = ""
) -> Need:
    """Record a need as a draft (and submit it for review at once when asked).

    With an idempotency key (the post form's token, or the API's header), the same request
    sent again (a double tap, a retried upload on a weak signal) returns the need the first
    one made, and makes nothing new.
    """
    values, errors = clean_need(data)
    if errors:
        raise ValidationError(errors)
    if not may_post_for(by, village=values["village"], household=values["household"]):
        raise PermissionDenied
    keyed = bool(idempotency_key) and by is not None and by.pk is not None
    if keyed:
        digest = request_digest(
            {name: getattr(value, "pk", value) for name, value in values.items()}
            | {"submit": submit}
        )
        earlier = _claim_key(by, idempotency_key, "create_need", digest)
        if earlier is not None:
            return Need.objects.get(pk=earlier.need_id)
    need = Need.objects.create(
        **values,
        public_name=public_name_for(values),
        posted_by=by if by is not None and by.pk else None,
        on_behalf=by is not None and by.role != Role.HOUSEHOLD,
    )
    _event(by, "created", need, after=_snapshot(need) | {"on_behalf": need.on_behalf})
    if submit:
        _submit(need, by)
    if keyed:
        IdempotentRequest.objects.filter(user=by, key=idempotency_key.strip()).update(need=need)
    return need


@public_cache.changes("board")
def update_need(*, need: Need, data: NeedData, by: User | None) -> Need:
    """Change a draft or a rejected need; a rejected one goes back to draft."""
    need = _locked(need)
    if not may_edit(by, need):
        raise PermissionDenied
    if need.status not in (Status.DRAFT, Status.REJECTED):
        raise ValidationError(_("Only a draft or a rejected need can be changed."))
    values, errors = clean_need(data)
    if errors:
        raise ValidationError(errors)
    if not may_post_for(by, village=values["village"], household=values["household"]):
        raise PermissionDenied
    before = _snapshot(need)
    for name, value in values.items():
        setattr(need, name, value)
    need.public_name = public_name_for(values)
    need.status = Status.DRAFT
    need.status_reason = ""
    need.save()
    _event(by, "changed", need, before=before, after=_snapshot(need))
    return need


@public_cache.changes("board")
def submit_need(*, need: Need, by: User | None) -> Need:
    need = _locked(need)
    if not may_edit(by, need):
        raise PermissionDenied
    _submit(need, by)
    return need


def _submit(need: Need, by: User | None) -> None:
    if need.status not in (Status.DRAFT, Status.REJECTED):
        raise ValidationError(_("This need has already been submitted."))
    if need.deadline < _today():
        raise ValidationError({"deadline": [_("The deadline has passed.")]})
    need.status = Status.SUBMITTED
    need.status_reason = ""
    need.submitted_at = _now()
    need.rule_findings = check_rules(need)
    need.save(update_fields=["status", "status_reason", "submitted_at", "rule_findings"])
    _event(by, "submitted", need, after={"rule_findings": need.rule_findings})
    notify(
        recipients=reviewers_of(need),
        kind="need_submitted",
        params={"title": need.title, "village": need.village.name},
        url=reverse("needs:review"),
    )


def reviewers_of(need: Need) -> list[User]:
    """The township's reviewers; the city office's when the township has none but the
    need's own poster (who may not review it)."""
    township = need.village_id[:9].ljust(12, "0")
    found = User.objects.filter(role=Role.TOWNSHIP_ADMIN, region_id=township, is_active=True)
    found = list(found.exclude(pk=need.posted_by_id)) if need.posted_by_id else list(found)
    return found or offices_of(need)


def offices_of(need: Need) -> list[User]:
    """The city (or county) office accounts whose region holds the need's village."""
    above = [need.village_id[:n].ljust(12, "0") for n in (4, 6)]
    return list(User.objects.filter(role=Role.CITY_ADMIN, region_id__in=above, is_active=True))


@public_cache.changes("board")
def review_need(
    *, need: Need, by: User | None, approve: bool, reason: str = "", override_reason: str = ""
) -> Need:
    """Publish a submitted need, or reject it with a reason.

    The rules run again at review (another need may have opened since submission); a need
    that breaks one is published only with the reviewer's reason for overriding it.
    """
    need = _locked(need)
    if not may_review(by, need):
        raise PermissionDenied
    if need.status != Status.SUBMITTED:
        raise ValidationError(_("Only a need waiting for review can be reviewed."))
    if reviews_own_need(by, need):
        raise ValidationError(
            _(
                "You posted this need: another reviewer of the township or the city office "
                "reviews it."
            )
        )
    errors: dict[str, list[str]] = {}
    reason = clean_text(reason, max_length=300, field="reason", errors=errors)
    override_reason = clean_text(
        override_reason, max_length=300, field="override_reason", errors=errors
    )
    if errors:
        raise ValidationError(errors)
    now = _now()
    need.reviewed_at, need.reviewed_by = now, by if by is not None and by.pk else None
    if approve:
        _check_public_text_at_review(need)
        need.rule_findings = check_rules(need)
        if need.rule_findings and not override_reason:
            # Name what fired: a rule may have come into force since the submission.
            raise ValidationError(
                {
                    "override_reason": [
                        _("The review rules flag this need: give your reason to publish it."),
                        *(finding["message"] for finding in need.rule_findings),
                    ]
                }
            )
        if need.deadline < _today():
            raise ValidationError({"deadline": [_("The deadline has passed.")]})
        need.status = Status.PUBLISHED
        need.published_at = now
        need.override_reason = override_reason if need.rule_findings else ""
        kind = "need_published"
    else:
        if not reason:
            raise ValidationError({"reason": [_("Say why the need is rejected.")]})
        need.status = Status.REJECTED
        need.status_reason = reason
        kind = "need_rejected"
    need.save()
    _event(
        by,
        "published" if approve else "rejected",
        need,
        after={
            "reason": reason,
            "override_reason": need.override_reason,
            "rule_findings": need.rule_findings,
        },
    )
    notify(
        recipients=_posters(need),
        kind=kind,
        params={"title": need.title, "reason": reason},
        url=_manage_url(need),
    )
    return need


def _check_public_text_at_review(need: Need) -> None:
    """Refuse to publish a need whose public text holds personal data.

    Checked again here, not only when the text was written: a member may have joined the
    household with a name the story spells, and text may have come in another way (a
    recorded history, an edit of the database). No reason overrides it.
    """
    errors: dict[str, list[str]] = {}
    public_text.check_need_text(
        {name: getattr(need, name) for name in public_text.PUBLIC_NEED_FIELDS},
        names=public_text.names_of(need.household_id),
        errors=errors,
    )
    if errors:
        errors["__all__"] = [
            _(
                "This need cannot be published while its public text holds personal data: "
                "reject it with a reason, or have it changed first."
            )
        ]
        raise ValidationError(errors)


@public_cache.changes("board")
def review_needs(
    *, needs: list[Need], by: User | None, approve: bool, reason: str = ""
) -> list[Need]:
    """Review several needs with one decision: all of them, or none if any is refused (needs
    that break a rule need their own review). Each refusal names its need's title."""
    reviewed, refused = [], []
    for need in needs:
        try:
            # A savepoint each: the next needs are still checked, to name every refusal.
            with transaction.atomic():
                reviewed.append(review_need(need=need, by=by, approve=approve, reason=reason))
        except ValidationError as exc:
            refused += [f"“{need.title}”: {message}" for message in exc.messages]
    if refused:
        raise ValidationError(refused)
    return reviewed


def _posters(need: Need) -> list[User]:
    """Who hears of a need's progress: its poster and the household's own account."""
    whose = Q(pk=need.posted_by_id) if need.posted_by_id else Q(pk__in=[])
    if need.household_id is not None:
        # A subquery, not a join: OR across a join would read every account.
        account = Household.objects.filter(pk=need.household_id).values("account")
        whose |= Q(pk__in=account)
    return list(User.objects.filter(whose))


@public_cache.changes("board")
def cancel_need(*, need: Need, by: User | None, reason: str) -> Need:
    """Withdraw a need from the board. Pledges not yet delivered are released (money is
    returned); deliveries already made can still be confirmed."""
    need = _locked(need)
    if not may_edit(by, need):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    reason = clean_text(reason, max_length=300, field="reason", errors=errors)
    if not reason and not errors:
        errors["reason"] = [_("Say why the need is cancelled.")]
    # The donors of its pledges read the reason (their pledge ends with it).
    _check_donor_text(reason, need=need, field="reason", errors=errors)
    if errors:
        raise ValidationError(errors)
    if need.status not in CANCELLABLE:
        raise ValidationError(_("This need is already closed or cancelled."))
    before = {"status": need.status}
    released = _release_open_pledges(need, by, reason=reason, moving=False)
    need.refresh_from_db()
    need.status = Status.CANCELLED
    need.status_reason = reason
    need.cancelled_at = _now()
    need.save(update_fields=["status", "status_reason", "cancelled_at", "updated_at"])
    _event(by, "cancelled", need, before=before, after={"reason": reason, "released": released})
    return need


@public_cache.changes("board")
def reopen_need(*, need: Need, by: User | None, deadline: datetime.date) -> Need:
    """Put an expired need back on the board with a new deadline (the office's answer to
    an escalation)."""
    need = _locked(need)
    if not may_review(by, need):
        raise PermissionDenied
    if need.status != Status.EXPIRED:
        raise ValidationError(_("Only an expired need can be put back on the board."))
    if deadline is None or deadline <= _today() or deadline > _today() + LONGEST_DEADLINE:
        raise ValidationError({"deadline": [_("Give a deadline within the coming year.")]})
    before = {"status": need.status, "deadline": str(need.deadline)}
    need.status = Status.PUBLISHED
    need.deadline = deadline
    need.expired_at = None
    need.expiry_warned_at = None
    need.save()
    _event(by, "reopened", need, before=before, after={"deadline": str(deadline)})
    return need


# --- Pledges and contributions --------------------------------------------------------------


def request_digest(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _claim_key(by: User, key: str, operation: str, digest: str) -> IdempotentRequest | None:
    """Record the idempotency key; return the first request's row if it was used.

    Inside the caller's transaction: the key's row commits (or rolls back) with the pledge.
    A retry racing the first request inserts the same (user, key): PostgreSQL makes it wait
    for the first transaction and then raises IntegrityError, after which the committed row
    is visible; SQLite runs the two transactions one after the other (IMMEDIATE), so the
    retry finds the row at once.
    """
    key = (key or "").strip()
    if not key or len(key) > 100 or forbidden_characters(key):
        raise ValidationError(
            {"idempotency_key": [_("Send an Idempotency-Key of 1 to 100 characters.")]}
        )
    for _attempt in range(2):
        found = IdempotentRequest.objects.filter(user=by, key=key).first()
        if found is not None:
            if found.operation != operation or found.request_digest != digest:
                raise ValidationError(
                    {"idempotency_key": [_("This key was already used for another request.")]}
                )
            return found
        try:
            with transaction.atomic():
                IdempotentRequest.objects.create(
                    user=by, key=key, operation=operation, request_digest=digest
                )
            return None
        except IntegrityError:
            continue
    raise ValidationError({"idempotency_key": [_("Try again with the same key.")]})


@dataclass(frozen=True)
class PledgeResult:
    pledge: Pledge
    replayed: bool  # True when an earlier request with the same key made this pledge


def pledge_goods(
    *,
    need: Need,
    by: User,
    quantity: int | None = None,
    deliver_by: datetime.date | None = None,
    note: str = "",
    idempotency_key: str = "",
) -> PledgeResult:
    """Promise goods, places of a service, or a child's whole micro-wish."""
    if need.kind == Kind.FUNDS:
        raise ValidationError(_("A funding need takes contributions, not pledges of goods."))
    if need.kind == Kind.WISH:
        quantity = 1
    errors = {}
    if quantity is None or quantity < 1:
        errors["quantity"] = [_("Pledge at least one.")]
    if deliver_by is not None and deliver_by < _today():
        errors["deliver_by"] = [_("The date has passed.")]
    elif deliver_by is not None and deliver_by > _today() + LONGEST_DEADLINE:
        errors["deliver_by"] = [_("Give a date within the coming year.")]
    note = clean_text(note, max_length=300, field="note", errors=errors)
    _check_donor_text(note, need=need, field="note", errors=errors)
    if errors:
        raise ValidationError(errors)
    if need.kind == Kind.GOODS:
        value = quantity * need.unit_value_fen
    else:
        value = need.value_fen * quantity // need.target
    return _add_pledge(
        need=need,
        by=by,
        quantity=quantity,
        value_fen=value,
        fields={"deliver_by": deliver_by, "note": note},
        idempotency_key=idempotency_key,
        operation="pledge",
        digest_of={"quantity": quantity, "deliver_by": deliver_by, "note": note},
    )


# A request collecting a contribution's money holds it this long (`IdempotentRequest.
# locked_at`): meanwhile a retry with the same key waits for it rather than call the
# provider as well. A request that died holding it frees it when it runs out, so the
# provider's own time-out must be shorter.
COLLECT_LEASE = datetime.timedelta(minutes=1)
# How long a retry waits, polling, for the request still collecting the same contribution.
RETRY_WAIT_SECONDS = 10
RETRY_POLL_SECONDS = 0.1


def contribute(
    *,
    need: Need,
    by: User,
    amount_fen: int,
    payment_reference: str,
    consent_to_move: bool = False,
    idempotency_key: str,
) -> PledgeResult:
    """Give money to a funding need; the key makes a retried request collect and count once.

    In three steps (Stripe's "atomic phases"), so that no money moves for a contribution
    that will be refused, and no transaction is open while the provider works:
    1. one short transaction claims the key and reserves the amount on the need, with the
       conditional UPDATE: a full, closed or past-deadline need refuses it here, and the
       refusal rolls the key back with it, so a corrected retry is tried afresh;
    2. the provider collects the money, with a key derived from the claimed request;
    3. one short transaction counts the money as pledged (or returns it, if the need
       closed meanwhile).
    A refused payment releases the reservation and forgets the key. A retry after a crash
    between the steps finds the reservation and collects it again with the same provider
    key, which the provider counts once; a retry of a finished one gets it back, replayed.
    """
    if need.kind != Kind.FUNDS:
        raise ValidationError(_("Only a funding need takes contributions."))
    if amount_fen is None or amount_fen < 100:
        raise ValidationError({"amount_fen": [_("Give at least ¥1.")]})
    if by is None or not by.has_role(*PLEDGERS):
        raise PermissionDenied
    reference = clean_text(payment_reference, max_length=64, field="payment_reference")
    consent = bool(consent_to_move)
    digest = request_digest(
        {
            "need": need.pk,
            "amount_fen": amount_fen,
            "reference": reference,
            "consent_to_move": consent,
        }
    )
    give_up = time.monotonic() + RETRY_WAIT_SECONDS
    while True:
        with transaction.atomic():
            request, lease = _reserve(
                need=need,
                by=by,
                amount_fen=amount_fen,
                consent=consent,
                key=idempotency_key,
                digest=digest,
                reference=reference,
            )
        if request.pledge.status != PledgeStatus.RESERVED:
            return PledgeResult(pledge=request.pledge, replayed=True)
        if lease is not None:
            break
        if time.monotonic() > give_up:
            raise ValidationError(
                {
                    "idempotency_key": [
                        _(
                            "This contribution is still being paid. Send it again in a "
                            "minute, with the same key."
                        )
                    ]
                }
            )
        time.sleep(RETRY_POLL_SECONDS)
    result = _collect(request=request, lease=lease, reference=reference, by=by)
    if result.pledge.status == PledgeStatus.RETURNED and not result.replayed:
        raise ValidationError(
            _("This need closed while your money was being paid: it goes back to you.")
        )
    return result


def _collect(
    *, request: IdempotentRequest, lease: datetime.datetime, reference: str, by: User
) -> PledgeResult:
    """Step 2 and 3 of a contribution, for the request holding the lease: collect with the
    request's provider key, then record; a refusal releases the reservation."""
    amount = request.pledge.quantity
    try:
        payment = payment_provider().collect(
            amount_fen=amount, reference=reference, idempotency_key=f"contribution-{request.pk}"
        )
    except ValidationError as exc:
        _release_reservation(request=request, lease=lease)
        if hasattr(exc, "error_dict"):
            raise
        raise ValidationError({"payment_reference": exc.messages}) from exc
    except Exception:
        # The outcome is unknown (a time-out, a crash): the reservation stays, and a retry
        # with the same key (or the daily step) collects it, with the same provider key.
        IdempotentRequest.objects.filter(pk=request.pk, locked_at=lease).update(locked_at=None)
        raise
    return _record_contribution(pledge_id=request.pledge_id, payment=payment, by=by)


# A reservation whose request stopped (the donor closed the page after a crash, and never
# sent it again) is completed by the daily step once it is this old.
ABANDONED_AFTER = datetime.timedelta(minutes=30)


def complete_contributions() -> tuple[int, int, int]:
    """Finish the contributions whose request stopped between reserving and recording: the
    daily step. Each is collected with its own provider key, so money a provider already
    took is counted and not taken again; one the provider refuses is released. Return how
    many were completed, released, and still wait (the provider failed again)."""
    stale = _now() - ABANDONED_AFTER
    reserved = Pledge.objects.filter(status=PledgeStatus.RESERVED, created_at__lt=stale)
    done = released = 0
    for pledge_id in list(reserved.order_by("pk").values_list("pk", flat=True)):
        request = (
            IdempotentRequest.objects.select_related("pledge", "user")
            .filter(pledge_id=pledge_id, operation="contribute")
            .first()
        )
        if request is None:
            continue
        lease = _now()
        taken = IdempotentRequest.objects.filter(
            Q(locked_at__isnull=True) | Q(locked_at__lt=lease - COLLECT_LEASE),
            pk=request.pk,
            pledge__status=PledgeStatus.RESERVED,
        ).update(locked_at=lease)
        if not taken:
            continue  # a retry of the donor's is collecting it now
        reference = request.pledge.payment_reference
        try:
            _collect(request=request, lease=lease, reference=reference, by=request.user)
        except ValidationError:
            released += 1
        except Exception:
            logger.exception("Completing contribution %s failed; it waits.", pledge_id)
        else:
            done += 1
    return done, released, reserved.count()


def _reserve(
    *, need: Need, by: User, amount_fen: int, consent: bool, key: str, digest: str, reference: str
) -> tuple[IdempotentRequest, datetime.datetime | None]:
    """Step 1 of a contribution, in the caller's transaction: claim the key and reserve
    the amount; or find the key's earlier request and, if its money is still to collect
    and no request is collecting it, take it over. Return the request and the lease taken
    (None: the contribution is done, or another request is collecting it now)."""
    now = _now()
    earlier = _claim_key(by, key, "contribute", digest)
    if earlier is None:
        pledge = _take(
            need_id=need.pk,
            by=by,
            quantity=amount_fen,
            value_fen=amount_fen,
            # The reference as the donor gave it: the daily step collects with it, should
            # this request stop before it does.
            fields={"consent_to_move": consent, "payment_reference": reference},
            reserve=True,
        )
        request = IdempotentRequest.objects.get(user=by, key=key.strip())
        request.pledge, request.locked_at = pledge, now
        request.save(update_fields=["pledge", "locked_at"])
        return request, now
    if earlier.pledge.status != PledgeStatus.RESERVED:
        return earlier, None
    if earlier.locked_at is not None and earlier.locked_at > now - COLLECT_LEASE:
        return earlier, None
    # Compare and set: of two retries taking over at once, one wins. A finished
    # contribution keeps its lease's moment, so a value once read cannot come back.
    taken = IdempotentRequest.objects.filter(pk=earlier.pk, locked_at=earlier.locked_at).update(
        locked_at=now
    )
    return earlier, now if taken else None


@transaction.atomic
def _release_reservation(*, request: IdempotentRequest, lease: datetime.datetime) -> None:
    """The provider refused the money: take the reservation off the need and forget the
    request, so that the donor may send it again corrected, with the same key or another.
    Nothing was given, so nothing of it is kept. Only the request holding the lease may."""
    holder = IdempotentRequest.objects.select_for_update().filter(pk=request.pk, locked_at=lease)
    if not holder.exists():
        return
    pledge = (
        Pledge.objects.select_for_update()
        .filter(pk=request.pledge_id, status=PledgeStatus.RESERVED)
        .first()
    )
    if pledge is None:
        return
    Need.objects.filter(pk=pledge.need_id).update(
        reserved=F("reserved") - pledge.quantity, updated_at=_now()
    )
    holder.delete()
    pledge.delete()


@public_cache.changes("board")
def _record_contribution(*, pledge_id: int, payment: Payment, by: User) -> PledgeResult:
    """Step 3 of a contribution, the money collected: count it on the need; or return it
    if the need closed (was cancelled, expired) while it was being paid."""
    pledge = Pledge.objects.select_for_update().get(pk=pledge_id)
    if pledge.status != PledgeStatus.RESERVED:  # another request with the key recorded it
        return PledgeResult(pledge=pledge, replayed=True)
    now, amount = _now(), pledge.quantity
    pledge.payment_method, pledge.payment_reference = payment.method, payment.reference
    counted = Need.objects.filter(pk=pledge.need_id, status=Status.PUBLISHED).update(
        reserved=F("reserved") - amount, pledged=F("pledged") + amount, updated_at=now
    )
    need = Need.objects.select_related("village").get(pk=pledge.need_id)
    if counted:
        pledge.status = PledgeStatus.PLEDGED
        pledge.save(update_fields=["status", "payment_method", "payment_reference"])
        _counted(need, pledge, by)
        return PledgeResult(pledge=pledge, replayed=False)
    Need.objects.filter(pk=need.pk).update(reserved=F("reserved") - amount, updated_at=now)
    pledge.status, pledge.ended_at = PledgeStatus.RETURNED, now
    pledge.end_reason = _("The need closed while the money was being paid.")
    pledge.save(
        update_fields=["status", "ended_at", "end_reason", "payment_method", "payment_reference"]
    )
    _event(by, "contribution_late", need, after={"pledge": pledge.pk, "amount_fen": amount})
    _refund_after_commit(pledge.pk)
    return PledgeResult(pledge=pledge, replayed=False)


def _add_pledge(
    *,
    need: Need,
    by: User,
    quantity: int,
    value_fen: int,
    fields: dict,
    idempotency_key: str,
    operation: str,
    digest_of: dict,
) -> PledgeResult:
    if by is None or not by.has_role(*PLEDGERS):
        raise PermissionDenied
    with transaction.atomic():
        public_cache.bump("board")
        if idempotency_key:
            digest = request_digest({"need": need.pk, **digest_of})
            earlier = _claim_key(by, idempotency_key, operation, digest)
            if earlier is not None:
                return PledgeResult(pledge=earlier.pledge, replayed=True)
        pledge = _take(
            need_id=need.pk, by=by, quantity=quantity, value_fen=value_fen, fields=fields
        )
        if idempotency_key:
            IdempotentRequest.objects.filter(user=by, key=idempotency_key.strip()).update(
                pledge=pledge
            )
        return PledgeResult(pledge=pledge, replayed=False)


def _take(
    *, need_id: int, by: User, quantity: int, value_fen: int, fields: dict, reserve: bool = False
) -> Pledge:
    """Add a pledge line and its quantity to the need, if the quantity still fits and the
    need is still open (published, its deadline not passed). With `reserve`, a
    contribution whose money is still to collect: the quantity goes to `reserved`, and
    what a counted pledge sets off (the event, the notice, the match) waits for it.

    Why this is safe under concurrency: the check and the addition are one UPDATE whose
    WHERE clause holds the condition (`pledged + reserved + quantity <= target`). On
    PostgreSQL a second UPDATE of the same row waits for the first transaction's row lock,
    then re-evaluates its WHERE against the committed row (READ COMMITTED's recheck), so it
    matches nothing once the need is full; on SQLite, IMMEDIATE transactions hold the
    database's write lock from BEGIN, so no two of these run interleaved. Reading the need
    and saving it back would oversell on both engines; the CHECK constraint on Need is the
    last line of defence.
    """
    now, today = _now(), _today()
    column = "reserved" if reserve else "pledged"
    # The deadline is in the WHERE too: a need past it takes nothing, whether or not the
    # daily sweep has expired it yet (it runs once a day, and may not have run).
    added = Need.objects.filter(
        pk=need_id,
        status=Status.PUBLISHED,
        deadline__gte=today,
        pledged__lte=F("target") - F("reserved") - quantity,
    ).update(**{column: F(column) + quantity}, updated_at=now)
    need = Need.objects.select_related("village").get(pk=need_id)
    if not added:
        if need.status != Status.PUBLISHED:
            raise ValidationError(_("This need is no longer open for pledges."))
        if need.deadline < today:
            raise ValidationError(_("This need's deadline has passed."))
        if need.pledged >= need.target:
            raise ValidationError(_("This need is fully pledged already. Thank you!"))
        remaining = need.target - need.pledged - need.reserved
        if remaining <= 0:
            raise ValidationError(
                _("Another donor is paying the rest of this need now. Try again in a few minutes.")
            )
        raise ValidationError(
            {
                "amount_fen" if need.kind == Kind.FUNDS else "quantity": [
                    _("Only %(remaining)s is still needed.")
                    % {"remaining": amount_text(need, remaining)}
                ]
            }
        )
    pledge = Pledge.objects.create(
        need=need,
        donor=by,
        organisation=organisation_of(by),
        quantity=quantity,
        value_fen=value_fen,
        status=PledgeStatus.RESERVED if reserve else PledgeStatus.PLEDGED,
        **fields,
    )
    if not reserve:
        _counted(need, pledge, by)
    return pledge


def _counted(need: Need, pledge: Pledge, by: User) -> None:
    """What a pledge counted on its need sets off (the need read after the count): its
    event, the poster's notice, and the match once the need is full."""
    _event(
        by,
        "contributed" if need.kind == Kind.FUNDS else "pledged",
        need,
        after={"pledge": pledge.pk, "quantity": pledge.quantity, "value_fen": pledge.value_fen},
    )
    notify(
        recipients=_posters(need),
        kind="need_pledged",
        params={
            "title": need.title,
            "donor": str(by),
            "amount": amount_text(need, pledge.quantity),
        },
        url=_manage_url(need),
    )
    if need.pledged >= need.target:
        _on_matched(need, by)
        pledge.refresh_from_db()  # a funding need's money was released: now delivered


def _on_matched(need: Need, by: User | None) -> None:
    """A need just became fully pledged (对接). Funds are released to the household."""
    Need.objects.filter(pk=need.pk, matched_at__isnull=True).update(matched_at=_now())
    _event(by, "matched", need)
    if need.kind == Kind.FUNDS:
        _release_funds(need, by)


def _release_funds(need: Need, by: User | None) -> None:
    """Hand the raised money to the household: every contribution counts as delivered."""
    now = _now()
    lines = Pledge.objects.filter(need=need, status=PledgeStatus.PLEDGED)
    total = sum(lines.values_list("quantity", flat=True))
    if not total:
        return
    lines.update(status=PledgeStatus.DELIVERED, delivered_at=now)
    Need.objects.filter(pk=need.pk).update(delivered=F("delivered") + total, updated_at=now)
    _event(by, "funds_released", need, after={"amount_fen": total})
    _mark_fully_delivered(need.pk)


@public_cache.changes("board")
def withdraw_pledge(*, pledge: Pledge, by: User, reason: str = "") -> Pledge:
    """The donor takes back a pledge of goods not yet delivered."""
    pledge = Pledge.objects.select_for_update().select_related("need").get(pk=pledge.pk)
    if pledge.donor_id != by.pk:
        raise PermissionDenied
    if pledge.need.kind == Kind.FUNDS:
        raise ValidationError(_("A contribution cannot be withdrawn; the office returns it."))
    if pledge.status != PledgeStatus.PLEDGED:
        raise ValidationError(_("Only a pledge not yet delivered can be withdrawn."))
    errors: dict[str, list[str]] = {}
    reason = clean_text(reason, max_length=300, field="reason", errors=errors)
    _check_donor_text(reason, need=pledge.need, field="reason", errors=errors)
    if errors:
        raise ValidationError(errors)
    _end_pledge(pledge, PledgeStatus.WITHDRAWN, reason)
    _event(by, "pledge_withdrawn", pledge.need, after={"pledge": pledge.pk})
    return pledge


def _check_donor_text(text: str, *, need: Need, field: str, errors: dict[str, list[str]]) -> None:
    """Refuse personal data in text a donor reads: no numbers, no member's full name."""
    if text:
        names = public_text.names_of(need.household_id)
        check_public_text(text, field=field, names=names, errors=errors)


def _end_pledge(pledge: Pledge, status: str, reason: str) -> None:
    """Take an undelivered pledge's quantity off its need."""
    now = _now()
    pledge.status, pledge.ended_at, pledge.end_reason = status, now, reason
    pledge.save(update_fields=["status", "ended_at", "end_reason"])
    Need.objects.filter(pk=pledge.need_id).update(
        pledged=F("pledged") - pledge.quantity, updated_at=now
    )
    # A need that falls below its target is no longer matched.
    Need.objects.filter(pk=pledge.need_id, pledged__lt=F("target")).update(matched_at=None)


def _release_open_pledges(need: Need, by: User | None, *, reason: str, moving: bool) -> int:
    """End every undelivered pledge of a need; money goes back, or on with consent."""
    released = 0
    for pledge in Pledge.objects.filter(need=need, status=PledgeStatus.PLEDGED).select_related(
        "donor"
    ):
        released += 1
        if need.kind != Kind.FUNDS:
            _end_pledge(pledge, PledgeStatus.WITHDRAWN, reason)
            notify(
                recipients=[pledge.donor],
                kind="need_cancelled",
                params={"title": need.title, "reason": reason},
                url=_need_url(need),
            )
            continue
        target = _move_target(need, pledge.quantity) if moving and pledge.consent_to_move else None
        moved = None
        if target is not None:
            try:
                with transaction.atomic():
                    moved = _take(
                        need_id=target.pk,
                        by=pledge.donor,
                        quantity=pledge.quantity,
                        value_fen=pledge.value_fen,
                        fields={
                            "payment_method": pledge.payment_method,
                            "payment_reference": pledge.payment_reference,
                            "consent_to_move": True,
                        },
                    )
            except ValidationError:  # filled up meanwhile: return the money instead
                moved = None
        if moved is not None:
            _end_pledge(pledge, PledgeStatus.MOVED, reason)
            Pledge.objects.filter(pk=pledge.pk).update(moved_to=moved)
            notify(
                recipients=[pledge.donor],
                kind="contribution_moved",
                params={
                    "title": need.title,
                    "amount": yuan(pledge.quantity),
                    "to": target.title,
                },
                url=_need_url(target),
            )
        else:
            _end_pledge(pledge, PledgeStatus.RETURNED, reason)
            _refund_after_commit(pledge.pk)
            notify(
                recipients=[pledge.donor],
                kind="contribution_returned",
                params={"title": need.title, "amount": yuan(pledge.quantity)},
                url=_need_url(need),
            )
    return released


def _refund_after_commit(pledge_id: int) -> None:
    """Pay a returned contribution back once the transaction that returned it commits;
    never from inside it, for a return that rolls back must not have paid anything."""
    transaction.on_commit(partial(_refund, pledge_id), robust=True)


def _refund(pledge_id: int) -> bool:
    """Have the provider pay a pending refund back, then record it; False if it was paid
    back already, or if the provider failed (it stays pending, for the daily retry).

    The provider's key is the pledge's own, so a refund tried again (the daily retry, even
    racing the first attempt) pays back once.
    """
    pledge = (
        Pledge.objects.select_related("need")
        .filter(pk=pledge_id, status=PledgeStatus.RETURNED, refunded_at__isnull=True)
        .first()
    )
    if pledge is None:
        return False
    try:
        payment_provider().refund(
            amount_fen=pledge.quantity,
            payment=Payment(pledge.payment_method, pledge.payment_reference),
            idempotency_key=f"refund-{pledge.pk}",
        )
    except Exception:  # the provider's failure, whatever it is: the refund waits
        logger.exception("The refund of pledge %s failed; it stays pending.", pledge.pk)
        return False
    with transaction.atomic():
        public_cache.bump("board")
        done = Pledge.objects.filter(pk=pledge.pk, refunded_at__isnull=True).update(
            refunded_at=_now()
        )
        if done:
            after = {"pledge": pledge.pk, "amount_fen": pledge.quantity}
            _event(None, "refunded", pledge.need, after=after)
    return bool(done)


def complete_refunds() -> tuple[int, int]:
    """Pay back the returned contributions whose refund failed (the provider was down or
    refused): the daily retry. Return how many were paid back now, and how many wait."""
    pending = Pledge.objects.filter(status=PledgeStatus.RETURNED, refunded_at__isnull=True)
    done = sum(_refund(pk) for pk in list(pending.order_by("pk").values_list("pk", flat=True)))
    return done, pending.count()


def _move_target(need: Need, amount: int) -> Need | None:
    """The most urgent funding need of the same township (else city) with room for it."""
    for prefix in (need.village_id[:9], need.village_id[:4]):
        found = (
            Need.objects.filter(
                prefix_q("village__code", prefix),
                kind=Kind.FUNDS,
                status=Status.PUBLISHED,
                pledged__lte=F("target") - amount,
                deadline__gte=_today(),
            )
            .exclude(pk=need.pk)
            .order_by("-urgency", "deadline", "pk")
            .first()
        )
        if found is not None:
            return found
    return None


# --- Delivery, confirmation, thanks ---------------------------------------------------------


@public_cache.changes("board")
def deliver_pledge(*, pledge: Pledge, by: User, note: str = "") -> Pledge:
    """The donor says the goods (or the service) reached the household."""
    pledge = Pledge.objects.select_for_update().select_related("need").get(pk=pledge.pk)
    if pledge.donor_id != by.pk:
        raise PermissionDenied
    if pledge.status != PledgeStatus.PLEDGED:
        raise ValidationError(_("This pledge is not waiting for delivery."))
    if pledge.need.kind == Kind.FUNDS:
        raise ValidationError(_("Contributions are delivered when the need is fully funded."))
    errors: dict[str, list[str]] = {}
    note = clean_text(note, max_length=300, field="note", errors=errors)
    _check_donor_text(note, need=pledge.need, field="note", errors=errors)
    if errors:
        raise ValidationError(errors)
    now = _now()
    pledge.status, pledge.delivered_at = PledgeStatus.DELIVERED, now
    if note:
        pledge.note = note
    pledge.save(update_fields=["status", "delivered_at", "note"])
    Need.objects.filter(pk=pledge.need_id).update(
        delivered=F("delivered") + pledge.quantity, updated_at=now
    )
    need = pledge.need
    _event(by, "delivered", need, after={"pledge": pledge.pk, "note": note})
    _mark_fully_delivered(need.pk)
    notify(
        recipients=_posters(need),
        kind="pledge_delivered",
        params={
            "title": need.title,
            "donor": str(by),
            "amount": amount_text(need, pledge.quantity),
        },
        url=_manage_url(need),
    )
    return pledge


def _mark_fully_delivered(need_id: int) -> None:
    Need.objects.filter(pk=need_id, delivered__gte=F("target"), delivered_at__isnull=True).update(
        delivered_at=_now()
    )


@public_cache.changes("board")
def confirm_pledge(
    *, pledge: Pledge, by: User, note: str = "", evidence: UploadedFile | None = None
) -> Pledge:
    """The household confirms receipt; staff confirming on its behalf give evidence.

    A pledge the donor forgot to mark delivered can be confirmed directly: the household's
    word that it arrived is what counts.
    """
    pledge = Pledge.objects.select_for_update().select_related("need").get(pk=pledge.pk)
    need = pledge.need
    if not may_act_for_household(by, need):
        raise PermissionDenied
    if pledge.status not in (PledgeStatus.PLEDGED, PledgeStatus.DELIVERED):
        raise ValidationError(_("This pledge is not waiting for confirmation."))
    if need.kind == Kind.FUNDS and pledge.status != PledgeStatus.DELIVERED:
        raise ValidationError(_("The money is released when the need is fully funded."))
    on_behalf = not _is_own_household(by, need.household_id) and by is not None
    # Read by the need's staff and the household, not by the donor: cleaned, not checked.
    note = clean_text(note, max_length=300, field="note")
    photo = clean_photo(evidence, field="evidence")  # re-encoded: no place, no device
    if on_behalf and evidence is None and not note:
        raise ValidationError(
            {"evidence": [_("Confirming for the household: add a photo or a note.")]}
        )
    now = _now()
    was_delivered = pledge.status == PledgeStatus.DELIVERED
    pledge.status = PledgeStatus.CONFIRMED
    pledge.confirmed_at = now
    pledge.delivered_at = pledge.delivered_at or now
    pledge.confirmed_by = by
    pledge.confirmed_on_behalf = on_behalf
    pledge.confirmation_note = note
    if photo is not None:
        pledge.evidence.save(photo.name, photo, save=False)
    pledge.save()
    Need.objects.filter(pk=need.pk).update(
        delivered=F("delivered") + (0 if was_delivered else pledge.quantity),
        confirmed=F("confirmed") + pledge.quantity,
        updated_at=now,
    )
    _mark_fully_delivered(need.pk)
    Need.objects.filter(pk=need.pk, confirmed__gte=F("target"), confirmed_at__isnull=True).update(
        confirmed_at=now
    )
    _event(
        by,
        "confirmed",
        need,
        after={
            "pledge": pledge.pk,
            "on_behalf": on_behalf,
            "note": note,
            "photo": photo is not None,
        },
    )
    notify(
        recipients=[pledge.donor],
        kind="pledge_confirmed",
        params={"title": need.title, "amount": amount_text(need, pledge.quantity)},
        url=reverse("needs:my_pledges"),
    )
    _close_if_done(need.pk, by)
    return pledge


def _close_if_done(need_id: int, by: User | None) -> None:
    """Close a need once everything pledged is confirmed, and the need is fully pledged
    or past its deadline (an expired need closes with what it got)."""
    need = Need.objects.select_related("village").get(pk=need_id)
    if need.status not in (Status.PUBLISHED, Status.EXPIRED):
        return
    if need.confirmed != need.pledged or need.pledged == 0:
        return
    if need.status == Status.PUBLISHED and not need.is_matched:
        return  # still on the board: it closes when full, or after the sweep expires it
    need.status = Status.CLOSED
    need.closed_at = _now()
    need.save(update_fields=["status", "closed_at", "updated_at"])
    _event(by, "closed", need)


@public_cache.changes("board")
def give_feedback(*, pledge: Pledge, by: User, rating: int, thanks: str = "") -> Feedback:
    """The household thanks the donor and rates the help (1 to 5)."""
    pledge = Pledge.objects.select_for_update().select_related("need").get(pk=pledge.pk)
    need = pledge.need
    if not may_act_for_household(by, need):
        raise PermissionDenied
    if pledge.status != PledgeStatus.CONFIRMED:
        raise ValidationError(_("Thank the donor once the help has arrived."))
    if Feedback.objects.filter(pledge=pledge).exists():
        raise ValidationError(_("This pledge has been thanked already."))
    errors = {}
    if rating not in (1, 2, 3, 4, 5):
        errors["rating"] = [_("Give a rating from 1 to 5.")]
    thanks = clean_text(thanks, max_length=300, field="thanks", errors=errors)
    _check_donor_text(thanks, need=need, field="thanks", errors=errors)
    if errors:
        raise ValidationError(errors)
    feedback = Feedback.objects.create(
        pledge=pledge,
        rating=rating,
        thanks=thanks,
        by=by,
        on_behalf=not _is_own_household(by, need.household_id),
    )
    _event(by, "thanked", need, after={"pledge": pledge.pk, "rating": rating, "thanks": thanks})
    notify(
        recipients=[pledge.donor],
        kind="pledge_thanked",
        params={"title": need.title, "thanks": thanks or "—", "rating": rating},
        url=reverse("needs:my_pledges"),
    )
    return feedback


# --- Personal data left in public text -----------------------------------------------------


@public_cache.changes("board")
def mask_public_text(*, need: Need, by: User | None) -> list[str]:
    """Mask the personal data in what the public and donors read of a need, and in the
    copies its audit events keep; return where it masked (`story`, `pledge 7 note`, …).

    For text stored before it was checked (`tongxing scan-public-text --fix`): numbers
    become 427101********1234 and 138****5678, the household's members' full names 朱**;
    stored notifications that quote a masked text (a title, a reason, the thanks) quote
    its masked form. The system's own path: the command runs it, no account does.
    """
    if by is not None and not by.is_superuser:
        raise PermissionDenied
    need = _locked(need)
    names = public_text.names_of(need.household_id)
    masked: list[str] = []
    quoted: dict[str, str] = {}  # each text masked, to its masked form: notifications quote it
    if need.status in (Status.PUBLISHED, Status.CLOSED, Status.EXPIRED):
        changes = _masked_texts(need, public_text.PUBLIC_NEED_FIELDS, names, quoted)
        if changes:
            Need.objects.filter(pk=need.pk).update(**changes, updated_at=_now())
            masked += list(changes)
    for pledge in Pledge.objects.filter(need=need).order_by("pk"):
        changes = _masked_texts(pledge, public_text.DONOR_PLEDGE_FIELDS, names, quoted)
        if changes:
            Pledge.objects.filter(pk=pledge.pk).update(**changes)
            masked += [f"pledge {pledge.pk} {name}" for name in changes]
    for feedback in Feedback.objects.filter(pledge__need=need).order_by("pk"):
        changes = _masked_texts(feedback, ("thanks",), names, quoted)
        if changes:
            Feedback.objects.filter(pk=feedback.pk).update(**changes)
            masked.append(f"pledge {feedback.pledge_id} thanks")
    notifications = replace_quoted_text(texts=quoted)
    events = AuditEvent.objects.filter(object_type="needs.need", object_id=str(need.pk))
    redacted = redact_events(
        events=events.order_by("pk"), names=names, actor=by, region_code=need.village_id
    )
    if masked or redacted:
        after = {"masked": masked, "events": redacted, "notifications": notifications}
        _event(by, "masked", need, after=after)
    return masked


def _masked_texts(obj, fields: tuple[str, ...], names: list[str], quoted: dict) -> dict[str, str]:
    """The fields of an object whose text changes when masked, with their masked text (each
    also noted in `quoted`, from the text it replaces)."""
    changes = {}
    for name in fields:
        text = getattr(obj, name)
        masked = mask_personal_data(text, names=names)
        if masked != text:
            changes[name] = quoted[text] = masked
    return changes


# --- Deadlines ------------------------------------------------------------------------------


@dataclass
class SweepResult:
    warned: int = 0
    expired: int = 0


def sweep(*, today: datetime.date | None = None) -> SweepResult:
    """Warn of needs about to expire; expire and escalate those past their deadline.

    Run daily (`tongxing needs-sweep`). Each need is handled in its own transaction, so a
    long sweep never holds the write lock for long, and running it twice changes nothing.
    """
    today = today or _today()
    result = SweepResult()
    soon = Need.objects.filter(
        status=Status.PUBLISHED,
        deadline__gte=today,
        deadline__lte=today + EXPIRY_WARNING,
        expiry_warned_at__isnull=True,
        pledged__lt=F("target"),
    )
    for need_id in soon.values_list("pk", flat=True):
        with transaction.atomic():
            need = Need.objects.select_for_update().select_related("village").get(pk=need_id)
            if need.expiry_warned_at is not None:
                continue
            need.expiry_warned_at = _now()
            need.save(update_fields=["expiry_warned_at"])
            notify(
                recipients=_posters(need),
                kind="need_expiring",
                params={
                    "title": need.title,
                    "deadline": str(need.deadline),
                    "remaining": amount_text(need, need.remaining),
                },
                url=_manage_url(need),
            )
            result.warned += 1
    late = Need.objects.filter(status=Status.PUBLISHED, deadline__lt=today, pledged__lt=F("target"))
    for need_id in late.values_list("pk", flat=True):
        if expire_need(need_id=need_id, today=today):
            result.expired += 1
    return result


@public_cache.changes("board")
def expire_need(*, need_id: int, today: datetime.date) -> bool:
    """Expire one need past its deadline unmatched, and escalate it; False if it isn't."""
    need = Need.objects.select_for_update().select_related("village").get(pk=need_id)
    if need.status != Status.PUBLISHED or need.deadline >= today or need.is_matched:
        return False
    now = _now()
    remaining = need.remaining
    if need.kind == Kind.FUNDS and need.funding_policy == FundingPolicy.ALL_OR_NOTHING:
        _release_open_pledges(
            need, None, reason=_("The target was not met by the deadline."), moving=True
        )
    elif need.kind == Kind.FUNDS:
        _release_funds(need, None)
    need.refresh_from_db()
    # Escalation: to the village's pairing enterprise once pairing programmes record one;
    # until then to the office's queue (escalated with no organisation).
    need.status = Status.EXPIRED
    need.expired_at = need.escalated_at = now
    need.escalated_to = None
    need.save(update_fields=["status", "expired_at", "escalated_at", "escalated_to"])
    _event(None, "expired", need, after={"remaining": remaining, "escalated_to": "office"})
    notify(
        recipients=_posters(need) + offices_of(need),
        kind="need_expired",
        params={
            "title": need.title,
            "remaining": amount_text(need, remaining),
            "to": _("the assistance office"),
        },
        url=_manage_url(need),
    )
    _close_if_done(need.pk, None)
    return True


# --- Recorded histories, in bulk ------------------------------------------------------------

# What a recorded history may end in: the ends a need's life reaches and stays in.
HISTORY_OUTCOMES = (Status.CLOSED, Status.EXPIRED, Status.REJECTED, Status.CANCELLED)


@dataclass
class GiftHistory:
    """One pledge (or contribution) of a recorded history, from promise to thanks."""

    donor: User
    quantity: int  # pieces, places, the one wish, or fen
    pledged_at: datetime.datetime
    confirmed_at: datetime.datetime
    # When the donor said it was delivered; None when the household confirmed it directly.
    # Money is delivered when the target is met, so contributions leave it None.
    delivered_at: datetime.datetime | None = None
    delivery_note: str = ""
    confirmation_note: str = ""
    payment_reference: str = ""  # contributions: the transfer's reference
    consent_to_move: bool = False
    rating: int | None = None  # the household's thanks, if it gave them
    thanks: str = ""
    thanked_at: datetime.datetime | None = None


@dataclass
class NeedHistory:
    """A need's whole life: who took each step, and when.

    Closed: published, fully pledged by its gifts, every gift confirmed. Expired: published,
    nothing pledged by its deadline, escalated to the office. Rejected: refused at review.
    Cancelled: withdrawn by its poster before review (a draft, or waiting for review).
    """

    data: NeedData
    poster: User
    posted_at: datetime.datetime
    outcome: str
    submitted: bool = True  # False: cancelled as a draft
    reviewer: User | None = None
    reviewed_at: datetime.datetime | None = None
    reason: str = ""  # why it was rejected or cancelled
    override_reason: str = ""  # why it was published although a rule flagged it
    ended_at: datetime.datetime | None = None  # when it was cancelled or expired
    confirmer: User | None = None  # confirms and thanks: the household, or staff for it
    gifts: list[GiftHistory] = field(default_factory=list)


@public_cache.changes("board")
def record_needs(*, histories: list[NeedHistory], by: User | None) -> list[Need]:
    """Record needs whose lives have ended, many at once: the bulk path of the actions
    above, for the demo's year (and, later, the records an office brings with it).

    Each history meets the checks its steps would have met one by one (the need's fields
    on the day it was posted, each person's right to take a step, the order of the
    moments, the office's review rules, pledges adding up to the need) and leaves the rows
    and audit events those steps leave, each event at its step's moment. One failing
    history refuses the batch, with its errors by history number and field. Histories are
    over: they notify no one, and no pledge can race them (none of them is open), so they
    need no conditional UPDATE.
    """
    if by is not None and not by.is_superuser:
        raise PermissionDenied  # the system's own path: the demo (an import of old records, later)
    book = RuleBook()
    heads = dict(
        Member.objects.filter(
            household__in={h.data.household.pk for h in histories if h.data.household},
            relation=Relation.HEAD,
        ).values_list("household_id", "name")
    )
    names = public_text.household_names(
        h.data.household.pk if h.data.household else h.data.child.household_id
        for h in histories
        if h.data.household or h.data.child
    )
    now = _now()
    errors: dict[str, list[str]] = {}
    needs, kept = [], []
    for number, history in enumerate(histories, start=1):
        found = _check_history(history, now)
        need = None
        if not found:
            posted_on = timezone.localdate(history.posted_at)
            values, found = clean_need(history.data, today=posted_on, names=names)
        if not found:
            members = names.get(values["household"].pk if values["household"] else None, [])
            need, found = _need_of_history(history, values, heads, book, now, members)
        for name, messages in found.items():
            errors[f"{number}.{name}"] = messages
        if need is not None and not found:
            needs.append(need)
            kept.append(history)
    if errors:
        raise ValidationError(errors)
    Need.objects.bulk_create(needs, batch_size=1000)
    pledges = [
        _pledge_of_gift(need, history, gift)
        for need, history in zip(needs, kept, strict=True)
        for gift in history.gifts
    ]
    Pledge.objects.bulk_create(pledges, batch_size=1000)
    gifts = [gift for history in kept for gift in history.gifts]
    insert_many(
        Feedback,
        [
            Feedback(
                pledge=pledge,
                rating=gift.rating,
                thanks=" ".join(gift.thanks.split()),
                by=pledge.confirmed_by,
                on_behalf=pledge.confirmed_on_behalf,
                at=gift.thanked_at,
            )
            for pledge, gift in zip(pledges, gifts, strict=True)
            if gift.rating is not None
        ],
    )
    lines: dict[int, list[Pledge]] = {}
    for pledge in pledges:
        lines.setdefault(pledge.need_id, []).append(pledge)
    events = []
    for need, history in zip(needs, kept, strict=True):
        events += _history_events(need, history, lines.get(need.pk, []))
    record_history(events)
    return needs


def _check_history(history: NeedHistory, now: datetime.datetime) -> dict[str, list[str]]:
    """The order of a history's steps, before its need is looked at."""
    errors: dict[str, list[str]] = {}
    outcome, posted = history.outcome, history.posted_at
    if outcome not in HISTORY_OUTCOMES:
        return {"outcome": [_("A recorded need ends closed, expired, rejected or cancelled.")]}
    if posted is None or posted > now:
        return {"posted_at": [_("Give the moment the need was posted, in the past.")]}
    if outcome != Status.CANCELLED and (
        history.reviewed_at is None or not posted <= history.reviewed_at <= now
    ):
        errors["reviewed_at"] = [_("The review comes after the posting, in the past.")]
    for name in ("reason", "override_reason"):
        clean_text(getattr(history, name), max_length=300, field=name, errors=errors)
    if outcome in (Status.REJECTED, Status.CANCELLED) and not " ".join(history.reason.split()):
        errors.setdefault("reason", []).append(_("Say why the need was rejected or cancelled."))
    if outcome == Status.CANCELLED and (
        history.ended_at is None or not posted <= history.ended_at <= now
    ):
        errors["ended_at"] = [_("The cancellation comes after the posting, in the past.")]
    deadline = history.data.deadline
    if outcome == Status.EXPIRED and (
        history.ended_at is None
        or deadline is None
        or not deadline < timezone.localdate(history.ended_at)
        or history.ended_at > now
    ):
        errors["ended_at"] = [_("A need expires after its deadline, in the past.")]
    if outcome == Status.CLOSED and not history.gifts:
        errors["gifts"] = [_("A closed need was fully pledged: give its pledges.")]
    elif outcome != Status.CLOSED and history.gifts:
        errors["gifts"] = [_("Only a closed need has pledges in a recorded history.")]
    return errors


def _need_of_history(history, values, heads, book, now, names) -> tuple[Need | None, dict]:
    """The need a history leaves, its progress summed from its gifts."""
    outcome, errors = history.outcome, {}
    if not may_post_for(history.poster, village=values["village"], household=values["household"]):
        return None, {"poster": [_("This person may not post needs for this household.")]}
    poster = history.poster if history.poster is not None and history.poster.pk else None
    household, child = values["household"], values["child"]
    name = child.name if child is not None else heads.get(household.pk) if household else None
    need = Need(
        **values,
        public_name=masked_name(name) if name is not None else "",
        posted_by=poster,
        on_behalf=poster is not None and poster.role != Role.HOUSEHOLD,
        created_at=history.posted_at,
        status=outcome,
    )
    if history.submitted or outcome != Status.CANCELLED:
        need.submitted_at = history.posted_at
        need.rule_findings = book.findings(need)
    if outcome == Status.CANCELLED:
        need.status_reason = " ".join(history.reason.split())
        need.cancelled_at = history.ended_at
        return need, errors
    if not may_review(history.reviewer, need) or history.reviewer is None:
        errors["reviewer"] = [_("This person may not review needs of this village.")]
    need.reviewed_at, need.reviewed_by = history.reviewed_at, history.reviewer
    if outcome == Status.REJECTED:
        need.status_reason = " ".join(history.reason.split())
        return need, errors
    need.published_at = history.reviewed_at
    override = " ".join(history.override_reason.split())
    if need.rule_findings and not override:
        errors["override_reason"] = [
            _("The review rules flag this need: give your reason to publish it."),
            *(finding["message"] for finding in need.rule_findings),
        ]
    need.override_reason = override if need.rule_findings else ""
    if need.deadline < timezone.localdate(history.reviewed_at):
        errors["reviewed_at"] = [_("The deadline had passed at the review.")]
    if outcome == Status.EXPIRED:
        need.expired_at = need.escalated_at = history.ended_at
        return need, errors
    errors.update(_check_gifts(history, need, now, names))
    gifts = history.gifts
    last = max(gifts, key=lambda gift: gift.pledged_at)
    need.pledged = need.delivered = need.confirmed = need.target
    need.matched_at = last.pledged_at
    need.delivered_at = max(_delivered_at(need, gift, last) for gift in gifts)
    need.confirmed_at = need.closed_at = max(gift.confirmed_at for gift in gifts)
    return need, errors


def _delivered_at(need: Need, gift: GiftHistory, last: GiftHistory) -> datetime.datetime:
    """When a gift counted as delivered: money when the need was fully funded, goods when
    the donor said so (or, if the donor never did, when the household confirmed them)."""
    if need.kind == Kind.FUNDS:
        return last.pledged_at
    return gift.delivered_at or gift.confirmed_at


def _check_gifts(history: NeedHistory, need: Need, now, names) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    gifts, confirmer = history.gifts, history.confirmer
    if sum(gift.quantity or 0 for gift in gifts) != need.target:
        errors["gifts"] = [_("The pledges of a closed need add up to what it needed.")]
    if confirmer is None or not may_act_for_household(confirmer, need):
        errors["confirmer"] = [_("This person may not confirm for this household.")]
    on_behalf = not _is_own_household(confirmer, need.household_id)
    last = max(gifts, key=lambda gift: gift.pledged_at)
    deadline_end = timezone.make_aware(
        datetime.datetime.combine(need.deadline + datetime.timedelta(days=1), datetime.time.min)
    )
    texts: dict[str, list[str]] = {}  # what the text cleaner and checker say of one gift
    for number, gift in enumerate(gifts, start=1):
        found = []
        if gift.donor is None or not gift.donor.has_role(*PLEDGERS):
            found.append(_("Only donors, enterprises and units pledge."))
        if need.kind == Kind.FUNDS:
            if gift.quantity is None or gift.quantity < 100:
                found.append(_("Give at least ¥1."))
            reference = clean_text(gift.payment_reference, max_length=64, errors=texts)
            if not reference:
                found.append(_("Give the reference of the transfer (up to 64 characters)."))
            if gift.delivered_at is not None:
                found.append(_("Contributions are delivered when the need is fully funded."))
        elif gift.quantity is None or gift.quantity < 1:
            found.append(_("Pledge at least one."))
        if not need.published_at <= gift.pledged_at < deadline_end:
            found.append(_("A pledge comes between publication and the deadline."))
        elif not gift.pledged_at <= _delivered_at(need, gift, last) <= gift.confirmed_at <= now:
            found.append(_("A pledge is delivered, then confirmed, after it is made."))
        if on_behalf and not " ".join(gift.confirmation_note.split()):
            found.append(_("Confirming for the household: add a photo or a note."))
        if gift.rating is not None and gift.rating not in (1, 2, 3, 4, 5):
            found.append(_("Give a rating from 1 to 5."))
        if gift.rating is not None and (
            gift.thanked_at is None or not gift.confirmed_at <= gift.thanked_at <= now
        ):
            found.append(_("Thank the donor once the help has arrived."))
        for text in (gift.delivery_note, gift.confirmation_note, gift.thanks):
            clean_text(text, max_length=300, errors=texts)
        for text in (gift.delivery_note, gift.thanks):  # the donor reads these
            check_public_text(" ".join(text.split()), field="__all__", names=names, errors=texts)
        found += [message for messages in texts.values() for message in messages]
        texts.clear()
        if found:
            errors[f"gifts.{number}"] = found
    return errors


def _pledge_of_gift(need: Need, history: NeedHistory, gift: GiftHistory) -> Pledge:
    if need.kind == Kind.GOODS:
        value = gift.quantity * need.unit_value_fen
    elif need.kind == Kind.FUNDS:
        value = gift.quantity
    else:
        value = need.value_fen * gift.quantity // need.target
    last = max(history.gifts, key=lambda gift: gift.pledged_at)
    funds = need.kind == Kind.FUNDS
    return Pledge(
        need=need,
        donor=gift.donor,
        organisation=organisation_of(gift.donor),
        quantity=gift.quantity,
        value_fen=value,
        status=PledgeStatus.CONFIRMED,
        note=" ".join(gift.delivery_note.split()),
        payment_method=OfflineTransfer.method if funds else "",
        payment_reference=" ".join(gift.payment_reference.split()) if funds else "",
        consent_to_move=gift.consent_to_move if funds else False,
        created_at=gift.pledged_at,
        delivered_at=_delivered_at(need, gift, last),
        confirmed_at=gift.confirmed_at,
        confirmed_by=history.confirmer,
        confirmed_on_behalf=not _is_own_household(history.confirmer, need.household_id),
        confirmation_note=" ".join(gift.confirmation_note.split()),
    )


def _history_events(need: Need, history: NeedHistory, pledges: list[Pledge]) -> list[tuple]:
    """The audit events the single actions would have written, each at its moment, in the
    order they write them when two steps share a moment."""
    poster, reviewer, confirmer = history.poster, history.reviewer, history.confirmer
    code = need.village_id

    def event(at, actor, action, before=None, after=None):
        return (at, actor, f"need.{action}", need, code, before, after)

    events = [
        event(
            history.posted_at,
            poster,
            "created",
            after=_snapshot(need) | {"on_behalf": need.on_behalf},
        )
    ]
    if need.submitted_at is not None:
        events.append(
            event(
                need.submitted_at, poster, "submitted", after={"rule_findings": need.rule_findings}
            )
        )
    if need.status == Status.CANCELLED:
        before = {"status": Status.SUBMITTED if need.submitted_at else Status.DRAFT}
        after = {"reason": need.status_reason, "released": 0}
        return [*events, event(need.cancelled_at, poster, "cancelled", before, after)]
    reason = need.status_reason if need.status == Status.REJECTED else ""
    review = {
        "reason": reason,
        "override_reason": need.override_reason,
        "rule_findings": need.rule_findings,
    }
    published = need.status != Status.REJECTED
    events.append(
        event(need.reviewed_at, reviewer, "published" if published else "rejected", after=review)
    )
    if need.status == Status.EXPIRED:
        after = {"remaining": need.target, "escalated_to": "office"}
        return [*events, event(need.expired_at, None, "expired", after=after)]
    if need.status != Status.CLOSED:
        return events
    funds = need.kind == Kind.FUNDS
    ordered = sorted(pledges, key=lambda pledge: (pledge.created_at, pledge.pk))
    for pledge in ordered:
        after = {"pledge": pledge.pk, "quantity": pledge.quantity, "value_fen": pledge.value_fen}
        events.append(
            event(
                pledge.created_at, pledge.donor, "contributed" if funds else "pledged", after=after
            )
        )
    last = ordered[-1]
    events.append(event(need.matched_at, last.donor, "matched"))
    if funds:
        events.append(
            event(need.matched_at, last.donor, "funds_released", after={"amount_fen": need.target})
        )
    gifts = dict(zip((id(p) for p in pledges), history.gifts, strict=True))
    for pledge in pledges:
        gift = gifts[id(pledge)]
        if gift.delivered_at is not None:
            after = {"pledge": pledge.pk, "note": pledge.note}
            events.append(event(gift.delivered_at, pledge.donor, "delivered", after=after))
    for pledge in pledges:
        after = {
            "pledge": pledge.pk,
            "on_behalf": pledge.confirmed_on_behalf,
            "note": pledge.confirmation_note,
            "photo": False,
        }
        events.append(event(pledge.confirmed_at, confirmer, "confirmed", after=after))
    events.append(event(need.closed_at, confirmer, "closed"))
    for pledge in pledges:
        gift = gifts[id(pledge)]
        if gift.rating is not None:
            thanks = " ".join(gift.thanks.split())
            after = {"pledge": pledge.pk, "rating": gift.rating, "thanks": thanks}
            events.append(event(gift.thanked_at, confirmer, "thanked", after=after))
    return events


# --- Review rules ---------------------------------------------------------------------------


def _require_rule_editor(by: User | None, region: Region) -> None:
    if by is None or by.is_superuser:
        return
    if not _in_scope(by, region.code, RULE_EDITORS):
        raise PermissionDenied


@transaction.atomic
def set_value_cap(*, region: Region, category: str, cap_fen: int | None, by: User | None):
    """Set (or with None, remove) the value cap of a category in a region."""
    _require_rule_editor(by, region)
    if category not in Category.values:
        raise ValidationError({"category": [_("Choose a category.")]})
    existing = ValueCap.objects.filter(region=region, category=category).first()
    before = {"cap_fen": existing.cap_fen} if existing else None
    if cap_fen is None:
        if existing is not None:
            existing.delete()
            record(
                actor=by,
                action="rule.cap_removed",
                target=existing,
                region_code=region.code,
                before=before,
            )
        return None
    if cap_fen <= 0:
        raise ValidationError({"cap_fen": [_("Give a cap above ¥0.")]})
    cap, _created = ValueCap.objects.update_or_create(
        region=region, category=category, defaults={"cap_fen": cap_fen}
    )
    record(
        actor=by,
        action="rule.cap_set",
        target=cap,
        region_code=region.code,
        before=before,
        after={"category": category, "cap_fen": cap_fen},
    )
    return cap


@transaction.atomic
def add_banned_term(*, region: Region, term: str, note: str = "", by: User | None) -> BannedTerm:
    _require_rule_editor(by, region)
    errors: dict[str, list[str]] = {}
    term = clean_text(term, max_length=40, field="term", errors=errors)
    if "term" in errors:
        pass
    elif not term:
        errors["term"] = [_("Give the word to flag.")]
    elif BannedTerm.objects.filter(region=region, term__iexact=term).exists():
        errors["term"] = [_("This word is flagged already.")]
    note = clean_text(note, max_length=100, field="note", errors=errors)
    if errors:
        raise ValidationError(errors)
    banned = BannedTerm.objects.create(region=region, term=term, note=note)
    record(
        actor=by,
        action="rule.term_added",
        target=banned,
        region_code=region.code,
        after={"term": term, "note": note},
    )
    return banned


@transaction.atomic
def remove_banned_term(*, banned: BannedTerm, by: User | None) -> None:
    _require_rule_editor(by, banned.region)
    record(
        actor=by,
        action="rule.term_removed",
        target=banned,
        region_code=banned.region_id,
        before={"term": banned.term},
    )
    banned.delete()


# --- Helpers --------------------------------------------------------------------------------


def _locked(need: Need) -> Need:
    """Re-read the need under a row lock (PostgreSQL; SQLite's lock is the transaction's)."""
    return Need.objects.select_for_update().select_related("village").get(pk=need.pk)


def _snapshot(need: Need) -> dict:
    return snapshot(need, NEED_FIELDS)
