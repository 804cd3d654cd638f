"""The registry: households and their members, organisations, and the people who help.

ID and phone numbers are kept as three columns each: the ciphertext (see personal_data),
the keyed hash that finds them, and the masked form shown to everyone without the right
to see them in full.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class HouseholdStatus(models.TextChoices):
    REGISTERED_POOR = "registered_poor", _("registered in need")  # 建档立卡户 / 困难户
    EXITED = "exited", _("exited")  # 脱贫户
    UNDER_MONITORING = "under_monitoring", _("under monitoring")  # 监测对象
    NOT_POOR = "not_poor", _("not in need")  # 一般户


class HardshipCause(models.TextChoices):
    """The causes of hardship (致贫原因) of the national registration form."""

    ILLNESS = "illness", _("illness")  # 因病
    DISABILITY = "disability", _("disability")  # 因残
    EDUCATION = "education", _("schooling costs")  # 因学
    DISASTER = "disaster", _("disaster")  # 因灾
    LACK_OF_LAND = "lack_of_land", _("lack of land")  # 缺土地
    LACK_OF_WATER = "lack_of_water", _("lack of water")  # 缺水
    LACK_OF_SKILLS = "lack_of_skills", _("lack of skills")  # 缺技术
    LACK_OF_LABOUR = "lack_of_labour", _("lack of labour")  # 缺劳力
    LACK_OF_FUNDS = "lack_of_funds", _("lack of funds")  # 缺资金
    POOR_TRANSPORT = "poor_transport", _("poor transport")  # 交通条件落后
    LACK_OF_DRIVE = "lack_of_drive", _("lack of drive")  # 自身发展动力不足
    OTHER = "other", _("other")  # 其他


class Household(models.Model):
    registry_number = models.CharField(_("registry number"), max_length=32, unique=True)  # 户编号
    village = models.ForeignKey(
        "regions.Region", verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, choices=HouseholdStatus.choices)
    status_since = models.DateField(_("status since"))
    hardship_causes = models.JSONField(_("causes of hardship"), default=list, blank=True)
    disability = models.BooleanField(_("disability"), default=False)
    serious_illness = models.BooleanField(_("serious illness"), default=False)
    left_behind_children = models.BooleanField(_("left-behind children"), default=False)
    elderly_living_alone = models.BooleanField(_("elderly living alone"), default=False)
    # The household's own login, for the few who see and confirm their needs themselves.
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="household",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["registry_number"]
        indexes = [models.Index(fields=["village", "status"], name="household_village_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=HouseholdStatus.values), name="household_status_valid"
            )
        ]

    def __str__(self) -> str:
        return self.registry_number


class HouseholdStatusChange(models.Model):
    """A household's status from a date on: the history that "as of" questions read."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="status_changes"
    )
    status = models.CharField(max_length=20, choices=HouseholdStatus.choices)
    since = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["since", "id"]
        indexes = [models.Index(fields=["household", "since"], name="statuschange_household_since")]

    def __str__(self) -> str:
        return f"{self.household_id} {self.status} since {self.since}"


class Relation(models.TextChoices):
    HEAD = "head", _("head of household")  # 户主
    SPOUSE = "spouse", _("spouse")  # 配偶
    CHILD = "child", _("child")  # 子女
    PARENT = "parent", _("parent")  # 父母
    GRANDCHILD = "grandchild", _("grandchild")  # 孙辈
    SIBLING = "sibling", _("sibling")  # 兄弟姐妹
    OTHER = "other", _("other relative")  # 其他


