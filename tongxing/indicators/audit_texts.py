"""The words of the approvals' audit events (see `audit.events`): an approval is named by
its region and period, and links to the approvals page of that region and period."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongxing.audit import events
from tongxing.audit.events import Action, Named
from tongxing.indicators.actions import APPROVED, WITHDRAWN
from tongxing.indicators.approvals import approvals_visible_to


def approval_names(viewer, ids: list[str]) -> dict[str, Named]:
    found = approvals_visible_to(viewer).filter(pk__in=[int(i) for i in ids if i.isdigit()])
    return {
        str(approval.pk): Named(
            _("the figures of %(region)s, %(start)s to %(end)s")
            % {"region": approval.region.name, "start": approval.start, "end": approval.end},
            reverse("indicators:approvals")
            + "?"
            + urlencode(
                {"region": approval.region_id, "start": approval.start, "end": approval.end}
            ),
        )
        for approval in found
    }


def register() -> None:
    _ = gettext_lazy
    events.register_family("approval", _("Approvals of figures"), object_type="indicators.approval")
    events.register_object_type("indicators.approval", names=approval_names)
    events.register_actions(
        Action(
            APPROVED,
            _("approved"),
            _("%(actor)s approved %(object)s."),
            hide=("start", "end", "catalogue_version"),
        ),
        Action(
            WITHDRAWN,
            _("withdrew the approval"),
            _("%(actor)s withdrew the approval of %(object)s."),
        ),
    )
