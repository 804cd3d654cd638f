"""The audit log writer. Actions call `record` inside their own transaction."""

from collections.abc import Iterable
from typing import Any

from django.db import models

from tongxing.accounts.models import AuditEvent, User
from tongxing.queries import insert_many


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
        "before": before,
        "after": after,
    }
