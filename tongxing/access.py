"""Who may do what, and where: the roles, the scope of an account, and the declarations
that open pages and API operations to roles. It lies beneath every app (it imports none):
the regions, the accounts and the domain apps all ask it.

Roles and their named sets: an account has one role; a page, an operation, an action or a
template asks for a named set (`NEED_REVIEWERS`), never for role strings of its own.

Scope: every region code an account may see or change starts with its scope prefix.
`scope_prefix(user)` is the one place it is computed; `acting_scope(by, roles)` is the same
for a write (a command or the demo, run without an account, and the server's administrator
act everywhere), and `require_scope(by, roles, code)` refuses a write outside it.

Pages and operations: every page and API operation declares who may open it; nothing is
open by default.

`allow(*roles)` wraps a Django view or a ninja operation: anonymous users go to the login
page (the API's bearer auth has already turned them away with 401), any other role gets 403.
`public` marks the few things anyone may open. Both leave an `access` attribute that the
test of the URL map checks on every route, so a route without a declaration fails CI.
"""

import functools
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

PUBLIC = "public"


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
# Who approves the figures of their region for a period: a township's station its
# township's, then the city office the city's (indicators/rights.py says which level).
FIGURE_APPROVERS = frozenset({Role.CITY_ADMIN, Role.TOWNSHIP_ADMIN})
# Who pledges goods and contributes money: caring people, and organisations through their rep.
PLEDGERS = frozenset({Role.DONOR, Role.ORG_REP})
# Staff who act for a household of their region: confirm receipt (with evidence), thank.
HOUSEHOLD_PROXIES = frozenset(
    {Role.CITY_ADMIN, Role.TOWNSHIP_ADMIN, Role.VILLAGE_ADMIN, Role.CADRE}
)
# Who keeps the review rules (value caps, banned terms) of their region.
RULE_EDITORS = frozenset({Role.CITY_ADMIN})
# Who shapes the region tree (imports, renames, tags villages): the city office.
REGION_EDITORS = frozenset({Role.CITY_ADMIN})
# Staff assigned to help some households of their region, whose workspace lists them.
ASSIGNED_HELPERS = frozenset({Role.CADRE})
# Who reads the audit log of their region.
AUDIT_READERS = frozenset({Role.CITY_ADMIN})
# Every role: pages any signed-in account may open (its own notifications, its logout).
EVERY_ROLE = frozenset(Role.values)
# Who reads a need's record beyond its public face: staff of its region, and its household.
NEED_READERS = REGION_SCOPED_ROLES | {Role.HOUSEHOLD}
# Who confirms receipt and thanks: the household, or staff for it.
NEED_RECEIVERS = HOUSEHOLD_PROXIES | {Role.HOUSEHOLD}


# --- Scope ----------------------------------------------------------------------------------


def scope_prefix(user, roles: frozenset[str] = REGION_SCOPED_ROLES) -> str | None:
    """Return the prefix of every region code the user may see in one of these roles.

    None when they may see no region: anonymous, inactive, another role, or no region set.
    """
    if user is None or not (user.is_authenticated and user.is_active):
        return None
    if user.role not in roles or not user.region_id:
        return None
    return user.region.prefix


def acting_scope(by, roles: frozenset[str] = REGION_SCOPED_ROLES) -> str | None:
    """Return the prefix of the codes an actor may change; "" for everywhere, None for none.

    A command or the demo (no actor) and the server's administrator act everywhere.
    """
    if by is None or by.is_superuser:
        return ""
    return scope_prefix(by, roles)


def in_scope(by, roles: frozenset[str], code: str) -> bool:
    """Whether the actor holds one of the roles and the code lies in their scope."""
    scope = acting_scope(by, roles)
    return scope is not None and code.startswith(scope)


def require_scope(by, roles: frozenset[str], code: str) -> None:
    """Refuse unless the actor holds one of the roles and the code lies in their scope."""
    if not in_scope(by, roles, code):
        raise PermissionDenied


# --- Pages and operations -------------------------------------------------------------------


def allow(*roles: "str | frozenset[str]") -> Callable:
    """Open a view to the accounts of these roles: role names, or the named role sets above
    (`@allow(NEED_REVIEWERS)`), or both."""
    roles = tuple(role for item in roles for role in ((item,) if isinstance(item, str) else item))
    if not roles:
        raise ValueError("allow() needs at least one role; use @public for open pages.")

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                # Imported here: the auth views load the user model, which needs the roles.
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not (user.is_active and user.role in roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.access = frozenset(roles)
        return wrapper

    return decorator


def public(view: Callable) -> Callable:
    view.access = PUBLIC
    return view
