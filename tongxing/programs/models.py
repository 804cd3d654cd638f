"""Pairing programmes (帮扶项目): who helps whom, with what money, and what was exchanged.

A programme (百企联百村, 对口帮扶, 定点帮扶, 教育结对, 劳务协作) is run by an office for its
region and has targets: villages (picked by tag or by hand), a county, schools, or partner
regions. A pairing (结对) links a helper organisation to a target for a period; it is never
edited into another one: ending it sets its last day, and changing it ends it and opens a
new one, so the history of who helped whom stays as it was. Pledges (意向) and
disbursements (落实) are recorded against a pairing; exchanges of people and labour
activities are records of the programme. What an organisation's representative records of
these waits for the office's review and counts only once accepted.

Every record carries `region_code`, the 12-digit code by which it is scoped and counted:
its target's region when that lies inside the programme's region, else (a paired county
or a partner region elsewhere in the country) the programme's own region, the office that
runs it and answers for its records.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ENTERPRISE_VILLAGE = "enterprise_village", _("enterprise–village pairing")  # 百企联百村
    PAIRED_COUNTY = "paired_county", _("paired county")  # 对口帮扶
    DESIGNATED_UNIT = "designated_unit", _("designated assistance by units")  # 定点帮扶
    SCHOOL_PAIRING = "school_pairing", _("school pairing")  # 教育结对
    LABOUR_COOPERATION = "labour_cooperation", _("labour cooperation")  # 劳务协作


class Review(models.TextChoices):
    """What an organisation's rep records (a pledge, a disbursement, an exchange, a labour
    activity) waits for the office."""

    PENDING = "pending", _("waiting for review")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")


class Programme(models.Model):
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    # The region of the office that runs it.
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("programme")  # 帮扶项目
        verbose_name_plural = _("programmes")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="programme_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ProgrammeTarget(models.Model):
    """A village, a county, a partner region, or a school (an organisation) the programme
    helps."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="targets")
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("school"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region_code = models.CharField(max_length=12, db_index=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["region_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "region"],
                condition=Q(organisation__isnull=True),
                name="target_region_once",
            ),
            models.UniqueConstraint(
                fields=["programme", "organisation"],
                condition=Q(organisation__isnull=False),
                name="target_organisation_once",
            ),
        ]

    def __str__(self) -> str:
        if self.organisation_id:
            return str(self.organisation)
        return self.region.name


class Pairing(models.Model):
    """A helper organisation paired with a target from `since` through `until`, its last
    day (open while `until` is empty)."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="pairings")
    target = models.ForeignKey(ProgrammeTarget, on_delete=models.PROTECT, related_name="pairings")
    helper = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("helper"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    # The pairing this one replaced (a change of helper or target keeps the chain).
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    region_code = models.CharField(max_length=12, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pairing")  # 结对
        verbose_name_plural = _("pairings")
        ordering = ["since", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="pairing_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.helper} → {self.target}"

    def active_on(self, day) -> bool:
        return self.since <= day and (self.until is None or self.until >= day)


class Reviewed(models.Model):
    """What an organisation's rep records waits for the office of the target's region."""

    status = models.CharField(
        _("review"), max_length=10, choices=Review.choices, default=Review.ACCEPTED
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=200, blank=True)
    region_code = models.CharField(max_length=12, db_index=True)

    class Meta:
        abstract = True


class PairingPledge(Reviewed):
    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, related_name="pledges")
    amount_fen = models.BigIntegerField(_("amount"))  # 帮扶意向金额
    purpose = models.CharField(_("purpose"), max_length=200)
    pledged_on = models.DateField(_("date"))

    class Meta:
        verbose_name = _("pledge")  # 帮扶意向
        verbose_name_plural = _("pledges")
        ordering = ["pledged_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="pairing_pledge_positive")
        ]

    def __str__(self) -> str:
        return f"{self.purpose} ({self.amount_fen / 100:,.2f})"


class DisbursementKind(models.TextChoices):
    FUNDS = "funds", _("funds")  # 资金
    MATERIALS = "materials", _("materials")  # 物资


class Disbursement(Reviewed):
    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, related_name="disbursements")
    kind = models.CharField(_("kind"), max_length=10, choices=DisbursementKind.choices)
    # Funds: the amount; materials: their value.
    amount_fen = models.BigIntegerField(_("amount or value"))  # 落实资金 / 物资价值
    description = models.CharField(_("description"), max_length=200, blank=True)
    disbursed_on = models.DateField(_("date"))
    exceeds_pledge = models.BooleanField(_("exceeds the pledge"), default=False)
    excess_reason = models.CharField(_("reason for the excess"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("disbursement")  # 落实
        verbose_name_plural = _("disbursements")
        ordering = ["disbursed_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="disbursement_positive"),
            models.CheckConstraint(
                condition=Q(exceeds_pledge=False) | ~Q(excess_reason=""),
                name="disbursement_excess_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_fen / 100:,.2f}"


class DisbursementEvidence(models.Model):
    """A photo of a receipt or a handover; stored re-encoded, without its metadata."""

    disbursement = models.ForeignKey(
        Disbursement, on_delete=models.CASCADE, related_name="evidence"
    )
    photo = models.FileField(_("photo"), upload_to="programs/evidence/%Y/%m/")

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.photo.name


class Direction(models.TextChoices):
    TO_TARGET = "to_target", _("from the helper to the target")
    TO_HELPER = "to_helper", _("from the target to the helper")


class Exchange(Reviewed):
    """People (teachers, staff) sent between a paired school or unit and its target."""

    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, related_name="exchanges")
    people = models.PositiveIntegerField(_("people"))
    exchanged_on = models.DateField(_("date"))
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("exchange")
        verbose_name_plural = _("exchanges")
        ordering = ["exchanged_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(people__gt=0), name="exchange_people_positive")
        ]

    def __str__(self) -> str:
        return f"{self.people} ({self.exchanged_on})"


class LabourKind(models.TextChoices):
    JOB_FAIR = "job_fair", _("job fair")  # 招聘会
    PLACEMENT = "placement", _("placement")  # 转移就业


class LabourActivity(Reviewed):
    """A job fair or a placement with a partner region of a labour-cooperation programme.

    The office records it for the partner region; a helper organisation's representative
    records it for its own pairing with that region (`pairing`), and it waits for review.
    """

    target = models.ForeignKey(
        ProgrammeTarget,
        verbose_name=_("partner region"),
        on_delete=models.PROTECT,
        related_name="labour_activities",
    )
    # The pairing of the organisation whose representative recorded it; empty for the
    # office's own records, which belong to no one helper.
    pairing = models.ForeignKey(
        Pairing,
        verbose_name=_("pairing"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="labour_activities",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=LabourKind.choices)
    held_on = models.DateField(_("date"))
    people_placed = models.PositiveIntegerField(_("people placed"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("labour activity")
        verbose_name_plural = _("labour activities")
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.held_on})"
