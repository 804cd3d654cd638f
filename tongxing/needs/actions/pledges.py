"""Pledges of goods and contributions of money: reserved, collected and counted on the need;
withdrawn, released, moved with consent or refunded.

Progress (`pledged`, `reserved` on Need) moves only here and in the delivery, by
conditional UPDATE statements in the same transaction as the pledge lines they sum.
"""

import datetime
import logging
import time
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from tongxing import public_cache
from tongxing.access import Role
from tongxing.accounts.models import User
from tongxing.needs.actions.common import (
    LONGEST_DEADLINE,
    check_donor_text,
    claim_request_key,
    current_date,
    current_moment,
    manage_url,
    need_url,
    note_givers,
    posters_of,
    record_need_event,
    request_digest,
)
from tongxing.needs.actions.delivery import mark_fully_delivered
from tongxing.needs.amounts import amount_text, yuan
from tongxing.needs.models import IdempotentRequest, Kind, Need, Pledge, PledgeStatus, Status
from tongxing.needs.payments import Payment, payment_provider
from tongxing.needs.rights import may_change_pledge, may_pledge
from tongxing.notifications.actions import notify
from tongxing.queries import prefix_q
from tongxing.regions.codes import Level, prefix_of
from tongxing.text import clean_text

logger = logging.getLogger(__name__)


def organisation_of(user: User):
    """Return the organisation an org_rep account speaks for, if its person record says."""
    if user.role != Role.ORG_REP:
        return None
    person = getattr(user, "person", None)
    return person.organisation if person is not None else None


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
    if deliver_by is not None and deliver_by < current_date():
        errors["deliver_by"] = [_("The date has passed.")]
    elif deliver_by is not None and deliver_by > current_date() + LONGEST_DEADLINE:
        errors["deliver_by"] = [_("Give a date within the coming year.")]
    note = clean_text(note, max_length=300, field="note", errors=errors)
    check_donor_text(note, need=need, field="note", errors=errors)
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
    if not may_pledge(by):
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


def _reserve(
    *, need: Need, by: User, amount_fen: int, consent: bool, key: str, digest: str, reference: str
) -> tuple[IdempotentRequest, datetime.datetime | None]:
    """Step 1 of a contribution, in the caller's transaction: claim the key and reserve
    the amount; or find the key's earlier request and, if its money is still to collect
    and no request is collecting it, take it over. Return the request and the lease taken
    (None: the contribution is done, or another request is collecting it now)."""
    now = current_moment()
    earlier = claim_request_key(by, key, "contribute", digest)
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
        reserved=F("reserved") - pledge.quantity, updated_at=current_moment()
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
    now, amount = current_moment(), pledge.quantity
    pledge.payment_method, pledge.payment_reference = payment.method, payment.reference
    counted = Need.objects.filter(pk=pledge.need_id, status=Status.PUBLISHED).update(
        reserved=F("reserved") - amount, pledged=F("pledged") + amount, updated_at=now
    )
    need = Need.objects.select_related("village").get(pk=pledge.need_id)
    if counted:
        pledge.status = PledgeStatus.PLEDGED
        pledge.save(update_fields=["status", "payment_method", "payment_reference"])
        note_givers([pledge.donor_id])
        _counted(need, pledge, by)
        return PledgeResult(pledge=pledge, replayed=False)
    Need.objects.filter(pk=need.pk).update(reserved=F("reserved") - amount, updated_at=now)
    pledge.status, pledge.ended_at = PledgeStatus.RETURNED, now
    pledge.end_reason = _("The need closed while the money was being paid.")
    pledge.save(
        update_fields=["status", "ended_at", "end_reason", "payment_method", "payment_reference"]
    )
    record_need_event(
        by, "contribution_late", need, after={"pledge": pledge.pk, "amount_fen": amount}
    )
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
    if not may_pledge(by):
        raise PermissionDenied
    with transaction.atomic():
        public_cache.bump("board")
        if idempotency_key:
            digest = request_digest({"need": need.pk, **digest_of})
            earlier = claim_request_key(by, idempotency_key, operation, digest)
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
    now, today = current_moment(), current_date()
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
        note_givers([by.pk])
        _counted(need, pledge, by)
    return pledge


