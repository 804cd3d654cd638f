"""What a user may do in the registry, each rule once: edit a household or the directory, see
or export full numbers, import a roster, link an account, rotate the data key.

Actions call the `require_*` functions (they raise PermissionDenied, or a ValidationError
naming the field at fault); views and the API ask the `may_*` ones and hand the answers to
the templates. Which regions a user reaches comes only from `tongxing.access`.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from tongxing.access import (
    DIRECTORY_EDITORS,
    FULL_EXPORTERS,
    HOUSEHOLD_EDITORS,
    PERSONAL_DATA_READERS,
    REGION_SCOPED_ROLES,
    Role,
    acting_scope,
    require_scope,
    scope_prefix,
)
from tongxing.accounts.models import User
from tongxing.regions.models import Region

# The accounts a person of the directory may log in with.
# (An organisation's representative speaks for the organisation of its person.)
LINKABLE_ROLES = REGION_SCOPED_ROLES - {Role.VIEWER} | {Role.ORG_REP}


# --- Regions ----------------------------------------------------------------------------------


def require_region_right(by: User | None, roles, region: Region) -> None:
    """Refuse unless the actor has one of the roles and the region lies in their scope."""
    require_scope(by, roles, region.code)


def require_related_region(by: User | None, region: Region, field: str) -> None:
    """Refuse a person or organisation from elsewhere: theirs must lie in the actor's region,
    or above it (a township's cadre helps in its villages; a city bureau sends secretaries)."""
    scope = acting_scope(by)
    if not scope:
        return
    if not (region.code.startswith(scope) or scope.startswith(region.prefix)):
        raise ValidationError({field: [_("This one belongs to another region.")]})


# --- Households -------------------------------------------------------------------------------


def may_edit_households(user: User) -> bool:
    """Whether the user's role edits households (each one still in their region)."""
    return user.role in HOUSEHOLD_EDITORS


def sees_assigned_only(user: User) -> bool:
    """Whether the user sees only the households assigned to them: a cadre, as product.md
    scopes them (结对帮扶)."""
    return user.role == Role.CADRE


def may_see_personal_data(user: User, household) -> bool:
    """Return whether the user may ask to see this household's full numbers."""
    prefix = scope_prefix(user)
    return (
        user.role in PERSONAL_DATA_READERS
        and prefix is not None
        and household.village_id.startswith(prefix)
    )


def require_personal_data(by: User | None, household) -> None:
    """Refuse to show a household's full numbers unless a person of a role that may see them
    asks, in their region (PIPL: access to sensitive personal information is limited and
    recorded); a command has no one to show them to."""
    require_region_right(by, PERSONAL_DATA_READERS, household.village)
    if by is None:
        raise PermissionDenied


def require_importer(by: User | None) -> str:
    """Refuse unless the actor may import rosters; return the scope they import into."""
    if by is not None and not by.is_superuser and not by.has_role(*HOUSEHOLD_EDITORS):
        raise PermissionDenied
    scope = acting_scope(by)
    if scope is None:
        raise PermissionDenied
    return scope


def may_export_full(user: User) -> bool:
    """Whether the user may export households with full ID and phone numbers at all."""
    return user.is_active and (user.is_superuser or user.role in FULL_EXPORTERS)


def require_full_export(by: User | None, households) -> None:
    """Refuse an export with full numbers unless the actor may make it for every household:
    the city and township offices for their region, the server's admin (`by=None`) for any."""
    if by is None:
        return
    if not by.is_superuser and not by.has_role(*FULL_EXPORTERS):
        raise PermissionDenied
    scope = acting_scope(by)
    if scope is None or households.exclude(village__code__startswith=scope).exists():
        raise PermissionDenied


def is_household_login(account: User) -> bool:
    """Whether an account is (or may become) a household's own login: the household role."""
    return account.role == Role.HOUSEHOLD


# --- The directory ----------------------------------------------------------------------------


def may_edit_directory(user: User) -> bool:
    """Whether the user's role edits organisations and people (each in their region)."""
    return user.role in DIRECTORY_EDITORS


def account_refusal(account: User, by: User | None) -> str | None:
    """Return why a person of the directory may not log in with this account, or None: it
    must be an active account of staff, a cadre or an organisation, of the actor's region."""
    if account.role not in LINKABLE_ROLES or not account.is_active:
        return _("Choose an active account of staff, a cadre or an organisation.")
    scope = acting_scope(by)
    if scope != "" and (account.region_id is None or not account.region_id.startswith(scope or "")):
        return _("This one belongs to another region.")
    return None


# --- The data key -----------------------------------------------------------------------------


def require_key_rotation(by: User | None) -> None:
    """Refuse unless the server's admin rotates the key (a superuser, or the command)."""
    if by is not None and not by.is_superuser:
        raise PermissionDenied
