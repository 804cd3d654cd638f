"""What an account may do with accounts: which roles it may give, in which regions, and
which accounts it may change. The actions and the views ask here; where an account may
act at all (its scope) is `tongxing.access`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from tongxing.access import ACCOUNT_ADMIN_ROLES, REGION_SCOPED_ROLES, Role, in_scope
from tongxing.regions.codes import Level

if TYPE_CHECKING:
    from tongxing.accounts.models import User
    from tongxing.regions.models import Region

# The levels a role's scope may sit at: a township station serves one township, and so on.
SCOPE_LEVELS = {
    Role.CITY_ADMIN: {Level.PROVINCE, Level.CITY, Level.COUNTY},
    Role.TOWNSHIP_ADMIN: {Level.TOWNSHIP},
    Role.VILLAGE_ADMIN: {Level.VILLAGE},
    Role.CADRE: {Level.TOWNSHIP, Level.VILLAGE},
    Role.VIEWER: set(Level),
}
# The roles a township station may give; the city office gives every staff role.
TOWNSHIP_GRANTABLE = frozenset({Role.VILLAGE_ADMIN, Role.CADRE, Role.VIEWER})
# Accounts that make themselves (a caring person) or come with the registry (a household).
SELF_MADE = frozenset({Role.DONOR, Role.HOUSEHOLD})


def may_scope(role: str, level: int) -> bool:
    """Whether an account of this role may be scoped to a region of this level."""
    return level in SCOPE_LEVELS[role]


def grantable_roles(by: User) -> list[str]:
    """The roles an account administrator offers on the new-account form, in order."""
    if by.role == Role.TOWNSHIP_ADMIN:
        return [role for role in Role.values if role in TOWNSHIP_GRANTABLE]
    return [role for role in Role.values if role not in SELF_MADE]


def may_grant(by: User | None, role: str, region: Region | None) -> bool:
    """Whether `by` may make (or manage) an account of this role in this region: roles it
    may give, regions in its scope. A command (no account) and the server's administrator
    may make any."""
    if by is None or by.is_superuser:
        return True
    if not by.has_role(*ACCOUNT_ADMIN_ROLES):
        return False
    if by.role == Role.TOWNSHIP_ADMIN and role not in TOWNSHIP_GRANTABLE:
        return False
    if role in REGION_SCOPED_ROLES and region is not None:
        return in_scope(by, ACCOUNT_ADMIN_ROLES, region.code)
    return True


def require_grant(by: User | None, role: str, region: Region | None) -> None:
    """Refuse to make or change an account the actor could not manage."""
    if not may_grant(by, role, region):
        raise PermissionDenied


def require_manage(by: User | None, user: User) -> None:
    """Refuse to rename or (de)activate an account outside the actor's reach."""
    require_grant(by, user.role, user.region)
