"""The texts of the notifications, by kind, written in the reader's language when read.

Parameters are filled in by name; a notification whose kind is unknown (a kind removed in a
later version) still shows its code rather than failing.
"""

from django.utils.translation import gettext_lazy as _

KINDS = {
    "need_submitted": (
        _("A need waits for your review"),
        _("“%(title)s” in %(village)s was submitted for review."),
    ),
    "need_published": (
        _("Your need is on the board"),
        _("“%(title)s” was approved and published."),
    ),
    "need_rejected": (
        _("Your need was not approved"),
        _("“%(title)s” was rejected: %(reason)s"),
    ),
    "need_pledged": (
        _("Someone pledged to your need"),
        _("%(donor)s pledged %(amount)s to “%(title)s”."),
    ),
    "need_expiring": (
        _("A need is about to expire"),
        _("“%(title)s” expires on %(deadline)s and still lacks %(remaining)s."),
    ),
    "need_expired": (
        _("A need expired without a full match"),
        _("“%(title)s” passed its deadline with %(remaining)s still lacking; it went to %(to)s."),
    ),
    "need_cancelled": (
        _("A need you pledged to was cancelled"),
        _("“%(title)s” was cancelled: %(reason)s. Your pledge is released."),
    ),
    "pledge_delivered": (
        _("A delivery is on its way"),
        _("%(donor)s marked %(amount)s for “%(title)s” as delivered. Please confirm receipt."),
    ),
    "pledge_confirmed": (
        _("Your help arrived"),
        _("The household confirmed receiving %(amount)s for “%(title)s”."),
    ),
    "pledge_thanked": (
        _("The household thanks you"),
        _("For “%(title)s”: %(thanks)s (%(rating)s/5)"),
    ),
    "contribution_returned": (
        _("Your contribution is returned"),
        _("“%(title)s” did not reach its target by its deadline; %(amount)s is returned."),
    ),
    "contribution_moved": (
        _("Your contribution was moved"),
        _("“%(title)s” did not reach its target; as you agreed, %(amount)s now helps “%(to)s”."),
    ),
}


def render(kind: str, params: dict) -> tuple[str, str]:
    """Return the title and body of a notification in the active language."""
    try:
        title, body = KINDS[kind]
    except KeyError:
        return kind, ""
    try:
        return str(title), str(body) % params
    except (KeyError, TypeError, ValueError):
        return str(title), ""
