"""What the needs actions share: the clock, a need's pages, its audit event, the row lock,
the idempotency keys of retried requests, and the check of text a donor reads.

Each action checks the actor's right (`tongxing.needs.rights`), validates every field at
once, runs in one transaction, writes the need's event to the audit log (`record_need_event`) and
sends its notifications. Pages, the API, the daily jobs and the demo all come through the
modules of this package, each importing the one it needs.
"""

import datetime
import hashlib
import json
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxing import public_cache
from tongxing.accounts.models import User
from tongxing.audit.log import record, snapshot
from tongxing.needs import public_text
from tongxing.needs.models import ACTIVE_PLEDGE, IdempotentRequest, Need, Pledge
from tongxing.registry.models import Household
from tongxing.text import check_public_text, forbidden_characters

# How long a need may stay on the board.
LONGEST_DEADLINE = datetime.timedelta(days=366)
# What an audit event of a need's changes keeps of it.
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


def current_moment() -> datetime.datetime:
    return timezone.now()


def current_date() -> datetime.date:
    return timezone.localdate()


def need_url(need: Need) -> str:
    """The public page of a need: where donors follow it."""
    return reverse("needs:detail", args=[need.pk])


def manage_url(need: Need) -> str:
    """The staff's page of a need: where its poster follows it, whatever its status."""
    return reverse("needs:manage", args=[need.pk])


def record_need_event(by: User | None, action: str, need: Need, before=None, after=None) -> None:
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


def posters_of(need: Need) -> list[User]:
    """Who hears of a need's progress: its poster and the household's own account."""
    ids = {need.posted_by_id} - {None}
    if need.household_id is not None:
        # The household's account read first, by its key: OR-ing a subquery (or a join)
        # with the poster's key makes PostgreSQL read every account (2 million in a
        # province) for each step of a need.
        ids.update(
            Household.objects.filter(pk=need.household_id, account__isnull=False).values_list(
                "account", flat=True
            )
        )
    return list(User.objects.filter(pk__in=sorted(ids)))


def request_digest(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def claim_request_key(by: User, key: str, operation: str, digest: str) -> IdempotentRequest | None:
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


def check_donor_text(text: str, *, need: Need, field: str, errors: dict[str, list[str]]) -> None:
    """Refuse personal data in text a donor reads: no numbers, no member's full name."""
    if text:
        names = public_text.names_of(need.household_id)
        check_public_text(text, field=field, names=names, errors=errors)


def locked_need(need: Need) -> Need:
    """Re-read the need under a row lock (PostgreSQL; SQLite's lock is the transaction's)."""
    return Need.objects.select_for_update().select_related("village").get(pk=need.pk)


def need_snapshot(need: Need) -> dict:
    return snapshot(need, NEED_FIELDS)


def note_givers(donor_ids: Iterable[int]) -> None:
    """Set each donor's `first_gave_at` from its pledges still standing, after one of them
    starts or ends (a donor whose every pledge ended has not given: None again)."""
    earliest = (
        Pledge.objects.filter(donor=OuterRef("pk"), status__in=ACTIVE_PLEDGE)
        .order_by("created_at")
        .values("created_at")[:1]
    )
    ids = sorted(set(donor_ids))
    # In slices: SQLite takes a bounded number of parameters in one statement.
    for at in range(0, len(ids), 500):
        User.objects.filter(pk__in=ids[at : at + 500]).update(first_gave_at=Subquery(earliest))
