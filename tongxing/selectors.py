"""Reads that gather figures from several apps for the shell's pages."""

from django.core.cache import cache
from django.db.models import QuerySet

from tongxing.access import ASSIGNED_HELPERS
from tongxing.accounts.models import User
from tongxing.accounts.selectors import count_donors
from tongxing.regions.codes import Level
from tongxing.regions.selectors import public_figures, scope_root, subtree_counts
from tongxing.registry.models import Household
from tongxing.registry.selectors import households_visible_to, search_households

# The public home page shows these to anyone, on every visit; a few minutes' lag is fine
# and spares a count over every account per request.
HOME_FIGURES_SECONDS = 300
# How many of a cadre's households the workspace lists (the registry's list has them all).
ASSIGNED_SHOWN = 20


def home_figures() -> dict:
    """Return the public figures of the city, computed at most every few minutes."""

    def compute() -> dict:
        return {**public_figures(), "donors": count_donors()}

    return cache.get_or_set("tongxing:home-figures", compute, HOME_FIGURES_SECONDS)


def workspace_figures(user: User) -> dict:
    """Return what the card of the user's region counts: the villages under a township or a
    city, and, for a village (which has no villages under it) or a cadre (who helps some
    households of it), the households."""
    root = scope_root(user)
    if root is None:
        return {}
    if root.level == Level.VILLAGE or user.role in ASSIGNED_HELPERS:
        return {"households": households_visible_to(user).count()}
    return {"villages": subtree_counts(root)["villages"]}


def assigned_households(user: User) -> QuerySet[Household]:
    """The first households a cadre helps, with their heads, for the workspace."""
    if user.role not in ASSIGNED_HELPERS:
        return Household.objects.none()
    return search_households(user)[:ASSIGNED_SHOWN]
