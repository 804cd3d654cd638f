"""The words of the regions' audit events (see `audit.events`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongxing.audit import events
from tongxing.audit.events import Action, Named
from tongxing.regions.models import Region
from tongxing.regions.selectors import regions_visible_to

if TYPE_CHECKING:  # the accounts lie above the regions
    from tongxing.accounts.models import User


def region_names(viewer: User, codes: list[str]) -> dict[str, Named]:
    """Regions by their name (public), linked where the reader may open them."""
    visible = set(regions_visible_to(viewer).filter(code__in=codes).values_list("code", flat=True))
    return {
        region.code: Named(
            region.name,
            reverse("regions:region", args=[region.code]) if region.code in visible else "",
        )
        for region in Region.objects.filter(code__in=codes).only("code", "name")
    }


def register() -> None:
    events.register_family("region", _("Regions"), object_type="regions.region")
    events.register_object_type("regions.region", names=region_names)
    events.register_actions(
        Action("region.create", _("region added"), _("%(actor)s added the region %(object)s.")),
        Action("region.update", _("region changed"), _("%(actor)s changed the region %(object)s.")),
    )