class Sex(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")


class LabourAbility(models.TextChoices):
    """Labour ability (劳动能力) as the registration form records it."""

    SKILLED = "skilled", _("skilled labour")  # 技能劳动力
    ORDINARY = "ordinary", _("ordinary labour")  # 普通劳动力
    WEAK = "weak", _("weak or half labour")  # 弱劳动力或半劳动力
    LOST = "lost", _("lost labour ability")  # 丧失劳动力
    NONE = "none", _("no labour ability")  # 无劳动力 (children, students)


class ProtectedContact(models.Model):
    """The phone number of a member or a person, protected like an ID number."""

    phone_ciphertext = models.TextField(blank=True, default="")
    phone_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    phone_masked = models.CharField(_("phone"), max_length=11, blank=True, default="")

    class Meta:
        abstract = True


class MemberQuerySet(models.QuerySet):
    def with_id_hash(self, *hashes: str) -> "MemberQuerySet":
        """Return the members with these ID hashes, through the unique index.

        The index is partial (members without an ID number are left out), and SQLite uses
        a partial index only when the query repeats its condition: so the query does.
        """
        return self.filter(id_number_hash__in=hashes).exclude(id_number_hash="").order_by()


class Member(ProtectedContact):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    # db_index: PostgreSQL then also gets the pattern index that prefix searches use.
    name = models.CharField(_("name"), max_length=50, db_index=True)
    relation = models.CharField(_("relation to head"), max_length=12, choices=Relation.choices)
    id_number_ciphertext = models.TextField(blank=True, default="")
    id_number_hash = models.CharField(max_length=64, blank=True, default="")
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True, default="")
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices, blank=True)
    left_behind_child = models.BooleanField(_("left-behind child"), default=False)
    student = models.BooleanField(_("student"), default=False)
    disabled = models.BooleanField(_("disabled"), default=False)
    labour_ability = models.CharField(
        _("labour ability"), max_length=10, choices=LabourAbility.choices, blank=True
    )

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["household", "id"]
        constraints = [
            # One person, one registry entry: the keyed hash of the ID is unique when known.
            models.UniqueConstraint(
                fields=["id_number_hash"], condition=~Q(id_number_hash=""), name="member_id_unique"
            ),
            models.UniqueConstraint(
                fields=["household"], condition=Q(relation="head"), name="member_one_head"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OrganisationKind(models.TextChoices):
    PRIVATE_ENTERPRISE = "private_enterprise", _("private enterprise")  # 民营企业
    COOPERATIVE = "cooperative", _("cooperative")  # 合作社
    ECOMMERCE_COMPANY = "ecommerce_company", _("e-commerce company")  # 电商企业
    GOVERNMENT_DEPARTMENT = "government_department", _("government department")  # 机关单位
    SCHOOL = "school", _("school")  # 学校
    HOSPITAL = "hospital", _("hospital")  # 医院
    SOCIAL_ORGANISATION = "social_organisation", _("social organisation")  # 社会组织
    MEDIA_OUTLET = "media_outlet", _("media outlet")  # 媒体


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=24, choices=OrganisationKind.choices)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="organisation_code_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Position(models.TextChoices):
    CITY_PARTY_SECRETARY = "city_party_secretary", _("city party secretary")  # 市委书记
    TOWNSHIP_PARTY_SECRETARY = "township_party_secretary", _("township party secretary")
    VILLAGE_PARTY_SECRETARY = "village_party_secretary", _("village party secretary")
    FIRST_SECRETARY = "first_secretary", _("first secretary")  # 第一书记
    WORK_TEAM_MEMBER = "work_team_member", _("work-team member")  # 驻村工作队员
    ASSIGNED_CADRE = "assigned_cadre", _("assigned cadre")  # 结对帮扶干部
    VOLUNTEER = "volunteer", _("volunteer")  # 志愿者


class Person(ProtectedContact):
    name = models.CharField(_("name"), max_length=50)
    position = models.CharField(_("position"), max_length=24, choices=Position.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]
        indexes = [models.Index(fields=["region", "position"], name="person_region_position")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_position_display()})"


class HelperAssignment(models.Model):
    """A person assigned to help a household (帮扶责任人), from a date, until a date."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="assignments")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="assignments")
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("assigned helper")
        verbose_name_plural = _("assigned helpers")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "household"],
                condition=Q(until__isnull=True),
                name="assignment_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.household_id}"
