"""Posting a need: its fields checked (`clean_need`), created as a draft, changed,
submitted for review, and cancelled (withdrawn from the board, its open pledges released)."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from tongxing import public_cache
from tongxing.accounts.models import User
from tongxing.audit.log import record_update
from tongxing.needs import public_text
from tongxing.needs.actions.common import (
    LONGEST_DEADLINE,
    NEED_FIELDS,
    check_donor_text,
    claim_request_key,
    current_date,
    current_moment,
    locked_need,
    need_snapshot,
    record_need_event,
    request_digest,
)
from tongxing.needs.actions.pledges import release_open_pledges
from tongxing.needs.actions.review import reviewers_of
from tongxing.needs.models import (
    CANCELLABLE,
    CATEGORIES_BY_KIND,
    FundingPolicy,
    IdempotentRequest,
    Kind,
    Need,
    Status,
    Urgency,
)
from tongxing.needs.rights import is_household, may_edit, may_post_for
from tongxing.needs.rules import check_rules
from tongxing.notifications.actions import notify
from tongxing.regions.codes import Level
from tongxing.regions.models import Region
from tongxing.registry.models import Household, Member, Relation
from tongxing.text import clean_text, masked_name


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
    today = today or current_date()
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
        earlier = claim_request_key(by, idempotency_key, "create_need", digest)
        if earlier is not None:
            return Need.objects.get(pk=earlier.need_id)
    need = Need.objects.create(
        **values,
        public_name=public_name_for(values),
        posted_by=by if by is not None and by.pk else None,
        on_behalf=by is not None and not is_household(by),
    )
    record_need_event(
        by, "created", need, after=need_snapshot(need) | {"on_behalf": need.on_behalf}
    )
    if submit:
        _submit(need, by)
    if keyed:
        IdempotentRequest.objects.filter(user=by, key=idempotency_key.strip()).update(need=need)
    return need


@public_cache.changes("board")
def update_need(*, need: Need, data: NeedData, by: User | None) -> Need:
    """Change a draft or a rejected need; a rejected one goes back to draft."""
    need = locked_need(need)
    if not may_edit(by, need):
        raise PermissionDenied
    if need.status not in (Status.DRAFT, Status.REJECTED):
        raise ValidationError(_("Only a draft or a rejected need can be changed."))
    values, errors = clean_need(data)
    if errors:
        raise ValidationError(errors)
    if not may_post_for(by, village=values["village"], household=values["household"]):
        raise PermissionDenied
    changes = values | {
        "public_name": public_name_for(values),
        "status": Status.DRAFT,
        "status_reason": "",
    }
    record_update(
        need,
        changes,
        actor=by,
        action="need.changed",
        fields=NEED_FIELDS,
        region_code=values["village"].pk,
    )
    return need


@public_cache.changes("board")
def submit_need(*, need: Need, by: User | None) -> Need:
    need = locked_need(need)
    if not may_edit(by, need):
        raise PermissionDenied
    _submit(need, by)
    return need


def _submit(need: Need, by: User | None) -> None:
    if need.status not in (Status.DRAFT, Status.REJECTED):
        raise ValidationError(_("This need has already been submitted."))
    if need.deadline < current_date():
        raise ValidationError({"deadline": [_("The deadline has passed.")]})
    need.status = Status.SUBMITTED
    need.status_reason = ""
    need.submitted_at = current_moment()
    need.rule_findings = check_rules(need)
    need.save(update_fields=["status", "status_reason", "submitted_at", "rule_findings"])
    record_need_event(by, "submitted", need, after={"rule_findings": need.rule_findings})
    notify(
        recipients=reviewers_of(need),
        kind="need_submitted",
        params={"title": need.title, "village": need.village.name},
        url=reverse("needs:review"),
    )


@public_cache.changes("board")
def cancel_need(*, need: Need, by: User | None, reason: str) -> Need:
    """Withdraw a need from the board. Pledges not yet delivered are released (money is
    returned); deliveries already made can still be confirmed."""
    need = locked_need(need)
    if not may_edit(by, need):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    reason = clean_text(reason, max_length=300, field="reason", errors=errors)
    if not reason and not errors:
        errors["reason"] = [_("Say why the need is cancelled.")]
    # The donors of its pledges read the reason (their pledge ends with it).
    check_donor_text(reason, need=need, field="reason", errors=errors)
    if errors:
        raise ValidationError(errors)
    if need.status not in CANCELLABLE:
        raise ValidationError(_("This need is already closed or cancelled."))
    before = {"status": need.status}
    released = release_open_pledges(need, by, reason=reason, moving=False)
    need.refresh_from_db()
    need.status = Status.CANCELLED
    need.status_reason = reason
    need.cancelled_at = current_moment()
    need.save(update_fields=["status", "status_reason", "cancelled_at", "updated_at"])
    record_need_event(
        by, "cancelled", need, before=before, after={"reason": reason, "released": released}
    )
    return need
