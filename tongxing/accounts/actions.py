"""Changes to accounts. Each action is one transaction and writes the audit log."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxing import public_cache
from tongxing.access import REGION_SCOPED_ROLES, Role
from tongxing.accounts import rights
from tongxing.accounts.models import ApiToken, LoginFailure, User
from tongxing.audit.log import record, record_many, record_update, snapshot
from tongxing.regions.codes import Level
from tongxing.regions.models import Region
from tongxing.text import clean_text

USER_FIELDS = ("username", "role", "region", "display_name", "email", "is_active")


def clean_account_text(
    *, username: str, display_name: str, email: str, errors: dict[str, list[str]]
) -> dict[str, str]:
    """Clean the text of an account (the one text cleaner: no control or invisible
    characters, no silent cuts), adding each field's fault to `errors`."""
    values = {
        "username": clean_text(username, max_length=150, field="username", errors=errors),
        "display_name": clean_text(
            display_name, max_length=100, field="display_name", errors=errors
        ),
        "email": clean_text(email, max_length=254, field="email", errors=errors),
    }
    if values["email"] and "email" not in errors:
        try:
            validate_email(values["email"])
        except ValidationError as exc:
            errors["email"] = list(exc.messages)
    return values


def check_new_account(
    *,
    username: str,
    role: str,
    region: Region | None,
    password: str | None,
    display_name: str,
    email: str = "",
) -> None:
    """Raise a ValidationError naming every field of a new account that is not right."""
    errors: dict[str, list[str]] = {}
    text = clean_account_text(
        username=username, display_name=display_name, email=email, errors=errors
    )
    username = text["username"]
    probe = User(username=username, role=role, region=region, display_name=text["display_name"])
    try:
        probe.clean_fields(
            exclude=["password", "region", "last_login", "date_joined", "email", *errors]
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if "username" not in errors and User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This username is taken.")]
    if role in REGION_SCOPED_ROLES:
        if region is None:
            errors["region"] = [_("This role needs a region.")]
        elif not rights.may_scope(role, region.level):
            errors["region"] = [
                _("A %(role)s cannot be scoped to a %(level)s.")
                % {"role": Role(role).label, "level": Level(region.level).label}
            ]
    if password:
        try:
            validate_password(password, probe)
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)


