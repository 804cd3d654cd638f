"""What the daily jobs finish: needs about to expire warned, those past their deadline
expired and escalated, contributions whose request stopped completed, failed refunds
tried again."""

import datetime
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from tongxing import public_cache
from tongxing.needs.actions.common import (
    current_date,
    current_moment,
    manage_url,
    posters_of,
    record_need_event,
)
from tongxing.needs.actions.delivery import close_if_done
from tongxing.needs.actions.pledges import (
    COLLECT_LEASE,
    _collect,
    _refund,
    _release_funds,
    release_open_pledges,
)
from tongxing.needs.actions.review import offices_of
from tongxing.needs.amounts import amount_text
from tongxing.needs.models import (
    FundingPolicy,
    IdempotentRequest,
    Kind,
    Need,
    Pledge,
    PledgeStatus,
    Status,
)
from tongxing.notifications.actions import notify

logger = logging.getLogger(__name__)

# How early a need's poster hears it will expire.
EXPIRY_WARNING = datetime.timedelta(days=3)


# A reservation whose request stopped (the donor closed the page after a crash, and never
# sent it again) is completed by the daily step once it is this old.
ABANDONED_AFTER = datetime.timedelta(minutes=30)


def complete_contributions() -> tuple[int, int, int]:
    """Finish the contributions whose request stopped between reserving and recording: the
    daily step. Each is collected with its own provider key, so money a provider already
    took is counted and not taken again; one the provider refuses is released. Return how
    many were completed, released, and still wait (the provider failed again)."""
    stale = current_moment() - ABANDONED_AFTER
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
        lease = current_moment()
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


def complete_refunds() -> tuple[int, int]:
    """Pay back the returned contributions whose refund failed (the provider was down or
    refused): the daily retry. Return how many were paid back now, and how many wait."""
    pending = Pledge.objects.filter(status=PledgeStatus.RETURNED, refunded_at__isnull=True)
    done = sum(_refund(pk) for pk in list(pending.order_by("pk").values_list("pk", flat=True)))
    return done, pending.count()


@dataclass
class SweepResult:
    warned: int = 0
    expired: int = 0


def sweep(*, today: datetime.date | None = None) -> SweepResult:
    """Warn of needs about to expire; expire and escalate those past their deadline.

    Run daily (`tongxing needs-sweep`). Each need is handled in its own transaction, so a
    long sweep never holds the write lock for long, and running it twice changes nothing.
    """
    today = today or current_date()
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
            need.expiry_warned_at = current_moment()
            need.save(update_fields=["expiry_warned_at"])
            notify(
                recipients=posters_of(need),
                kind="need_expiring",
                params={
                    "title": need.title,
                    "deadline": str(need.deadline),
                    "remaining": amount_text(need, need.remaining),
                },
                url=manage_url(need),
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
    now = current_moment()
    remaining = need.remaining
    if need.kind == Kind.FUNDS and need.funding_policy == FundingPolicy.ALL_OR_NOTHING:
        release_open_pledges(
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
    record_need_event(
        None, "expired", need, after={"remaining": remaining, "escalated_to": "office"}
    )
    notify(
        recipients=posters_of(need) + offices_of(need),
        kind="need_expired",
        params={
            "title": need.title,
            "remaining": amount_text(need, remaining),
            "to": _("the assistance office"),
        },
        url=manage_url(need),
    )
    close_if_done(need.pk, None)
    return True
