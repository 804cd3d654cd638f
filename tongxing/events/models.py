"""Events, exemplars, publicity and policies (product.md, Module 5; the e-commerce
service centre of Module 4).

One `Event` model serves every kind (a training, a free clinic, a fair, a contest …); its
sites, organisations, attendance, income gains and prizes hang off it. A fair's sales are
kept by the commerce app, which points at the Event. Exemplars are award categories of a
year with their nominations, and the stories of a campaign. Publicity items and the policy
library with its yearly compendium close the module.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# --- Events ---------------------------------------------------------------------------------


class EventKind(models.TextChoices):
    TRAINING = "training", _("training")  # 培训
    FREE_CLINIC = "free_clinic", _("free clinic")  # 义诊
    FAIR = "fair", _("fair")  # 展销会、消费帮扶节
    CONTEST = "contest", _("contest")  # 大赛
    LECTURE = "lecture", _("lecture")  # 宣讲
    CAMPAIGN_DAY = "campaign_day", _("campaign day")  # 扶贫日
    OTHER = "other", _("other")


class Topic(models.TextChoices):
    ECOMMERCE = "ecommerce", _("e-commerce")  # 电商
    HEALTH = "health", _("health")
    AGRICULTURE = "agriculture", _("agriculture")
    EMPLOYMENT = "employment", _("employment")
    POLICY = "policy", _("policy")
    CULTURE = "culture", _("culture")
    OTHER = "other", _("other")


class Event(models.Model):
    """An event of any kind, belonging to the region of the office (or organisation) that
    holds it. Its outcomes are recorded as they become known; an empty count is unknown."""

    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200)
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    # Attendees from registered households: counted from the attendance list when one is
    # kept (`attendance_listed`, kept up to date by the actions that change the list),
    # otherwise the count the organisers give.
    attendance_listed = models.BooleanField(_("attendance list kept"), default=False)
    registered_attendees = models.PositiveIntegerField(
        _("attendees from registered households"), null=True, blank=True
    )
    viewers = models.PositiveIntegerField(_("live-stream viewers"), null=True, blank=True)
    orders = models.PositiveIntegerField(_("live-stream orders"), null=True, blank=True)
    people_served = models.PositiveIntegerField(_("people served"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["kind", "starts_on"], name="event_kind_starts")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="event_kind_valid"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="event_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EventSite(models.Model):
    """A place the event was held: a region (village committee, square, industrial park)
    and an address."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sites")
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("event site")
        verbose_name_plural = _("event sites")
        ordering = ["event", "id"]

    def __str__(self) -> str:
        return self.address or str(self.region_id)


class OrganisationRole(models.TextChoices):
    ORGANISER = "organiser", _("organiser")  # 主办、承办
    PARTICIPANT = "participant", _("participating institution")  # 参与单位


class EventOrganisation(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="organisations")
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    role = models.CharField(_("role"), max_length=12, choices=OrganisationRole.choices)

    class Meta:
        verbose_name = _("event organisation")
        verbose_name_plural = _("event organisations")
        ordering = ["event", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "organisation"], name="event_org_once")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} ({self.role})"


class Attendance(models.Model):
    """A registry member who attended the event (the attendance list)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(
        "registry.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["event", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "member"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.member_id}"


class IncomeGain(models.Model):
    """Income gained after the event, recorded later: by one attending household, or in
    total for the event (no household)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="income_gains")
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    amount_fen = models.PositiveBigIntegerField(_("amount"))
    recorded_on = models.DateField(_("date"))

    class Meta:
        verbose_name = _("income gain")
        verbose_name_plural = _("income gains")
        ordering = ["event", "recorded_on", "id"]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.amount_fen}"


class Prize(models.Model):
    """A contest's prize and its winner: a person, a member or an organisation."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="prizes")
    prize = models.CharField(_("prize"), max_length=100)
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        "registry.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "registry.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("prize")
        verbose_name_plural = _("prizes")
        ordering = ["event", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(person__isnull=False, member__isnull=True, organisation__isnull=True)
                    | Q(person__isnull=True, member__isnull=False, organisation__isnull=True)
                    | Q(person__isnull=True, member__isnull=True, organisation__isnull=False)
                ),
                name="prize_one_winner",
            )
        ]

    def __str__(self) -> str:
        return self.prize

    @property
    def winner(self):
        return self.person or self.member or self.organisation


class ServiceCentre(models.Model):
    """The e-commerce public service centre (电商公共服务中心) of a region."""

    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("e-commerce service centre")
        verbose_name_plural = _("e-commerce service centres")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Residency(models.Model):
    """An e-commerce company resident in the centre from a date (through `until`, its last
    day), with the people it registered there."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="residents")
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    people = models.PositiveIntegerField(_("people registered"), default=0)

    class Meta:
        verbose_name = _("resident company")
        verbose_name_plural = _("resident companies")
        ordering = ["centre", "since", "id"]

    def __str__(self) -> str:
        return f"{self.organisation_id} since {self.since}"


