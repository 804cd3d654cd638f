"""Reads that gather figures from several apps for the shell's pages."""

from django.core.cache import cache

from tongxing.accounts.models import User
from tongxing.accounts.selectors import count_donors
from tongxing.regions.codes import Level
from tongxing.regions.selectors import public_figures, scope_root, subtree_counts
from tongxing.registry.selectors import households_visible_to

# The public home page shows these to anyone, on every visit; a few minutes' lag is fine
# and spares a count over every account per request.
HOME_FIGURES_SECONDS = 300


def home_figures() -> dict:
    """Return the public figures of the city, computed at most every few minutes."""

    def compute() -> dict:
        return {**public_figures(), "donors": count_donors()}

    return cache.get_or_set("tongxing:home-figures", compute, HOME_FIGURES_SECONDS)


def workspace_figures(user: User) -> dict:
    """Return what the card of the user's region counts: the villages under a township or a
    city, and, for a village (which has no villages under it), its households."""
    root = scope_root(user)
    if root is None:
        return {}
    if root.level == Level.VILLAGE:
        return {"households": households_visible_to(user).count()}
    return {"villages": subtree_counts(root)["villages"]}
