"""The words of the needs board's audit events (see `audit.events`).

A need is named by its title and number and links to its staff page, for a reader whose
region holds it; amounts read in the need's own unit (¥500, 2 床, 1 place).
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongxing.accounts.models import User
from tongxing.audit import events
from tongxing.audit.events import Action, Key, Named
from tongxing.needs.amounts import amount_text
from tongxing.needs.models import Need
from tongxing.needs.selectors import needs_visible_to
from tongxing.text import mask_personal_data


def need_names(viewer: User, ids: list[str]) -> dict[str, Named]:
    needs = needs_visible_to(viewer).filter(pk__in=[int(i) for i in ids if i.isdigit()])
    return {
        str(need.pk): Named(
            _("“%(title)s” (#%(id)s)") % {"title": mask_personal_data(need.title), "id": need.pk},
            reverse("needs:manage", args=[need.pk]),
            need,
        )
        for need in needs.only("title", "kind", "unit")
    }


def _amount(key: str):
    """A quantity of the event's data in the need's unit (a plain number without the need)."""

    def params(data: dict, target: Named | None) -> dict:
        quantity = data.get(key)
        if not isinstance(quantity, int):
            return {"amount": "—"}
        if target is not None and target.obj is not None:
            return {"amount": amount_text(target.obj, quantity)}
        return {"amount": f"{quantity:,}"}

    return params


def _pledged(data: dict):
    if data.get("value_fen"):
        return gettext_lazy(
            "%(actor)s pledged %(amount)s (worth %(value_fen)s) to the need %(object)s."
        )
    return gettext_lazy("%(actor)s pledged %(amount)s to the need %(object)s.")


def _confirmed(data: dict):
    if data.get("on_behalf"):
        return gettext_lazy(
            "%(actor)s confirmed for the household that the help for the need %(object)s arrived."
        )
    return gettext_lazy("%(actor)s confirmed that the help for the need %(object)s arrived.")


def _in_unit(value, data: dict) -> str:
    """A need's target in its unit, from the need's own fields in the event."""
    if not isinstance(value, int):
        return str(value)
    return amount_text(Need(kind=data.get("kind") or "", unit=data.get("unit") or ""), value)


def _event_ids(value, data: dict) -> str:
    return events.join([f"#{pk}" for pk in value or []])


def _escalated_to(value, data: dict) -> str:
    return _("the assistance office") if value == "office" else f"#{value}"


def register() -> None:
    _ = gettext_lazy
    events.register_family("need", _("Needs"), object_type="needs.need")
    events.register_family("rule", _("Review rules"))
    events.register_object_type(
        "needs.need",
        names=need_names,
        keys={
            "target": Key(_("quantity needed"), _in_unit),
            "pledge": Key(_("pledge"), lambda value, data: f"#{value}"),
            "quantity": Key(_("quantity")),
            "reason": Key(_("reason")),
            "released": Key(_("pledges released")),
            "remaining": Key(_("still lacking")),
            "escalated_to": Key(_("escalated to"), _escalated_to),
            "note": Key(_("note")),
            "thanks": Key(_("thanks")),
            "rating": Key(_("rating"), lambda value, data: f"{value}/5"),
            "photo": Key(_("photo")),
            "amount_fen": Key(_("amount"), lambda value, data: events.yuan(value)),
            "masked": Key(_("masked in"), lambda value, data: events.join(list(value or []))),
            "events": Key(_("audit events redacted"), _event_ids),
            "notifications": Key(_("notifications changed")),
        },
    )
    events.register_object_type("needs.valuecap")
    events.register_object_type("needs.bannedterm")
    events.register_actions(
        Action("need.created", _("posted"), _("%(actor)s posted the need %(object)s.")),
        Action("need.changed", _("changed"), _("%(actor)s changed the need %(object)s.")),
        Action(
            "need.submitted",
            _("submitted for review"),
            _("%(actor)s submitted the need %(object)s for review."),
        ),
        Action(
            "need.published",
            _("approved and published"),
            _("%(actor)s approved and published the need %(object)s."),
        ),
        Action(
            "need.rejected",
            _("rejected"),
            _("%(actor)s rejected the need %(object)s (reason: %(reason)s)."),
        ),
        Action(
            "need.cancelled",
            _("cancelled"),
            _("%(actor)s cancelled the need %(object)s (reason: %(reason)s)."),
            hide=("status",),
        ),
        Action(
            "need.reopened",
            _("put back on the board"),
            _("%(actor)s put the need %(object)s back on the board until %(deadline)s."),
            hide=("status",),
        ),
        Action(
            "need.pledged", _("pledged"), _pledged, params=_amount("quantity"), hide=("quantity",)
        ),
        Action(
            "need.contributed",
            _("contributed"),
            _("%(actor)s contributed %(value_fen)s to the need %(object)s."),
            hide=("quantity",),
        ),
        Action(
            "need.contribution_late",
            _("contribution returned: the need had closed"),
            _(
                "%(actor)s paid %(amount_fen)s to the need %(object)s after it had closed; "
                "the money goes back."
            ),
        ),
        Action(
            "need.refunded",
            _("money paid back"),
            _(
                "%(amount_fen)s of a contribution (%(pledge)s) to the need %(object)s "
                "was paid back."
            ),
        ),
        Action("need.matched", _("fully pledged"), _("The need %(object)s became fully pledged.")),
        Action(
            "need.funds_released",
            _("money released to the household"),
            _("%(amount_fen)s raised for the need %(object)s went to the household."),
        ),
        Action(
            "need.pledge_withdrawn",
            _("pledge withdrawn"),
            _("%(actor)s withdrew a pledge (%(pledge)s) from the need %(object)s."),
        ),
        Action(
            "need.delivered",
            _("marked delivered"),
            _("%(actor)s marked a pledge (%(pledge)s) to the need %(object)s as delivered."),
        ),
        Action("need.confirmed", _("receipt confirmed"), _confirmed, hide=("on_behalf",)),
        Action(
            "need.thanked",
            _("thanked and rated"),
            _("%(actor)s thanked the donor of the need %(object)s and rated the help %(rating)s."),
        ),
        Action("need.closed", _("closed"), _("The need %(object)s is closed.")),
        Action(
            "need.masked",
            _("personal data masked"),
            _("%(actor)s masked the personal data left in the text of the need %(object)s."),
        ),
        Action(
            "need.expired",
            _("expired and escalated"),
            _(
                "The need %(object)s expired with %(amount)s still lacking "
                "and went to %(escalated_to)s."
            ),
            params=_amount("remaining"),
            hide=("remaining",),
        ),
        Action(
            "rule.cap_set",
            _("value cap set"),
            _("%(actor)s set the value cap of %(category)s in %(region)s to %(cap_fen)s."),
        ),
        Action(
            "rule.cap_removed",
            _("value cap removed"),
            _("%(actor)s removed a value cap of %(cap_fen)s in %(region)s."),
        ),
        Action(
            "rule.term_added",
            _("word flagged"),
            _("%(actor)s flagged the word “%(term)s” in %(region)s."),
        ),
        Action(
            "rule.term_removed",
            _("word no longer flagged"),
            _("%(actor)s stopped flagging the word “%(term)s” in %(region)s."),
        ),
    )
