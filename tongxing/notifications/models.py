"""In-app notifications: one row per message to one account, read or not."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # What happened, as a code (need_published, pledge_confirmed, …) and its details: the
    # text is written when it is read, in the reader's language (see kinds.py).
    kind = models.CharField(_("kind"), max_length=40)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id}"

    @property
    def title(self) -> str:
        from tongxing.notifications.kinds import render

        return render(self.kind, self.params)[0]

    @property
    def body(self) -> str:
        from tongxing.notifications.kinds import render

        return render(self.kind, self.params)[1]
