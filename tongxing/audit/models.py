"""The audit log: one append-only table of every change of state, scoped by region code."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The audit log is append-only.")

    def delete(self):
        raise TypeError("The audit log is append-only.")


class AuditEvent(models.Model):
    """One change of state: who, when, what, before and after. Append-only."""

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # (actor, at) below serves it
    )
    action = models.CharField(_("what"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object"), max_length=64)
    # The region the object belongs to, so the log can be scoped like everything else.
    region_code = models.CharField(_("region"), max_length=12, blank=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        # The table it has had since the log lived in the accounts app.
        db_table = "accounts_auditevent"
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            # The log of one action, newest first, and its count in a region's subtree (the
            # code is matched by prefix: on PostgreSQL with the pattern operators, as Django
            # gives the single-column indexes of text). See docs/benchmarks.md, part 8.
            models.Index(fields=["action", "at"], name="audit_action_at"),
            # One account's log, newest first (a busy account's events are not the newest:
            # walking `at` for them read 200,000 events on PostgreSQL).
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
            models.Index(
                fields=["action", "region_code"],
                name="audit_action_region",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit log is append-only.")
