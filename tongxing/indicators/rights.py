"""Who may approve a region's figures, and withdraw an approval: the one place it is decided.

Approval goes bottom-up: a township's station approves its township, the city office its
city; no other level is approved. The scope is `tongxing.access`'s; a command (no actor)
and the server's administrator may do what an action allows.
"""

from tongxing.access import FIGURE_APPROVERS, Role, in_scope
from tongxing.regions.codes import Level
from tongxing.regions.models import Region

# The role that approves each level that is approved.
APPROVER_OF_LEVEL = {Level.TOWNSHIP: Role.TOWNSHIP_ADMIN, Level.CITY: Role.CITY_ADMIN}


def approves_figures(user) -> bool:
    """Whether the account approves figures of some region (the page offers the buttons)."""
    return user.is_authenticated and user.role in FIGURE_APPROVERS


def is_approved_level(region: Region) -> bool:
    return region.level in APPROVER_OF_LEVEL


def may_approve(by, region: Region) -> bool:
    """Whether the actor approves this region's figures: its level's office, in scope."""
    role = APPROVER_OF_LEVEL.get(region.level)
    return role is not None and in_scope(by, frozenset({role}), region.code)


def may_withdraw(by, region: Region) -> bool:
    """Whoever may approve a region's figures may withdraw their approval."""
    return may_approve(by, region)