def create_user(
    *,
    username: str,
    role: str,
    region: Region | None = None,
    password: str | None = None,
    display_name: str = "",
    email: str = "",
    by: User | None,
) -> User:
    """Create an account; without a password it cannot log in until one is set."""
    rights.require_grant(by, role, region)
    check_new_account(
        username=username,
        role=role,
        region=region,
        password=password,
        display_name=display_name,
        email=email,
    )
    text = clean_account_text(username=username, display_name=display_name, email=email, errors={})
    with transaction.atomic():
        user = User(
            username=text["username"],
            role=role,
            region=region if role in REGION_SCOPED_ROLES else None,
            display_name=text["display_name"],
            email=text["email"],
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        record(
            actor=by,
            action="account.create",
            target=user,
            region_code=user.region_id or "",
            after=snapshot(user, USER_FIELDS),
        )
    return user


def register_donor(
    *, username: str, password: str, display_name: str = "", email: str = ""
) -> User:
    """Self-registration of a caring person: the public's own account."""
    check_new_account(
        username=username,
        role=Role.DONOR,
        region=None,
        password=password,
        display_name=display_name,
        email=email,
    )
    if not password:
        raise ValidationError({"password": [_("Choose a password.")]})
    text = clean_account_text(username=username, display_name=display_name, email=email, errors={})
    with transaction.atomic():
        public_cache.bump("board")  # the home page counts the caring people signed up
        user = User(
            username=text["username"],
            role=Role.DONOR,
            display_name=text["display_name"],
            email=text["email"],
        )
        user.set_password(password)
        user.save()
        record(
            actor=user, action="account.register", target=user, after=snapshot(user, USER_FIELDS)
        )
    return user


@dataclass
class DonorRow:
    username: str
    display_name: str = ""


def create_donors_in_bulk(*, rows: list[DonorRow], by: User | None) -> int:
    """Create donor accounts from a list (a volunteer roster); existing usernames are kept.

    The accounts have no usable password: each person sets one through password reset.
    """
    rights.require_grant(by, Role.DONOR, None)
    errors: dict[str, list[str]] = {}
    for number, row in enumerate(rows, start=1):
        found: dict[str, list[str]] = {}
        clean_account_text(
            username=row.username, display_name=row.display_name, email="", errors=found
        )
        errors.update({f"{number}.{field}": messages for field, messages in found.items()})
    if errors:
        raise ValidationError(errors)
    wanted = {row.username: row for row in rows}
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    unusable = make_password(None)
    users = [
        User(username=name, role=Role.DONOR, display_name=row.display_name, password=unusable)
        for name, row in wanted.items()
        if name not in existing
    ]
    with transaction.atomic():
        public_cache.bump("board")  # the home page counts the caring people signed up
        User.objects.bulk_create(users, batch_size=2000)
        # bulk_create does not return primary keys on every engine: read them back.
        created = User.objects.filter(username__in=[u.username for u in users])
        record_many(
            actor=by,
            action="account.create",
            targets=[(user, "", snapshot(user, USER_FIELDS)) for user in created],
        )
    return len(users)


def update_user(
    *,
    user: User,
    by: User | None,
    display_name: str | None = None,
    is_active: bool | None = None,
) -> User:
    """Rename or (de)activate an account within the creator's reach."""
    rights.require_manage(by, user)
    if by is not None and by.pk == user.pk and is_active is False:
        raise ValidationError({"is_active": [_("You cannot deactivate your own account.")]})
    if display_name is not None:
        display_name = clean_text(display_name, max_length=100, field="display_name")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        values = {"display_name": display_name, "is_active": is_active}
        record_update(
            user,
            {name: value for name, value in values.items() if value is not None},
            actor=by,
            action="account.update",
            fields=USER_FIELDS,
            region_code=user.region_id or "",
        )
    if not user.is_active:
        ApiToken.objects.filter(user=user).delete()
    return user


# --- Logging in ---------------------------------------------------------------------------


class LoginRefused(Exception):
    """Too many failed logins for this account or address; try again later."""


def log_in(*, request, username: str, password: str, address: str | None) -> User | None:
    """Check a password, counting failures per account and address; None when it is wrong.

    Raises LoginRefused, before checking the password, while either count is over its limit,
    so guessing costs the guesser time and tells nothing. A username no account can have
    (control characters, too long) is refused with a message before anything is looked up.
    """
    username = clean_text(username, max_length=150, field="username")
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(at__gte=since)
    if recent.filter(username__iexact=username).count() >= settings.LOGIN_FAILURES_PER_ACCOUNT or (
        address and recent.filter(address=address).count() >= settings.LOGIN_FAILURES_PER_ADDRESS
    ):
        raise LoginRefused
    user = authenticate(request, username=username, password=password)
    if user is None:
        # Failures older than the window count for nothing: drop them as new ones arrive.
        LoginFailure.objects.filter(at__lt=since).delete()
        LoginFailure.objects.create(username=username, address=address)
        return None
    return user


def issue_token(*, user: User) -> tuple[str, ApiToken]:
    """Return a new bearer token (shown once) and its stored record."""
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            digest=token_digest(raw),
            expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_DAYS),
        )
        record(
            actor=user, action="account.token_issue", target=token, region_code=user.region_id or ""
        )
    return raw, token


def revoke_token(*, token: ApiToken) -> None:
    with transaction.atomic():
        record(
            actor=token.user,
            action="account.token_revoke",
            target=token,
            region_code=token.user.region_id or "",
        )
        token.delete()


def revoke_all_tokens(*, user: User) -> int:
    """Sign out every app of an account: delete all its API tokens; return how many."""
    with transaction.atomic():
        revoked, _by_model = ApiToken.objects.filter(user=user).delete()
        record(
            actor=user,
            action="account.tokens_revoke",
            target=user,
            region_code=user.region_id or "",
            after={"tokens": revoked},
        )
    return revoked


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
