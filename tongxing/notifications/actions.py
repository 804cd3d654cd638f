"""Sending and reading notifications. Actions of other apps call `notify` inside their own
transaction: the rows commit with the change they report, and the other channels (e-mail,
later SMS) run only once that change has committed."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from tongxing.accounts.models import User
from tongxing.notifications.channels import dispatch
from tongxing.notifications.models import Notification


def notify(*, recipients: Iterable[User], kind: str, params: dict, url: str = "") -> None:
    seen = set()
    rows = []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(Notification(recipient=user, kind=kind, params=params, url=url))
    if not rows:
        return
    created = Notification.objects.bulk_create(rows)
    transaction.on_commit(lambda: dispatch(created))


@transaction.atomic
def mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when no ids are given)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
