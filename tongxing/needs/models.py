"""The needs board: what households lack, and the pledges that answer it.

A need's review status (draft → submitted → published → closed, or rejected, cancelled,
expired) is set by the actions. Its progress is not a status anybody sets: `pledged`,
`delivered` and `confirmed` are the sums of its pledge lines in each state (`reserved`, of
its contributions still being paid), kept by the same statements that change the lines
(see actions/pledges.py), and bounded by CHECK constraints so that no interleaving of requests can
store a need pledged beyond its target.

Quantities are counted in the need's own unit: pieces for goods, places for services, the
one wish of a child, and fen for a funding need.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def stamp():
    """The moment a record is made, unless its maker gives one (a recorded history does).

    `timezone.now` is looked up at each call, so the demo's clock reaches it too.
    """
    return timezone.now()


class Kind(models.TextChoices):
    GOODS = "goods", _("goods")  # 物品需求
    FUNDS = "funds", _("funds")  # 资金需求（众筹）
    SERVICE = "service", _("service")  # 服务需求
    WISH = "wish", _("micro-wish")  # 微心愿


class Category(models.TextChoices):
    # Goods (物品)
    CLOTHING = "clothing", _("clothing and bedding")  # 衣物被褥
    FOOD = "food", _("grain, oil and food")  # 粮油食品
    APPLIANCE = "appliance", _("household appliances")  # 家用电器
    FURNITURE = "furniture", _("furniture")  # 家具
    DAILY = "daily", _("daily necessities")  # 生活用品
    FARMING = "farming", _("farm inputs and tools")  # 农资农具
    MEDICAL_AID = "medical_aid", _("medical aids")  # 医疗用品、辅具
    # Funds (资金)
    MEDICAL_BILLS = "medical_bills", _("medical bills")  # 医疗费用
    SCHOOLING = "schooling", _("education costs")  # 教育费用
    HOUSING = "housing", _("housing repair")  # 住房改造
    PRODUCTION = "production", _("starting production")  # 发展生产
    DISASTER = "disaster", _("disaster recovery")  # 灾后重建
    # Services (服务)
    JOB = "job", _("a job")  # 就业岗位
    TRAINING = "training", _("skills training")  # 技能培训
    MEDICAL_HELP = "medical_help", _("medical help")  # 医疗救助
    TUTORING = "tutoring", _("tutoring")  # 助学辅导
    # Micro-wishes (微心愿)
    STUDY = "study", _("study supplies")  # 学习用品
    BOOKS = "books", _("books")  # 图书
    SPORTS = "sports", _("sports and toys")  # 文体用品
    SHOES_CLOTHES = "shoes_clothes", _("shoes and clothes")  # 衣物鞋帽
    # Any kind
    OTHER = "other", _("other")  # 其他


CATEGORIES_BY_KIND = {
    Kind.GOODS: (
        Category.CLOTHING,
        Category.FOOD,
        Category.APPLIANCE,
        Category.FURNITURE,
        Category.DAILY,
        Category.FARMING,
        Category.MEDICAL_AID,
        Category.OTHER,
    ),
    Kind.FUNDS: (
        Category.MEDICAL_BILLS,
        Category.SCHOOLING,
        Category.HOUSING,
        Category.PRODUCTION,
        Category.DISASTER,
        Category.OTHER,
    ),
    Kind.SERVICE: (
        Category.JOB,
        Category.TRAINING,
        Category.MEDICAL_HELP,
        Category.TUTORING,
        Category.OTHER,
    ),
    Kind.WISH: (
        Category.STUDY,
        Category.BOOKS,
        Category.SPORTS,
        Category.SHOES_CLOTHES,
        Category.OTHER,
    ),
}


class Urgency(models.IntegerChoices):
    NORMAL = 1, _("normal")  # 一般
    URGENT = 2, _("urgent")  # 较急
    VERY_URGENT = 3, _("very urgent")  # 紧急


class FundingPolicy(models.TextChoices):
    # Money is released only if the target is met by the deadline; otherwise returned.
    ALL_OR_NOTHING = "all_or_nothing", _("all or nothing")
    KEEP_WHAT_IS_RAISED = "keep", _("keep what is raised")


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")  # 草稿
    SUBMITTED = "submitted", _("waiting for review")  # 待审核
    PUBLISHED = "published", _("published")  # 已发布
    REJECTED = "rejected", _("rejected")  # 未通过
    EXPIRED = "expired", _("expired")  # 已过期
    CLOSED = "closed", _("closed")  # 已完成
    CANCELLED = "cancelled", _("cancelled")  # 已撤销


# Statuses a need can still be cancelled in, and those in which it counts as "open" for
# the rule of one open need per household and category.
CANCELLABLE = (Status.DRAFT, Status.SUBMITTED, Status.PUBLISHED, Status.REJECTED, Status.EXPIRED)
OPEN = (Status.DRAFT, Status.SUBMITTED, Status.PUBLISHED)


class Progress(models.TextChoices):
    NONE = "none", _("none")
    PARTIAL = "partial", _("partial")
    COMPLETE = "complete", _("complete")


class QuickLabels:
    """Show choice labels (`get_<field>_display`) without Django's cost per call.

    Django rebuilds a hashable dict of every choice of the field at each call; a board page
    of 20 needs makes a hundred such calls, and they were a third of its time.
    """

    _labels: dict = {}

    def _get_FIELD_display(self, field):
        labels = QuickLabels._labels.get(field)
        if labels is None:
            labels = QuickLabels._labels[field] = dict(field.flatchoices)
        value = getattr(self, field.attname)
        return force_str(labels.get(value, value), strings_only=True)


class Thousandths(models.Func):
    """a * 1000 / b, in integers, with the 1000 written into the SQL: as a parameter it
    would keep the database from matching the expression to an index built on it."""

    arg_joiner = " * 1000 / "
    template = "(%(expressions)s)"
    output_field = models.BigIntegerField()


# How far a need is pledged, in thousandths.
PROGRESS = Thousandths(F("pledged"), F("target"))


class Need(QuickLabels, models.Model):
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    title = models.CharField(_("what is needed"), max_length=100)
    story = models.TextField(_("story"), max_length=2000, blank=True)
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="needs",
    )
    # The village the need belongs to: the household's, or the village's own for a
    # collective need. Every region filter is a prefix of this code.
    village = models.ForeignKey(
        "regions.Region", verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    child = models.ForeignKey(
        "registry.Member",
        verbose_name=_("child"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="wishes",
    )
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    unit_value_fen = models.BigIntegerField(_("estimated value of one"), default=0)
    place = models.CharField(_("where"), max_length=100, blank=True)
    urgency = models.PositiveSmallIntegerField(
        _("urgency"), choices=Urgency.choices, default=Urgency.NORMAL
    )
    deadline = models.DateField(_("deadline"))
    funding_policy = models.CharField(
        _("funding policy"), max_length=16, choices=FundingPolicy.choices, blank=True
    )
    # What "complete" means, in the need's unit (pieces, places, 1 wish, or fen).
    target = models.BigIntegerField(_("quantity needed"))
    # The estimated value of the whole need, in fen (the review's value cap reads it).
    value_fen = models.BigIntegerField(_("estimated value"), default=0)
    # Progress: sums of the pledge lines, kept by the actions (see the module docstring).
    pledged = models.BigIntegerField(_("pledged"), default=0)
    # Money reserved by contributions whose payment is still being collected: it counts
    # against the target (no one else can take it) but not as pledged, for none of it is
    # given yet. Collected, it moves to `pledged`; failed, it is taken off.
    reserved = models.BigIntegerField(_("being paid"), default=0)
    delivered = models.BigIntegerField(_("delivered"), default=0)
    confirmed = models.BigIntegerField(_("confirmed"), default=0)

    status = models.CharField(
        pgettext_lazy("need", "status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    # What the review rules found at submission, and why a reviewer published it anyway.
    rule_findings = models.JSONField(_("rule findings"), default=list, blank=True)
    override_reason = models.CharField(_("override reason"), max_length=300, blank=True)
    # The board's name for the household: surname and stars (张**), never more.
    public_name = models.CharField(_("public name"), max_length=20, blank=True)

    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    on_behalf = models.BooleanField(_("posted on the household's behalf"), default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    escalated_to = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("escalated to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    created_at = models.DateTimeField(_("created"), default=stamp, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    matched_at = models.DateTimeField(_("matched"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    expired_at = models.DateTimeField(_("expired"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    expiry_warned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "village"], name="need_status_village"),
            models.Index(fields=["status", "deadline"], name="need_status_deadline"),
            # The board's default order, its open needs read straight from the index (no
            # sort of every published need before keeping twenty). Partial, as the next:
            # the planner prefers an index that holds just the rows of the WHERE.
            models.Index(
                fields=["status", "-urgency", "deadline", "id"],
                name="need_open_urgency",
                condition=Q(pledged__lt=F("target")),
            ),
            # The board sorted by progress: its open needs, most nearly complete first.
            models.Index(
                F("status"),
                PROGRESS.desc(),
                F("deadline"),
                F("id"),
                name="need_open_progress",
                condition=Q(pledged__lt=F("target")),
            ),
            models.Index(fields=["household", "category", "status"], name="need_household_open"),
            # The board by kind: with kind and status both equal the planner reads just
            # the needs on the board, however many of that kind the year has closed.
            models.Index(fields=["kind", "status"], name="need_kind_status"),
            models.Index(fields=["kind", "published_at"], name="need_kind_published"),
            # The micro-wish figures of a region: its wishes, not all its needs.
            models.Index(fields=["kind", "village"], name="need_kind_village"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="need_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="need_status_valid"),
            models.CheckConstraint(condition=Q(target__gt=0), name="need_target_positive"),
            # The guarantee behind "never beyond what is needed": whatever the code does,
            # the database refuses a need pledged (and reserved) beyond its target.
            models.CheckConstraint(
                condition=Q(
                    pledged__gte=0, reserved__gte=0, pledged__lte=F("target") - F("reserved")
                ),
                name="need_pledged_within_target",
            ),
            models.CheckConstraint(
                condition=Q(delivered__gte=0, delivered__lte=F("pledged")),
                name="need_delivered_within_pledged",
            ),
            models.CheckConstraint(
                condition=Q(confirmed__gte=0, confirmed__lte=F("delivered")),
                name="need_confirmed_within_delivered",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def remaining(self) -> int:
        return self.target - self.pledged

    @property
    def is_money(self) -> bool:
        return self.kind == Kind.FUNDS

    @staticmethod
    def progress_of(amount: int, target: int) -> str:
        if amount <= 0:
            return Progress.NONE
        return Progress.COMPLETE if amount >= target else Progress.PARTIAL

    @property
    def pledged_progress(self) -> str:
        return self.progress_of(self.pledged, self.target)

    @property
    def delivered_progress(self) -> str:
        return self.progress_of(self.delivered, self.target)

    @property
    def confirmed_progress(self) -> str:
        return self.progress_of(self.confirmed, self.target)

    @property
    def past_deadline(self) -> bool:
        """Its deadline has passed: closed to pledges, whether or not the sweep has run."""
        return self.deadline < timezone.localdate()

    @property
    def open_for_pledges(self) -> bool:
        """On the board, still lacking something, and before its deadline: donors may
        pledge to it."""
        return (
            self.status == Status.PUBLISHED
            and self.pledged < self.target
            and not self.past_deadline
        )

    @property
    def is_matched(self) -> bool:
        """对接: fully pledged."""
        return self.pledged >= self.target

    @property
    def percent_pledged(self) -> int:
        return min(100, self.pledged * 100 // self.target) if self.target else 0


class PledgeStatus(models.TextChoices):
    # A contribution whose amount is held on the need while the provider collects the
    # money: it counts nowhere until collected (then it is pledged).
    RESERVED = "reserved", _("payment in progress")  # 付款中
    PLEDGED = "pledged", _("pledged")  # 已认领 / 已捐助
    DELIVERED = "delivered", _("delivered")  # 已送达
    CONFIRMED = "confirmed", _("confirmed")  # 已确认收到
    WITHDRAWN = "withdrawn", _("withdrawn")  # 已撤回
    RETURNED = "returned", _("returned")  # 已退回
    MOVED = "moved", _("moved to another need")  # 已转捐


# The statuses whose quantity counts in the need's `pledged`.
ACTIVE_PLEDGE = (PledgeStatus.PLEDGED, PledgeStatus.DELIVERED, PledgeStatus.CONFIRMED)


class Pledge(QuickLabels, models.Model):
    """A donor's promise against a need: goods to deliver, or money (a contribution)."""

    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="pledges")
    donor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("donor"),
        on_delete=models.PROTECT,
        related_name="pledges",
    )
    # Set when an organisation's representative pledges: the figures count the organisation.
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pledges",
    )
    quantity = models.BigIntegerField(_("quantity"))
    value_fen = models.BigIntegerField(_("value"), default=0)
    status = models.CharField(
        pgettext_lazy("need", "status"),
        max_length=10,
        choices=PledgeStatus.choices,
        default=PledgeStatus.PLEDGED,
    )
    deliver_by = models.DateField(_("deliver by"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # Money: how it was paid (an offline transfer in this version) and its reference.
    payment_method = models.CharField(_("payment method"), max_length=20, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=64, blank=True)
    # The donor agrees that, should an all-or-nothing need fail, the money goes to another.
    consent_to_move = models.BooleanField(_("may be moved to another need"), default=False)
    moved_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="moved_from"
    )

    created_at = models.DateTimeField(_("pledged at"), default=stamp, editable=False, db_index=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_on_behalf = models.BooleanField(default=False)
    confirmation_note = models.CharField(_("confirmation note"), max_length=300, blank=True)
    evidence = models.FileField(_("photo"), upload_to="evidence/%Y/%m/", blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(_("reason"), max_length=300, blank=True)
    # A returned contribution: when the provider paid it back. Empty while the refund is
    # pending (it is made once the return commits, and retried daily if the provider fails).
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["need", "status"], name="pledge_need_status"),
            models.Index(fields=["donor", "created_at"], name="pledge_donor_created"),
            # The refunds still to make, for the daily retry: a handful among every line.
            models.Index(
                fields=["ended_at"],
                name="pledge_refund_pending",
                condition=Q(status="returned", refunded_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="pledge_quantity_positive"),
            models.CheckConstraint(
                condition=Q(status__in=PledgeStatus.values), name="pledge_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"pledge {self.pk} on need {self.need_id}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_PLEDGE

    @property
    def refund_pending(self) -> bool:
        return self.status == PledgeStatus.RETURNED and self.refunded_at is None


class Feedback(models.Model):
    """The household's thanks and rating for a pledge it received (评价)."""

    pledge = models.OneToOneField(Pledge, on_delete=models.PROTECT, related_name="feedback")
    rating = models.PositiveSmallIntegerField(_("rating"))
    thanks = models.CharField(_("thanks"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on_behalf = models.BooleanField(default=False)
    at = models.DateTimeField(default=stamp, editable=False)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"feedback on pledge {self.pledge_id}"


class IdempotentRequest(models.Model):
    """A request already carried out (money, a pledge, a posted need), and what it made
    (Stripe's design).

    The row is written in the same transaction as the record it guards (a contribution's:
    its reservation), and the pair (user, key) is unique: a retry, even one racing the
    first request, either finds the row or fails to insert its own and rolls back
    everything it did.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    operation = models.CharField(max_length=40)
    request_digest = models.CharField(max_length=64)
    # What the first request made: a pledge, or (posting a need) the need.
    pledge = models.ForeignKey(Pledge, null=True, on_delete=models.CASCADE, related_name="+")
    need = models.ForeignKey(Need, null=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # A contribution: when a request began collecting its money (a lease, for
    # `COLLECT_LEASE` in actions/pledges.py). A retry waits while it is fresh, so that one request
    # at a time calls the provider; empty once a request failed without knowing the outcome.
    locked_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotent_request_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class ValueCap(models.Model):
    """A review rule: needs of a category in a region above this value are flagged."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    cap_fen = models.BigIntegerField(_("value cap"))

    class Meta:
        verbose_name = _("value cap")
        verbose_name_plural = _("value caps")
        ordering = ["region", "category"]
        constraints = [
            models.UniqueConstraint(fields=["region", "category"], name="valuecap_unique"),
            models.CheckConstraint(condition=Q(cap_fen__gt=0), name="valuecap_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.category} ≤ {self.cap_fen} fen in {self.region_id}"


class BannedTerm(models.Model):
    """A review rule: needs whose text contains this term (a brand, a luxury) are flagged."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    term = models.CharField(_("term"), max_length=40)
    note = models.CharField(_("why"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("banned term")
        verbose_name_plural = _("banned terms")
        ordering = ["region", "term"]
        constraints = [models.UniqueConstraint(fields=["region", "term"], name="bannedterm_unique")]

    def __str__(self) -> str:
        return self.term
