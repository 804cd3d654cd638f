"""What a user may do with a need: the one place each right of the needs board is decided.

The actions refuse what these deny, the views and the API ask them for what a page or an
answer offers (the templates get the views' flags, never a role), and the scope of each
right is `tongxing.access`'s. A command or the demo (no actor) and the server's
administrator may do everything an action allows.

Each right is read from the database at the moment it is asked: a cadre's assignment ended
yesterday counts for nothing, whatever a page showed before.
"""

from tongxing.access import (
    HOUSEHOLD_PROXIES,
    NEED_POSTERS,
    NEED_READERS,
    NEED_REVIEWERS,
    PLEDGERS,
    REGION_SCOPED_ROLES,
    RULE_EDITORS,
    Role,
    in_scope,
)
from tongxing.accounts.models import User
from tongxing.needs.models import Need, Pledge
from tongxing.needs.selectors import needs_visible_to
from tongxing.regions.models import Region
from tongxing.registry.models import Household
from tongxing.registry.selectors import households_visible_to

# --- Who one is on the board ----------------------------------------------------------------


def is_system(by: User | None) -> bool:
    """Whether the system acts itself: a command or the demo (no actor), or the server's
    administrator; the paths no account of the board takes (masking, recorded histories)."""
    return by is None or by.is_superuser


def is_household(user) -> bool:
    """Whether the account is a household's own, which posts and confirms for itself."""
    return user.is_authenticated and user.role == Role.HOUSEHOLD


def sees_households(user) -> bool:
    """Whether the account works on households of a region: it reads their head's name."""
    return user.is_authenticated and user.role in REGION_SCOPED_ROLES


def posts_needs(user) -> bool:
    return user.is_authenticated and user.role in NEED_POSTERS


def reviews_needs(user) -> bool:
    return user.is_authenticated and user.role in NEED_REVIEWERS


def reads_needs(user) -> bool:
    """Whether the account reads needs beyond their public face (staff, a household)."""
    return user.is_authenticated and user.role in NEED_READERS


def may_pledge(user) -> bool:
    """Pledge goods and contribute money: caring people, and organisations' reps."""
    return user is not None and user.is_authenticated and user.has_role(*PLEDGERS)


# --- What one may do with a need ------------------------------------------------------------


def is_own_household(by: User | None, household_id: int | None) -> bool:
    """Whether the actor is the household's own account (not staff acting for it)."""
    return (
        by is not None
        and household_id is not None
        and by.has_role(Role.HOUSEHOLD)
        and Household.objects.filter(pk=household_id, account=by).exists()
    )


def _helps(by: User, household_id: int | None) -> bool:
    """Whether a cadre is assigned to the household today, inside their region: read from
    the database at the moment of the action, so an assignment ended yesterday counts for
    nothing, whatever a page showed before."""
    return (
        household_id is not None
        and by.has_role(Role.CADRE)
        and households_visible_to(by).filter(pk=household_id).exists()
    )


def may_post_for(by: User | None, *, village: Region, household: Household | None) -> bool:
    """The household itself; staff of its village; a cadre only for a household assigned
    to them, or for a village of their region (a collective need)."""
    if by is None or by.is_superuser:
        return True
    if by.has_role(Role.HOUSEHOLD):
        return household is not None and is_own_household(by, household.pk)
    if by.has_role(Role.CADRE) and household is not None:
        return _helps(by, household.pk)
    return in_scope(by, NEED_POSTERS - {Role.HOUSEHOLD}, village.code)


def may_edit(by: User | None, need: Need) -> bool:
    """The poster, the household itself, and staff of its region may change or cancel it;
    a cadre a need of a household assigned to them, or a collective need they posted."""
    if by is None or by.is_superuser:
        return True
    if by.has_role(Role.CADRE):
        # Before the poster's own right: a need a cadre posted for a household is theirs
        # only while they help the household.
        if need.household_id is not None:
            return _helps(by, need.household_id)
        return need.posted_by_id == by.pk and in_scope(by, {Role.CADRE}, need.village_id)
    if need.posted_by_id == by.pk and by.is_active:
        return True
    if is_own_household(by, need.household_id):
        return True
    return in_scope(by, HOUSEHOLD_PROXIES, need.village_id)


def may_review(by: User | None, need: Need) -> bool:
    if by is None or by.is_superuser:
        return True
    return in_scope(by, NEED_REVIEWERS, need.village_id)


def reviews_own_need(by: User | None, need: Need) -> bool:
    """A reviewer never publishes what they posted themselves: a second pair of eyes is
    the point of the review (the township's other reviewers, or the city office, do)."""
    return by is not None and by.pk is not None and need.posted_by_id == by.pk


def may_act_for_household(by: User | None, need: Need) -> bool:
    """Confirm receipt and thank: the household, or staff of its region on its behalf (a
    cadre only for a household assigned to them, so never for a collective need)."""
    if by is None or by.is_superuser:
        return True
    if by.has_role(Role.CADRE):
        return _helps(by, need.household_id)
    return is_own_household(by, need.household_id) or in_scope(
        by, HOUSEHOLD_PROXIES, need.village_id
    )


def may_change_pledge(by: User, pledge: Pledge) -> bool:
    """Withdraw or deliver a pledge: its donor alone."""
    return pledge.donor_id == by.pk


def may_edit_rules(by: User | None, region: Region) -> bool:
    """Keep the review rules (value caps, banned terms) of a region: the city office."""
    return in_scope(by, RULE_EDITORS, region.code)


def may_see_record(user, need: Need) -> bool:
    """Open a need's staff page, its whole record: its region's staff, its household."""
    return reads_needs(user) and needs_visible_to(user).filter(pk=need.pk).exists()
