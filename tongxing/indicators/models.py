"""Approvals: the figures of a region and a period, frozen when its office approved them.

A township's station approves its township's figures first, then the city office the
city's (bottom-up). An approval keeps every code's value as it was computed then (a rate's
numerator and denominator too), the catalogue's version, and the ids of the records behind
each figure, so a report of that period and a frozen figure's records stay as approved
whatever is edited later. Withdrawn, it stays as history (who, when, why); the period may
then be corrected and approved again.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Approval(models.Model):
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    start = models.DateField()
    end = models.DateField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField()
    catalogue_version = models.CharField(max_length=20)
    # {code: {"value", "state", "numerator", "denominator", "records": [ids]}}
    figures = models.JSONField(default=dict)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdraw_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-approved_at", "-pk"]
        constraints = [
            # One approval in force per region and period; withdrawn ones are history.
            models.UniqueConstraint(
                fields=["region", "start", "end"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_approval_in_force",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.start}–{self.end}"

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None
