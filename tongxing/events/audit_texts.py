"""The words of the audit events of events, exemplars, publicity and policies (see
`audit.events`). Objects are named through the app's region-scoped selectors, so a reader
learns the title only of what they may read."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongxing.accounts.models import User
from tongxing.audit import events
from tongxing.audit.events import Action, Named
from tongxing.events import selectors
from tongxing.text import mask_personal_data


def _namer(visible, text, url_name: str = ""):
    def names(viewer: User, ids: list[str]) -> dict[str, Named]:
        wanted = [int(i) for i in ids if i.isdigit()]
        found = visible(viewer).filter(pk__in=wanted)
        named = {}
        for obj in found:
            url = ""
            if url_name:
                from django.urls import reverse

                url = reverse(url_name, args=[obj.pk])
            named[str(obj.pk)] = Named(
                _("“%(title)s” (#%(id)s)") % {"title": mask_personal_data(text(obj)), "id": obj.pk},
                url,
                obj,
            )
        return named

    return names


def register() -> None:
    _l = gettext_lazy
    events.register_family("event", _l("Events"), object_type="events.event")
    events.register_family("centre", _l("E-commerce service centre"))
    events.register_family("award", _l("Awards"))
    events.register_family("story", _l("Stories"), object_type="events.storysubmission")
    events.register_family("publicity", _l("Publicity"), object_type="events.publicityitem")
    events.register_family("policy", _l("Policy library"))
    events.register_object_type(
        "events.event",
        names=_namer(selectors.events_visible_to, lambda e: e.title, "events:detail"),
    )
    events.register_object_type(
        "events.servicecentre", names=_namer(selectors.centres_visible_to, lambda c: c.name)
    )
    events.register_object_type(
        "events.awardcategory",
        names=_namer(selectors.categories_visible_to, lambda c: f"{c.name} {c.year}"),
    )
    events.register_object_type(
        "events.nomination",
        names=_namer(selectors.nominations_visible_to, lambda n: str(n.nominee)),
    )
    events.register_object_type(
        "events.storysubmission", names=_namer(selectors.stories_visible_to, lambda s: s.title)
    )
    events.register_object_type(
        "events.publicityitem", names=_namer(selectors.publicity_visible_to, lambda p: p.title)
    )
    events.register_object_type(
        "events.policydocument", names=_namer(selectors.policies_visible_to, lambda p: p.title)
    )
    events.register_object_type(
        "events.policycompendium",
        names=_namer(selectors.compendia_visible_to, lambda c: str(c.year)),
    )
    events.register_object_type("events.residency")
    events.register_actions(
        Action("event.created", _l("recorded"), _l("%(actor)s recorded the event %(object)s.")),
        Action("event.changed", _l("changed"), _l("%(actor)s changed the event %(object)s.")),
        Action(
            "event.outcomes",
            _l("outcomes recorded"),
            _l("%(actor)s recorded the outcomes of the event %(object)s."),
        ),
        Action(
            "event.attendance",
            _l("attendance list kept"),
            _l("%(actor)s kept the attendance list of the event %(object)s."),
        ),
        Action(
            "event.income_gain",
            _l("income gain recorded"),
            _l("%(actor)s recorded an income gain after the event %(object)s."),
        ),
        Action(
            "event.prize",
            _l("prize awarded"),
            _l("%(actor)s recorded a prize of the contest %(object)s."),
        ),
        Action(
            "centre.created",
            _l("centre recorded"),
            _l("%(actor)s recorded the e-commerce service centre %(object)s."),
        ),
        Action(
            "centre.resident_added",
            _l("company moved in"),
            _l("%(actor)s recorded a company resident in %(object)s."),
        ),
        Action(
            "centre.resident_left",
            _l("company left"),
            _l("%(actor)s recorded that a company left the service centre."),
        ),
        Action(
            "award.category_created",
            _l("category created"),
            _l("%(actor)s created the award category %(object)s."),
        ),
        Action("award.nominated", _l("nominated"), _l("%(actor)s nominated %(object)s.")),
        Action(
            "award.decided",
            _l("decided"),
            _l("%(actor)s decided on the nomination %(object)s."),
        ),
        Action("story.submitted", _l("submitted"), _l("%(actor)s submitted the story %(object)s.")),
        Action("story.reviewed", _l("reviewed"), _l("%(actor)s reviewed the story %(object)s.")),
        Action(
            "publicity.recorded",
            _l("recorded"),
            _l("%(actor)s recorded the publicity item %(object)s."),
        ),
        Action("policy.added", _l("added"), _l("%(actor)s added the policy document %(object)s.")),
        Action(
            "policy.compendium_created",
            _l("compendium created"),
            _l("%(actor)s created the policy compendium %(object)s."),
        ),
        Action(
            "policy.compendium_published",
            _l("compendium published"),
            _l("%(actor)s published the policy compendium %(object)s."),
        ),
    )
