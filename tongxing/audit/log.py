"""The audit log writer. Actions call `record` inside their own transaction.

The log holds masked personal data only: every string of an event's `before` and `after`
has its ID, phone and bank card numbers masked (`tongxing.text.mask_personal_data`) before
it is stored, so that a number typed into free text (a need's story) does not live on in
the log in full. Registry snapshots carry the masked columns, never ciphertexts or hashes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import models, transaction

from tongxing.audit.models import AuditEvent
from tongxing.queries import insert_many
from tongxing.text import mask_personal_data

if TYPE_CHECKING:  # the accounts lie above the audit log
    from tongxing.accounts.models import User

# Keys whose values are the codes of records, not free text: a household's 16-digit
# registry number reads like a bank card number, an organisation's credit code like an ID.
CODE_KEYS = frozenset({"registry_number", "credit_code"})
# The fewest digits a number the masking finds has (a landline: a 3-digit area code and 7
# digits): a string with fewer is left alone without running the patterns (most are).
FEWEST_DIGITS = 10
_DIGIT = re.compile(r"[0-9\uff10-\uff19]")  # half- and full-width


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Return the named fields of an instance as JSON-ready values."""
    data = {}
    for name in fields:
        field = instance._meta.get_field(name)
        data[name] = _json_ready(getattr(instance, field.attname))
    return data


def _json_ready(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_json_ready(item) for item in value]
    if isinstance(value, str):
        return str(value)  # a TextChoices member becomes its plain value
    if isinstance(value, int | float | bool | None):
        return value
    return str(value)


def record(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    region_code: str = "",
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        **event_fields(actor, action, target, region_code, before, after)
    )


def record_update(
    instance: models.Model,
    values: dict[str, Any],
    *,
    actor: User | None,
    action: str,
    fields: Iterable[str],
    region_code: str = "",
    validate: bool = False,
) -> AuditEvent:
    """Change an object and log the change: the audited update every app makes.

    Snapshot the fields, set the values, validate (`full_clean`) when asked, save, and
    record the event with the fields before and after. Call it inside the action's
    transaction, on the row it locked.
    """
    fields = tuple(fields)
    before = snapshot(instance, fields)
    for name, value in values.items():
        setattr(instance, name, value)
    if validate:
        instance.full_clean()
    instance.save()
    return record(
        actor=actor,
        action=action,
        target=instance,
        region_code=region_code,
        before=before,
        after=snapshot(instance, fields),
    )


def record_many(
    *, actor: User | None, action: str, targets: list[tuple[models.Model, str, dict]]
) -> None:
    """Write one creation event per (object, region code, after) in one statement."""
    insert_many(
        AuditEvent,
        [
            AuditEvent(**event_fields(actor, action, target, region_code, None, after))
            for target, region_code, after in targets
        ],
    )


def record_history(events: list[tuple]) -> None:
    """Write events of a recorded history, each at its own moment, in one statement.

    Each event is (moment, actor, action, target, region code, before, after); they are
    written in the order of their moments, so the log reads as the steps happened.
    """
    ordered = sorted(enumerate(events), key=lambda item: (item[1][0], item[0]))
    insert_many(
        AuditEvent,
        [
            AuditEvent(at=at, **event_fields(actor, action, target, region, before, after))
            for _index, (at, actor, action, target, region, before, after) in ordered
        ],
        keep_moments=True,
    )


def event_fields(actor, action, target, region_code, before, after) -> dict:
    many = isinstance(target, str)
    return {
        "actor": actor if actor is not None and actor.pk else None,
        "action": action,
        "object_type": target if many else target._meta.label_lower,
        "object_id": "" if many else str(target.pk),
        "region_code": region_code or "",
        "before": masked(before),
        "after": masked(after),
    }


def masked(value: Any, *, names: tuple[str, ...] | list[str] = (), key: str = "") -> Any:
    """Return a payload with the personal data in each of its strings masked, at any depth.

    Numbers always; the full names given too (a household's members, when the copies of a
    leaked text are redacted). The values of `CODE_KEYS` are kept as they are.
    """
    if isinstance(value, str):
        if key in CODE_KEYS or (not names and len(_DIGIT.findall(value)) < FEWEST_DIGITS):
            return value
        return mask_personal_data(value, names=names)
    if isinstance(value, dict):
        return {k: masked(v, names=names, key=str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [masked(item, names=names, key=key) for item in value]
    return value


def redact_events(
    *,
    events: Iterable[AuditEvent],
    names: tuple[str, ...] | list[str] = (),
    actor: User | None,
    region_code: str = "",
) -> list[int]:
    """Mask the personal data left in stored events; return the ids of those changed.

    The one place the log is rewritten, on purpose and narrowly: events written before the
    log masked numbers (or that quote a household member's full name from a text that was
    public) keep every value as it was, except the strings in which personal data is found,
    which get their masked form. It writes an `audit.redacted` event naming the events it
    touched, and nothing of what they held. The model and its queryset refuse updates, so
    the UPDATE goes through Django's plain QuerySet here.
    """
    touched = []
    with transaction.atomic():
        for event in events:
            before = masked(event.before, names=names)
            after = masked(event.after, names=names)
            if before == event.before and after == event.after:
                continue
            models.QuerySet.update(
                AuditEvent.objects.filter(pk=event.pk), before=before, after=after
            )
            touched.append(event.pk)
        if touched:
            record(
                actor=actor,
                action="audit.redacted",
                target="accounts.auditevent",
                region_code=region_code,
                after={"events": touched},
            )
    return touched
