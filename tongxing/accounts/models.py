from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("City assistance office")
    TOWNSHIP_ADMIN = "township_admin", _("Township service station")
    VILLAGE_ADMIN = "village_admin", _("Village information point")
    CADRE = "cadre", _("Assigned cadre")
    ORG_REP = "org_rep", _("Organisation representative")
    DONOR = "donor", _("Caring person")
    HOUSEHOLD = "household", _("Household")
    VIEWER = "viewer", _("Viewer")


# Roles whose scope is a region of the tree (the rest act for themselves or an organisation).
REGION_SCOPED_ROLES = frozenset(
    {Role.CITY_ADMIN, Role.TOWNSHIP_ADMIN, Role.VILLAGE_ADMIN, Role.CADRE, Role.VIEWER}
)
STAFF_ROLES = REGION_SCOPED_ROLES | {Role.ORG_REP}
# Roles that manage accounts within their region.
ACCOUNT_ADMIN_ROLES = frozenset({Role.CITY_ADMIN, Role.TOWNSHIP_ADMIN})
# Roles that register and edit households in their region.
HOUSEHOLD_EDITORS = frozenset({Role.CITY_ADMIN, Role.TOWNSHIP_ADMIN, Role.VILLAGE_ADMIN})
# Roles that may see full ID and phone numbers of their region, on request and audited.
PERSONAL_DATA_READERS = HOUSEHOLD_EDITORS
# Roles that may export every household of their region with full ID and phone numbers
# (with a reason, audited): the offices that answer for a whole township or city, not
# the village information points that see one member's numbers at a time.
FULL_EXPORTERS = frozenset({Role.CITY_ADMIN, Role.TOWNSHIP_ADMIN})
# Roles that keep the directory of organisations and people of their region.
DIRECTORY_EDITORS = frozenset({Role.CITY_ADMIN, Role.TOWNSHIP_ADMIN})
# The needs board. Posting: the household itself, or staff of its village on its behalf.
NEED_POSTERS = frozenset(
    {Role.CITY_ADMIN, Role.TOWNSHIP_ADMIN, Role.VILLAGE_ADMIN, Role.CADRE, Role.HOUSEHOLD}
)
NEED_REVIEWERS = frozenset({Role.CITY_ADMIN, Role.TOWNSHIP_ADMIN})
# Who pledges goods and contributes money: caring people, and organisations through their rep.
PLEDGERS = frozenset({Role.DONOR, Role.ORG_REP})
# Staff who act for a household of their region: confirm receipt (with evidence), thank.
HOUSEHOLD_PROXIES = frozenset(
    {Role.CITY_ADMIN, Role.TOWNSHIP_ADMIN, Role.VILLAGE_ADMIN, Role.CADRE}
)
# Who keeps the review rules (value caps, banned terms) of their region.
RULE_EDITORS = frozenset({Role.CITY_ADMIN})
# Every role: pages any signed-in account may open (its own notifications, its logout).
EVERY_ROLE = frozenset(Role.values)
# Who reads a need's record beyond its public face: staff of its region, and its household.
NEED_READERS = REGION_SCOPED_ROLES | {Role.HOUSEHOLD}
# Who confirms receipt and thanks: the household, or staff for it.
NEED_RECEIVERS = HOUSEHOLD_PROXIES | {Role.HOUSEHOLD}


class TongxingUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # `tongxing createsuperuser` asks for no role: a server administrator works in the
        # Django admin, and the city office's role is the nearest to it.
        extra_fields.setdefault("role", Role.CITY_ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """An account: one role, and for staff the region it may see (a subtree of codes)."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, db_index=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region scope"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    display_name = models.CharField(_("name"), max_length=100, blank=True)

    objects = TongxingUserManager()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def scope_prefix(self) -> str | None:
        """Every code this user may see starts with it; None when the role has no region."""
        if self.role in REGION_SCOPED_ROLES and self.region_id:
            return self.region.prefix
        return None

    def has_role(self, *roles: str) -> bool:
        return self.is_authenticated and self.is_active and self.role in roles


class ApiToken(models.Model):
    """A bearer token for API clients; only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"token {self.pk} of {self.user_id}"


class LoginFailure(models.Model):
    """A failed login, counted per account and per address to slow down guessing."""

    username = models.CharField(max_length=150)
    address = models.GenericIPAddressField(null=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["username", "at"], name="loginfailure_user_at"),
            models.Index(fields=["address", "at"], name="loginfailure_addr_at"),
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.address} at {self.at}"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The audit log is append-only.")

    def delete(self):
        raise TypeError("The audit log is append-only.")


class AuditEvent(models.Model):
    """One change of state: who, when, what, before and after. Append-only."""

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User,
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
