"""The columns of the records behind this app's figures, for the figures' drill-down pages
and sheets (the indicators' records page shows them): for each model a figure lists,
`(columns, related)`, each column `(key, heading, cell, money)`. Plain tuples, so that the
indicators, which lie above, build their own columns from them; no personal data: a
member is named as a public page names them (surname and stars), a household by its
registry number."""

from decimal import Decimal

from tongxing.events.models import (
    Event,
    IncomeGain,
    Nomination,
    PolicyCompendium,
    PolicyDocument,
    PublicityItem,
    Residency,
    StorySubmission,
)
from tongxing.registry.models import Organisation


def _heading(model, field: str):
    return model._meta.get_field(field).verbose_name


def _yuan(fen: int | None) -> Decimal:
    return Decimal(fen or 0) / 100


def _nominee(nomination: Nomination) -> str:
    if nomination.household_id:
        return nomination.household.registry_number
    return nomination.person.name if nomination.person_id else nomination.organisation.name


COLUMNS = {
    "events.Event": (
        (
            ("title", _heading(Event, "title"), lambda e: e.title, False),
            ("kind", _heading(Event, "kind"), lambda e: e.get_kind_display(), False),
            ("starts_on", _heading(Event, "starts_on"), lambda e: e.starts_on, False),
            ("region", _heading(Event, "region"), lambda e: e.region.name, False),
            ("participants", _heading(Event, "participants"), lambda e: e.participants, False),
            (
                "registered_attendees",
                _heading(Event, "registered_attendees"),
                lambda e: e.registered_attendees,
                False,
            ),
            ("people_served", _heading(Event, "people_served"), lambda e: e.people_served, False),
        ),
        ("region",),
    ),
    "events.IncomeGain": (
        (
            ("event", _heading(IncomeGain, "event"), lambda g: g.event.title, False),
            (
                "household",
                _heading(IncomeGain, "household"),
                lambda g: g.household.registry_number if g.household_id else "",
                False,
            ),
            ("recorded_on", _heading(IncomeGain, "recorded_on"), lambda g: g.recorded_on, False),
            ("amount", _heading(IncomeGain, "amount_fen"), lambda g: _yuan(g.amount_fen), True),
        ),
        ("event", "household"),
    ),
    "events.Nomination": (
        (
            ("category", _heading(Nomination, "category"), lambda n: str(n.category), False),
            ("nominee", _heading(Nomination, "household"), _nominee, False),
            ("region", _heading(Nomination, "region"), lambda n: n.region.name, False),
            ("decided_on", _heading(Nomination, "decided_on"), lambda n: n.decided_on, False),
        ),
        ("category", "household", "person", "organisation", "region"),
    ),
    "events.StorySubmission": (
        (
            ("title", _heading(StorySubmission, "title"), lambda s: s.title, False),
            ("campaign", _heading(StorySubmission, "campaign"), lambda s: s.campaign, False),
            (
                "submitted_on",
                _heading(StorySubmission, "submitted_on"),
                lambda s: s.submitted_on,
                False,
            ),
            (
                "status",
                _heading(StorySubmission, "status"),
                lambda s: s.get_status_display(),
                False,
            ),
        ),
        (),
    ),
    "events.PublicityItem": (
        (
            ("title", _heading(PublicityItem, "title"), lambda p: p.title, False),
            ("outlet", _heading(PublicityItem, "outlet"), lambda p: p.outlet, False),
            (
                "outlet_level",
                _heading(PublicityItem, "outlet_level"),
                lambda p: p.get_outlet_level_display(),
                False,
            ),
            (
                "published_on",
                _heading(PublicityItem, "published_on"),
                lambda p: p.published_on,
                False,
            ),
        ),
        (),
    ),
    "events.PolicyDocument": (
        (
            ("title", _heading(PolicyDocument, "title"), lambda d: d.title, False),
            (
                "category",
                _heading(PolicyDocument, "category"),
                lambda d: d.get_category_display(),
                False,
            ),
            (
                "issuing_body",
                _heading(PolicyDocument, "issuing_body"),
                lambda d: d.issuing_body,
                False,
            ),
            (
                "in_force_from",
                _heading(PolicyDocument, "in_force_from"),
                lambda d: d.in_force_from,
                False,
            ),
        ),
        (),
    ),
    "events.PolicyCompendium": (
        (
            ("year", _heading(PolicyCompendium, "year"), lambda c: c.year, False),
            ("title", _heading(PolicyCompendium, "title"), lambda c: c.title, False),
            (
                "published_on",
                _heading(PolicyCompendium, "published_on"),
                lambda c: c.published_on,
                False,
            ),
        ),
        (),
    ),
    "events.Residency": (
        (
            ("company", _heading(Residency, "organisation"), lambda r: r.organisation.name, False),
            ("since", _heading(Residency, "since"), lambda r: r.since, False),
            ("people", _heading(Residency, "people"), lambda r: r.people, False),
        ),
        ("organisation",),
    ),
    "registry.Organisation": (
        (
            ("name", _heading(Organisation, "name"), lambda o: o.name, False),
            ("kind", _heading(Organisation, "kind"), lambda o: o.get_kind_display(), False),
            ("region", _heading(Organisation, "region"), lambda o: o.region.name, False),
        ),
        ("region",),
    ),
}
