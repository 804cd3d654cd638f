"""Reads that gather figures from several apps for the shell's pages."""

from django.core.cache import cache

from tongxing.accounts.selectors import count_donors
from tongxing.regions.selectors import public_figures

# The public home page shows these to anyone, on every visit; a few minutes' lag is fine
# and spares a count over every account per request.
HOME_FIGURES_SECONDS = 300


def home_figures() -> dict:
    """Return the public figures of the city, computed at most every few minutes."""

    def compute() -> dict:
        return {**public_figures(), "donors": count_donors()}

    return cache.get_or_set("tongxing:home-figures", compute, HOME_FIGURES_SECONDS)
