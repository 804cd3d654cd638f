"""Where notifications go besides the in-app list: e-mail now, SMS or WeChat later.

A channel is a class with `send(notification)`; settings.TONGXING_NOTIFICATION_CHANNELS
names the ones in use. Channels run after the action's transaction has committed, and a
failing channel is logged, never raised: a lost e-mail must not undo a pledge.
"""

import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.module_loading import import_string

from tongxing.notifications.models import Notification

log = logging.getLogger(__name__)


class Channel(Protocol):
    def send(self, notification: Notification) -> None: ...


class EmailChannel:
    """Send the notification by e-mail to recipients who gave an address."""

    def send(self, notification: Notification) -> None:
        address = notification.recipient.email
        if not address:
            return
        with translation.override(settings.LANGUAGE_CODE):
            body = notification.body
            if notification.url:
                body = f"{body}\n\n{notification.url}"
            send_mail(notification.title, body, None, [address])


def active_channels() -> list[Channel]:
    return [import_string(path)() for path in settings.TONGXING_NOTIFICATION_CHANNELS]


def dispatch(notifications: list[Notification]) -> None:
    for channel in active_channels():
        for notification in notifications:
            try:
                channel.send(notification)
            except Exception:
                log.exception("Channel %s failed for notification %s", channel, notification.pk)
