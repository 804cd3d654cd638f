"""The words of the accounts' own audit events (see `audit.events`)."""

from django.utils.translation import gettext_lazy as _

from tongxing.accounts.models import User
from tongxing.audit import events
from tongxing.audit.events import Action, Key, Named


def account_names(viewer: User, ids: list[str]) -> dict[str, Named]:
    """Accounts by their name, as the log names every actor; no page of their own."""
    users = User.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()])
    return {str(user.pk): Named(str(user)) for user in users.only("username", "display_name")}


def register() -> None:
    events.register_family("account", _("Accounts"), object_type="accounts.user")
    events.register_family("audit", _("Audit log"), object_type="accounts.auditevent")
    events.register_object_type("accounts.user", names=account_names)
    events.register_object_type(
        "accounts.auditevent",
        keys={
            "events": Key(
                _("events"), lambda value, data: events.join([f"#{pk}" for pk in value or []])
            )
        },
    )
    events.register_actions(
        Action(
            "account.create",
            _("account created"),
            _("%(actor)s created the account %(object)s (%(role)s)."),
        ),
        Action(
            "account.register",
            _("signed up as a caring person"),
            _("%(actor)s signed up as a caring person."),
        ),
        Action(
            "account.update", _("account changed"), _("%(actor)s changed the account %(object)s.")
        ),
        Action(
            "account.token_issue",
            _("signed in to the API"),
            _("%(actor)s signed in to the API (a new token)."),
        ),
        Action(
            "audit.redacted",
            _("personal data masked in the log"),
            _("%(actor)s masked the personal data left in earlier audit events."),
        ),
        Action(
            "account.token_revoke",
            _("signed out of the API"),
            _("%(actor)s signed out of the API (the token is revoked)."),
        ),
        Action(
            "account.tokens_revoke",
            _("signed out every app"),
            _(
                "%(actor)s logged out and signed out every app of the account "
                "(tokens revoked: %(tokens)s)."
            ),
        ),
    )
