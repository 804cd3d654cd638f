"""The words of the visits' audit events (see `audit.events`). A visit is named by its day
and the household's registry number (or the village), for a reader whose region holds it."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongxing.accounts.models import User
from tongxing.audit import events
from tongxing.audit.events import Action, Key, Named


def visit_names(viewer: User, ids: list[str]) -> dict[str, Named]:
    # Imported here: the selectors read the registry's models, loaded after the apps.
    from tongxing.visits.selectors import visits_visible_to

    visits = visits_visible_to(viewer).filter(pk__in=[int(i) for i in ids if i.isdigit()])
    return {
        str(visit.pk): Named(
            _("visit of %(day)s to %(whom)s (#%(id)s)")
            % {
                "day": visit.visited_on.isoformat(),
                "whom": visit.household.registry_number if visit.household else visit.village.name,
                "id": visit.pk,
            }
        )
        for visit in visits.select_related("household", "village")
    }


def register() -> None:
    _ = gettext_lazy
    events.register_family("visit", _("Visits"), object_type="visits.visit")
    events.register_object_type(
        "visits.visit",
        names=visit_names,
        keys={
            "visitor": Key(_("visitor"), refers_to="registry.person"),
            "household": Key(_("household"), refers_to="registry.household"),
            "deliveries": Key(_("delivered"), lambda value, data: _lines(value)),
            "need": Key(_("need raised"), refers_to="needs.need"),
        },
    )
    events.register_object_type("visits.campaignday")
    events.register_actions(
        Action("visit.recorded", _("visit recorded"), _("%(actor)s recorded the %(object)s.")),
        Action("visit.changed", _("visit changed"), _("%(actor)s changed the %(object)s.")),
        Action("visit.deleted", _("visit deleted"), _("%(actor)s deleted the %(object)s.")),
        Action(
            "visit.photo_attached",
            _("photo attached to a visit"),
            _("%(actor)s attached a photo to the %(object)s."),
        ),
        Action(
            "visit.need_raised",
            _("need raised from a visit"),
            _("%(actor)s raised a need from the %(object)s."),
        ),
        Action(
            "visit.campaign_day_set",
            _("campaign day set"),
            _("%(actor)s set the campaign day %(day)s (%(name)s)."),
        ),
        Action(
            "visit.campaign_day_removed",
            _("campaign day removed"),
            _("%(actor)s removed a campaign day."),
        ),
    )


def _lines(value) -> str:
    if not isinstance(value, list):
        return "—"
    return (
        ", ".join(
            f"{line.get('kind')} {line.get('quantity')}"
            + (f" ({line['description']})" if line.get("description") else "")
            for line in value
            if isinstance(line, dict)
        )
        or "—"
    )
