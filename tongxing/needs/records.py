"""Recorded needs, in bulk: needs whose lives have ended, each step with its person and
moment, written at once with the rows and audit events the single actions leave (the demo's
year; later, the records an office brings with it)."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxing import public_cache
from tongxing.accounts.models import User
from tongxing.audit.log import record_history
from tongxing.needs import public_text
from tongxing.needs.actions.common import current_moment, need_snapshot, note_givers
from tongxing.needs.actions.pledges import organisation_of
from tongxing.needs.actions.posting import NeedData, clean_need
from tongxing.needs.models import Feedback, Kind, Need, Pledge, PledgeStatus, Status
from tongxing.needs.payments import OfflineTransfer
from tongxing.needs.rights import (
    is_household,
    is_own_household,
    is_system,
    may_act_for_household,
    may_pledge,
    may_post_for,
    may_review,
)
from tongxing.needs.rules import RuleBook
from tongxing.queries import insert_many
from tongxing.registry.models import Member, Relation
from tongxing.text import check_public_text, clean_text, masked_name

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
    if not is_system(by):
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
    now = current_moment()
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
    note_givers(pledge.donor_id for pledge in pledges)
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
        on_behalf=poster is not None and not is_household(poster),
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
    on_behalf = not is_own_household(confirmer, need.household_id)
    last = max(gifts, key=lambda gift: gift.pledged_at)
    deadline_end = timezone.make_aware(
        datetime.datetime.combine(need.deadline + datetime.timedelta(days=1), datetime.time.min)
    )
    texts: dict[str, list[str]] = {}  # what the text cleaner and checker say of one gift
    for number, gift in enumerate(gifts, start=1):
        found = []
        if not may_pledge(gift.donor):
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
        confirmed_on_behalf=not is_own_household(history.confirmer, need.household_id),
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
            after=need_snapshot(need) | {"on_behalf": need.on_behalf},
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
