"""Sending and reading notifications. Actions of other apps call `notify` inside their own
transaction: the rows commit with the change they report, and the other channels (e-mail,
later SMS) run only once that change has committed."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
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


# The parameters of the notifications that quote text a person typed.
QUOTED_PARAMS = ("title", "reason", "thanks", "to")


@transaction.atomic
def replace_quoted_text(*, texts: dict[str, str]) -> int:
    """Replace, in the parameters of stored notifications, each quoted text that was masked
    where it came from (a need's title, a reason, the thanks) by its masked form; return
    how many notifications changed. Their text is written from the parameters when read,
    so the list shows the masked form from now on (an e-mail already sent stays sent)."""
    if not texts:
        return 0
    quoting = Q()
    for key in QUOTED_PARAMS:
        quoting |= Q(**{f"params__{key}__in": list(texts)})
    changed = 0
    for notification in Notification.objects.filter(quoting).order_by("pk"):
        params = {
            key: texts.get(value, value)
            if key in QUOTED_PARAMS and isinstance(value, str)
            else value
            for key, value in notification.params.items()
        }
        if params != notification.params:
            Notification.objects.filter(pk=notification.pk).update(params=params)
            changed += 1
    return changed
