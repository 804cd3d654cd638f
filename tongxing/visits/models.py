"""Visits to households and villages (走访、遍访), what was delivered on them, and the
campaign days (扶贫日) that every list of visits can be cut to."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongxing.registry.models import Position

# The national day for poverty relief (扶贫日), the campaign day of a year none is set for.
DEFAULT_CAMPAIGN_MONTH_DAY = (10, 17)


class Purpose(models.TextChoices):
    SURVEY = "survey", _("survey")  # 调研
    CONDOLENCE = "condolence", _("condolence")  # 慰问
    POLICY_EXPLANATION = "policy_explanation", _("policy explanation")  # 政策宣讲
    CLINIC_FOLLOW_UP = "clinic_follow_up", _("clinic follow-up")  # 义诊回访
    OTHER = "other", _("other")


class DeliveryKind(models.TextChoices):
    CLOTHING = "clothing", _("clothing (pieces)")  # 衣物，件
    GRAIN_OIL = "grain_oil", _("grain and oil (jin)")  # 粮油，斤
    CASH = "cash", _("cash (fen)")  # 现金，分
    OTHER = "other", _("other")


class Visit(models.Model):
    """A visit by a person of the directory to a household, or to a village as a whole.

    `position` and `visitor_region` are what the visitor held on the day, copied from the
    directory when the visit is recorded: a secretary moved on later does not turn their
    old visits into someone else's, and the figures count the visit as it was made.
    """

    visitor = models.ForeignKey(
        "registry.Person",
        verbose_name=_("visitor"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    position = models.CharField(_("position that day"), max_length=24, choices=Position.choices)
    visitor_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("visitor's region that day"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    visited_on = models.DateField(_("visited on"))
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    # A household visit's village is the household's: the region the visit is scoped by.
    village = models.ForeignKey(
        "regions.Region", verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=24, choices=Purpose.choices)
    notes = models.TextField(_("notes"), blank=True)
    findings = models.TextField(_("what was found"), blank=True)
    photo = models.FileField(_("photo"), upload_to="visits/%Y/%m/", blank=True)
    # Kept only when the office writes it on purpose: the photo's own location is stripped.
    place = models.CharField(_("place"), max_length=100, blank=True)
    # The browser's key for a form sent again after a network drop: saved once.
    client_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    need = models.ForeignKey(
        "needs.Need",
        verbose_name=_("need raised"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit")  # 走访
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(fields=["village", "visited_on"], name="visit_village_day"),
            models.Index(fields=["visited_on"], name="visit_day"),
            models.Index(fields=["household", "visited_on"], name="visit_household_day"),
            models.Index(fields=["visitor", "visited_on"], name="visit_visitor_day"),
            models.Index(fields=["position", "visited_on"], name="visit_position_day"),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.visitor_id} → {self.household_id or self.village_id}"


class VisitDelivery(models.Model):
    """One line of what a visit delivered: clothing in pieces, grain and oil in jin, cash
    in fen, or something else described."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(_("kind"), max_length=12, choices=DeliveryKind.choices)
    quantity = models.BigIntegerField(_("quantity"))
    description = models.CharField(_("description"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="visit_delivery_positive")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity}"


class CampaignDay(models.Model):
    """A campaign day (扶贫日). A year with none set has 17 October, the national day."""

    day = models.DateField(_("day"), unique=True)
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("campaign day")
        verbose_name_plural = _("campaign days")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


def default_campaign_day(year: int) -> datetime.date:
    return datetime.date(year, *DEFAULT_CAMPAIGN_MONTH_DAY)