def _counted(need: Need, pledge: Pledge, by: User) -> None:
    """What a pledge counted on its need sets off (the need read after the count): its
    event, the poster's notice, and the match once the need is full."""
    record_need_event(
        by,
        "contributed" if need.kind == Kind.FUNDS else "pledged",
        need,
        after={"pledge": pledge.pk, "quantity": pledge.quantity, "value_fen": pledge.value_fen},
    )
    notify(
        recipients=posters_of(need),
        kind="need_pledged",
        params={
            "title": need.title,
            "donor": str(by),
            "amount": amount_text(need, pledge.quantity),
        },
        url=manage_url(need),
    )
    if need.pledged >= need.target:
        _on_matched(need, by)
        pledge.refresh_from_db()  # a funding need's money was released: now delivered


def _on_matched(need: Need, by: User | None) -> None:
    """A need just became fully pledged (对接). Funds are released to the household."""
    Need.objects.filter(pk=need.pk, matched_at__isnull=True).update(matched_at=current_moment())
    record_need_event(by, "matched", need)
    if need.kind == Kind.FUNDS:
        _release_funds(need, by)


def _release_funds(need: Need, by: User | None) -> None:
    """Hand the raised money to the household: every contribution counts as delivered."""
    now = current_moment()
    lines = Pledge.objects.filter(need=need, status=PledgeStatus.PLEDGED)
    total = sum(lines.values_list("quantity", flat=True))
    if not total:
        return
    lines.update(status=PledgeStatus.DELIVERED, delivered_at=now)
    Need.objects.filter(pk=need.pk).update(delivered=F("delivered") + total, updated_at=now)
    record_need_event(by, "funds_released", need, after={"amount_fen": total})
    mark_fully_delivered(need.pk)


@public_cache.changes("board")
def withdraw_pledge(*, pledge: Pledge, by: User, reason: str = "") -> Pledge:
    """The donor takes back a pledge of goods not yet delivered."""
    pledge = Pledge.objects.select_for_update().select_related("need").get(pk=pledge.pk)
    if not may_change_pledge(by, pledge):
        raise PermissionDenied
    if pledge.need.kind == Kind.FUNDS:
        raise ValidationError(_("A contribution cannot be withdrawn; the office returns it."))
    if pledge.status != PledgeStatus.PLEDGED:
        raise ValidationError(_("Only a pledge not yet delivered can be withdrawn."))
    errors: dict[str, list[str]] = {}
    reason = clean_text(reason, max_length=300, field="reason", errors=errors)
    check_donor_text(reason, need=pledge.need, field="reason", errors=errors)
    if errors:
        raise ValidationError(errors)
    _end_pledge(pledge, PledgeStatus.WITHDRAWN, reason)
    record_need_event(by, "pledge_withdrawn", pledge.need, after={"pledge": pledge.pk})
    return pledge


def _end_pledge(pledge: Pledge, status: str, reason: str) -> None:
    """Take an undelivered pledge's quantity off its need."""
    now = current_moment()
    pledge.status, pledge.ended_at, pledge.end_reason = status, now, reason
    pledge.save(update_fields=["status", "ended_at", "end_reason"])
    note_givers([pledge.donor_id])
    Need.objects.filter(pk=pledge.need_id).update(
        pledged=F("pledged") - pledge.quantity, updated_at=now
    )
    # A need that falls below its target is no longer matched.
    Need.objects.filter(pk=pledge.need_id, pledged__lt=F("target")).update(matched_at=None)


def release_open_pledges(need: Need, by: User | None, *, reason: str, moving: bool) -> int:
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
                url=need_url(need),
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
                url=need_url(target),
            )
        else:
            _end_pledge(pledge, PledgeStatus.RETURNED, reason)
            _refund_after_commit(pledge.pk)
            notify(
                recipients=[pledge.donor],
                kind="contribution_returned",
                params={"title": need.title, "amount": yuan(pledge.quantity)},
                url=need_url(need),
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
            refunded_at=current_moment()
        )
        if done:
            after = {"pledge": pledge.pk, "amount_fen": pledge.quantity}
            record_need_event(None, "refunded", pledge.need, after=after)
    return bool(done)


def _move_target(need: Need, amount: int) -> Need | None:
    """The most urgent funding need of the same township (else city) with room for it."""
    for level in (Level.TOWNSHIP, Level.CITY):
        prefix = prefix_of(need.village_id, level)
        found = (
            Need.objects.filter(
                prefix_q("village__code", prefix),
                kind=Kind.FUNDS,
                status=Status.PUBLISHED,
                pledged__lte=F("target") - amount,
                deadline__gte=current_date(),
            )
            .exclude(pk=need.pk)
            .order_by("-urgency", "deadline", "pk")
            .first()
        )
        if found is not None:
            return found
    return None
