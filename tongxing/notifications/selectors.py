"""Reads of notifications: each account reads only its own."""

from django.db.models import QuerySet

from tongxing.accounts.models import User
from tongxing.notifications.models import Notification


def notifications_of(user: User) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def unread_count(user: User) -> int:
    return notifications_of(user).filter(read_at__isnull=True).count()
