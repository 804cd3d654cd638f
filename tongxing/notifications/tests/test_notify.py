"""Notifications: written once, read in the reader's language, sent on after the commit."""

import logging

from django.core import mail
from django.utils import translation

from conftest import make_user
from tongxing.access import Role
from tongxing.notifications.actions import mark_read, notify
from tongxing.notifications.models import Notification
from tongxing.notifications.selectors import notifications_of, unread_count


class BrokenChannel:
    def send(self, notification):
        raise ConnectionError("the SMS gateway is down")


def test_it_writes_one_notification_per_active_recipient(dora, olga):
    olga.is_active = False
    olga.save()
    notify(recipients=[dora, dora, olga, None], kind="need_published", params={"title": "棉被"})
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["dora"]


def test_the_text_is_written_in_the_readers_language(dora):
    notify(recipients=[dora], kind="need_rejected", params={"title": "棉被", "reason": "重复"})
    notification = Notification.objects.get()
    assert notification.body == "“棉被” was rejected: 重复"
    with translation.override("zh-hans"):
        assert notification.title == "您的需求未通过审核"


def test_an_unknown_kind_shows_its_code(dora):
    notify(recipients=[dora], kind="retired_kind", params={})
    assert (Notification.objects.get().title, Notification.objects.get().body) == (
        "retired_kind",
        "",
    )


def test_a_failing_channel_is_logged_and_never_undoes_the_change(
    dora, settings, caplog, django_capture_on_commit_callbacks
):
    settings.TONGXING_NOTIFICATION_CHANNELS = [
        "tongxing.notifications.tests.test_notify.BrokenChannel",
        "tongxing.notifications.channels.EmailChannel",
    ]
    dora.email = "dora@example.org"
    dora.save()
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[dora], kind="pledge_confirmed", params={"title": "棉被", "amount": "1"})
    assert Notification.objects.count() == 1
    assert "BrokenChannel" in caplog.text
    assert len(mail.outbox) == 1  # the next channel still ran


def test_each_account_reads_and_marks_only_its_own(dora, olga):
    notify(recipients=[dora, olga], kind="need_published", params={"title": "棉被"})
    notify(recipients=[dora], kind="need_published", params={"title": "大米"})
    assert (unread_count(dora), unread_count(olga)) == (2, 1)
    first = notifications_of(dora).last()

    assert mark_read(user=olga, ids=[first.pk]) == 0
    assert mark_read(user=dora, ids=[first.pk]) == 1
    assert (unread_count(dora), unread_count(olga)) == (1, 1)
    assert mark_read(user=dora) == 1
    assert unread_count(dora) == 0


def test_staff_roles_get_notifications_too(tree):
    tina = make_user("tina2", Role.TOWNSHIP_ADMIN, "590101001000")
    notify(recipients=[tina], kind="need_submitted", params={"title": "棉被", "village": "桃李村"})
    assert notifications_of(tina).get().body == "“棉被” in 桃李村 was submitted for review."
