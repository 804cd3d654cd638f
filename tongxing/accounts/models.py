from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongxing.access import Role


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
    # When a donor first gave: the earliest of its pledges still standing (not withdrawn,
    # returned or moved). The needs actions keep it as pledges start and end, so that the
    # platform's "donors who gave by then" reads one column of the accounts instead of
    # every pledge behind two million accounts.
    first_gave_at = models.DateTimeField(_("first gave at"), null=True, blank=True, editable=False)

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
