"""The words of the pairing programmes' audit events (see `audit.events`).

A programme is named by its name and links to its page, a pairing by its helper and
target, for a reader who may open them; outside their scope only the kind and number.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongxing.accounts.models import User
from tongxing.audit import events
from tongxing.audit.events import Action, Key, Named
from tongxing.programs.selectors import (
    disbursements_visible_to,
    exchanges_visible_to,
    labour_activities_visible_to,
    pairings_visible_to,
    pledges_visible_to,
    programmes_visible_to,
)
from tongxing.text import mask_personal_data


def _ids(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if i.isdigit()]


def programme_names(viewer: User, ids: list[str]) -> dict[str, Named]:
    found = programmes_visible_to(viewer).filter(pk__in=_ids(ids))
    return {
        str(p.pk): Named(
            _("“%(name)s” (#%(id)s)") % {"name": mask_personal_data(p.name), "id": p.pk},
            reverse("programs:programme", args=[p.pk]),
        )
        for p in found.only("name")
    }


def pairing_names(viewer: User, ids: list[str]) -> dict[str, Named]:
    found = pairings_visible_to(viewer).filter(pk__in=_ids(ids))
    return {
        str(p.pk): Named(
            _("%(helper)s → %(target)s (#%(id)s)")
            % {"helper": p.helper.name, "target": str(p.target), "id": p.pk},
            reverse("programs:programme", args=[p.programme_id]),
        )
        for p in found.select_related("helper", "target__region", "target__organisation")
    }


def _numbered(selector):
    def names(viewer: User, ids: list[str]) -> dict[str, Named]:
        found = selector(viewer).filter(pk__in=_ids(ids)).values_list("pk", flat=True)
        return {str(pk): Named(f"#{pk}") for pk in found}

    return names


def register() -> None:
    _ = gettext_lazy
    events.register_family("programme", _("Programmes"), object_type="programs.programme")
    events.register_family("pairing", _("Pairings"), object_type="programs.pairing")
    events.register_family(
        "pairing_pledge", _("Pairing pledges"), object_type="programs.pairingpledge"
    )
    events.register_family("disbursement", _("Disbursements"), object_type="programs.disbursement")
    events.register_family("exchange", _("Exchanges"), object_type="programs.exchange")
    events.register_family(
        "labour_activity", _("Labour activities"), object_type="programs.labouractivity"
    )
    events.register_object_type(
        "programs.programme",
        names=programme_names,
        keys={
            "targets": Key(_("targets")),
            "how": Key(_("added by")),
            "organisation": Key(_("school"), refers_to="registry.organisation"),
        },
    )
    events.register_object_type("programs.pairing", names=pairing_names)
    events.register_object_type(
        "programs.pairingpledge",
        names=_numbered(pledges_visible_to),
    )
    events.register_object_type(
        "programs.disbursement",
        names=_numbered(disbursements_visible_to),
        keys={"photos": Key(_("photos"))},
    )
    events.register_object_type("programs.exchange", names=_numbered(exchanges_visible_to))
    events.register_object_type(
        "programs.labouractivity", names=_numbered(labour_activities_visible_to)
    )
    events.register_actions(
        Action("programme.created", _("created"), _("%(actor)s created the programme %(object)s.")),
        Action("programme.changed", _("changed"), _("%(actor)s changed the programme %(object)s.")),
        Action(
            "programme.targets_added",
            _("added targets"),
            _("%(actor)s added targets to the programme %(object)s."),
        ),
        Action("pairing.created", _("paired"), _("%(actor)s paired %(object)s.")),
        Action("pairing.ended", _("ended"), _("%(actor)s ended the pairing %(object)s.")),
        Action(
            "pairing.changed",
            _("changed"),
            _("%(actor)s changed a pairing; it continues as %(object)s."),
        ),
        Action(
            "pairing_pledge.recorded",
            _("recorded"),
            _("%(actor)s recorded the pairing pledge %(object)s."),
        ),
        Action(
            "pairing_pledge.accepted",
            _("accepted"),
            _("%(actor)s accepted the pairing pledge %(object)s."),
        ),
        Action(
            "pairing_pledge.rejected",
            _("rejected"),
            _("%(actor)s rejected the pairing pledge %(object)s."),
        ),
        Action(
            "disbursement.recorded",
            _("recorded"),
            _("%(actor)s recorded the disbursement %(object)s."),
        ),
        Action(
            "disbursement.accepted",
            _("accepted"),
            _("%(actor)s accepted the disbursement %(object)s."),
        ),
        Action(
            "disbursement.rejected",
            _("rejected"),
            _("%(actor)s rejected the disbursement %(object)s."),
        ),
        Action(
            "exchange.recorded", _("recorded"), _("%(actor)s recorded the exchange %(object)s.")
        ),
        Action(
            "exchange.accepted", _("accepted"), _("%(actor)s accepted the exchange %(object)s.")
        ),
        Action(
            "exchange.rejected", _("rejected"), _("%(actor)s rejected the exchange %(object)s.")
        ),
        Action(
            "labour_activity.recorded",
            _("recorded"),
            _("%(actor)s recorded the labour activity %(object)s."),
        ),
        Action(
            "labour_activity.accepted",
            _("accepted"),
            _("%(actor)s accepted the labour activity %(object)s."),
        ),
        Action(
            "labour_activity.rejected",
            _("rejected"),
            _("%(actor)s rejected the labour activity %(object)s."),
        ),
    )