# --- Exemplars ------------------------------------------------------------------------------


class NomineeKind(models.TextChoices):
    HOUSEHOLD = "household", _("household")
    PERSON = "person", _("person")
    DEPARTMENT = "department", _("department")
    ENTERPRISE = "enterprise", _("enterprise")


# The five award categories of the reference report: their stable keys, names and nominees.
DEFAULT_CATEGORIES = (
    ("hardworking_household", _("Hardworking household out of poverty"), NomineeKind.HOUSEHOLD),
    ("village_team_member", _("Outstanding village work-team member"), NomineeKind.PERSON),
    ("pairing_cadre", _("Outstanding pairing cadre"), NomineeKind.PERSON),
    ("city_department", _("Outstanding city department in assistance"), NomineeKind.DEPARTMENT),
    ("market_entity", _("Outstanding market entity in assistance"), NomineeKind.ENTERPRISE),
)
DEFAULT_KEYS = tuple(key for key, _name, _kind in DEFAULT_CATEGORIES)


class AwardCategory(models.Model):
    year = models.PositiveSmallIntegerField(_("year"))
    key = models.SlugField(_("key"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    takes = models.CharField(_("nominees"), max_length=12, choices=NomineeKind.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("award category")
        verbose_name_plural = _("award categories")
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "key"], name="award_category_once")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"


class NominationStatus(models.TextChoices):
    NOMINATED = "nominated", _("nominated")
    SELECTED = "selected", _("selected")
    NOT_SELECTED = "not_selected", _("not selected")


class Nomination(models.Model):
    """A nominee for a category: a household, a person, or an organisation (a department or
    an enterprise), as the category takes; in the nominee's region."""

    category = models.ForeignKey(
        AwardCategory, on_delete=models.PROTECT, related_name="nominations"
    )
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "registry.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=NominationStatus.choices,
        default=NominationStatus.NOMINATED,
    )
    decision_reason = models.TextField(_("reason of the decision"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    nominated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["category", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=NominationStatus.values), name="nomination_status_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category_id}: {self.nominee}"

    @property
    def nominee(self):
        return self.household or self.person or self.organisation


class ReviewStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")


class StorySubmission(models.Model):
    """A story sent to a campaign (最美帮扶人 …): public once accepted, so checked for
    personal data as the board's text is."""

    campaign = models.CharField(_("campaign"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    author = models.CharField(_("author"), max_length=50)
    text = models.TextField(_("text"))
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_on = models.DateField(_("submitted on"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.SUBMITTED
    )
    review_reason = models.TextField(_("review reason"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        ordering = ["-submitted_on", "-id"]

    def __str__(self) -> str:
        return self.title


# --- Publicity and policies -----------------------------------------------------------------


class OutletLevel(models.TextChoices):
    NATIONAL = "national", _("national")
    PROVINCIAL = "provincial", _("provincial")
    CITY = "city", _("city")
    COUNTY = "county", _("county")


# The outlets of city level and above (市级及以上媒体), which indicators.md §1 counts.
CITY_OR_ABOVE = (OutletLevel.NATIONAL, OutletLevel.PROVINCIAL, OutletLevel.CITY)


class PublicityItem(models.Model):
    title = models.CharField(_("title"), max_length=200)
    outlet = models.CharField(_("outlet"), max_length=100)
    outlet_level = models.CharField(_("outlet level"), max_length=10, choices=OutletLevel.choices)
    published_on = models.DateField(_("date"))
    link = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(_("file"), upload_to="publicity/", blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("publicity item")
        verbose_name_plural = _("publicity items")
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return self.title


class PolicyCategory(models.TextChoices):
    SOCIAL_SECURITY = "social_security", _("social security")  # 兜底保障
    HEALTH = "health", _("health")
    ELDERLY_CARE = "elderly_care", _("elderly care")
    INFORMATION = "information", _("information")
    INDUSTRY = "industry", _("industry")
    EDUCATION = "education", _("education")
    OTHER = "other", _("other")


class PolicyCompendium(models.Model):
    """The yearly compendium of policies (政策选编), published on a date."""

    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("policy compendium")
        verbose_name_plural = _("policy compendia")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="compendium_once_a_year")
        ]

    def __str__(self) -> str:
        return self.title or str(self.year)


class PolicyDocument(models.Model):
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=16, choices=PolicyCategory.choices)
    issuing_body = models.CharField(_("issuing body"), max_length=100)
    in_force_from = models.DateField(_("in force from"))
    in_force_until = models.DateField(_("in force until"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="policies/", blank=True)
    compendium = models.ForeignKey(
        PolicyCompendium,
        verbose_name=_("compendium"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("policy document")
        verbose_name_plural = _("policy documents")
        ordering = ["category", "-in_force_from", "id"]

    def __str__(self) -> str:
        return self.title
