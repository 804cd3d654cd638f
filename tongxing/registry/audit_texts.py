"""The words of the registry's audit events (see `audit.events`).

Members are named as the public pages name people, by surname and stars (朱**); households
by their registry number. Both link to the household's page, and only for a reader whose
region holds the household.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tongxing.accounts.models import User
from tongxing.audit import events
from tongxing.audit.events import Action, Key, Named
from tongxing.registry import rights
from tongxing.registry.models import HardshipCause, HelperAssignment, Member, Relation
from tongxing.registry.selectors import (
    households_visible_to,
    organisations_visible_to,
    people_visible_to,
)
from tongxing.text import masked_name


def _ints(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if i.isdigit()]


def _household_url(household_id: int) -> str:
    return reverse("registry:household", args=[household_id])


def household_names(viewer: User, ids: list[str]) -> dict[str, Named]:
    households = households_visible_to(viewer).filter(pk__in=_ints(ids)).only("registry_number")
    return {str(h.pk): Named(h.registry_number, _household_url(h.pk), h) for h in households}


def _visible_households(viewer: User, ids) -> set[int]:
    """Which of these households the viewer may open: looked up by key, then scoped (a
    join to the scope's households made SQLite read every household of the city)."""
    return set(households_visible_to(viewer).filter(pk__in=set(ids)).values_list("pk", flat=True))


def member_names(viewer: User, ids: list[str]) -> dict[str, Named]:
    members = list(Member.objects.filter(pk__in=_ints(ids)))
    visible = _visible_households(viewer, [m.household_id for m in members])
    return {
        str(m.pk): Named(masked_name(m.name), _household_url(m.household_id))
        for m in members
        if m.household_id in visible
    }


def organisation_names(viewer: User, ids: list[str]) -> dict[str, Named]:
    editor = rights.may_edit_directory(viewer)
    return {
        str(o.pk): Named(
            o.name, reverse("registry:organisation_edit", args=[o.pk]) if editor else ""
        )
        for o in organisations_visible_to(viewer).filter(pk__in=_ints(ids))
    }


def person_names(viewer: User, ids: list[str]) -> dict[str, Named]:
    people = people_visible_to(viewer).filter(pk__in=_ints(ids))
    return {str(p.pk): Named(p.name) for p in people}


def assignment_names(viewer: User, ids: list[str]) -> dict[str, Named]:
    assignments = list(
        HelperAssignment.objects.filter(pk__in=_ints(ids)).select_related("person", "household")
    )
    visible = _visible_households(viewer, [a.household_id for a in assignments])
    return {
        str(a.pk): Named(
            _("%(person)s for household %(household)s")
            % {"person": a.person.name, "household": a.household.registry_number},
            _household_url(a.household_id),
        )
        for a in assignments
        if a.household_id in visible
    }


def causes(values, data) -> str:
    labels = dict(HardshipCause.choices)
    return events.join([str(labels.get(v, v)) for v in values]) if isinstance(values, list) else ""


def members(values, data) -> str:
    """The members a new household came with (an import's event): 朱** (head), 李** (spouse)."""
    relations = dict(Relation.choices)
    return events.join(
        [
            _("%(name)s (%(relation)s)")
            % {
                "name": masked_name(str(m.get("name", ""))),
                "relation": relations.get(m.get("relation"), "—"),
            }
            for m in values
            if isinstance(m, dict)
        ]
    )


def _household_export(data: dict):
    count = data.get("households") if isinstance(data.get("households"), int) else 0
    if data.get("reason"):
        return ngettext(
            "%(actor)s exported %(households)s household with full ID and phone numbers "
            "(reason: %(reason)s).",
            "%(actor)s exported %(households)s households with full ID and phone numbers "
            "(reason: %(reason)s).",
            count,
        )
    return ngettext(
        "%(actor)s exported %(households)s household with full ID and phone numbers.",
        "%(actor)s exported %(households)s households with full ID and phone numbers.",
        count,
    )


def _link_account(data: dict):
    if data.get("account"):
        return gettext_lazy("%(actor)s gave the household %(object)s its own login, %(account)s.")
    return gettext_lazy("%(actor)s took the household %(object)s's own login away.")


def _link_person_account(data: dict):
    if data.get("account"):
        return gettext_lazy("%(actor)s let %(object)s log in as %(account)s.")
    return gettext_lazy("%(actor)s took the login of %(object)s away.")


def _rotation_start(data: dict):
    if data.get("reindex"):
        return gettext_lazy(
            "%(actor)s started re-encrypting and re-indexing the ID and phone numbers "
            "(members: %(members)s, people: %(people)s)."
        )
    return gettext_lazy(
        "%(actor)s started re-encrypting the ID and phone numbers with the current key "
        "(members: %(members)s, people: %(people)s)."
    )


def register() -> None:
    _ = gettext_lazy
    events.register_family("household", _("Households"), object_type="registry.household")
    events.register_family("member", _("Members"), object_type="registry.member")
    events.register_family("organisation", _("Organisations"), object_type="registry.organisation")
    events.register_family("person", _("People"), object_type="registry.person")
    events.register_family("datakey", _("Personal-data key"))
    household = Key(_("household"), refers_to="registry.household")
    events.register_object_type(
        "registry.household",
        names=household_names,
        keys={
            "hardship_causes": Key(_("causes of hardship"), causes),
            "members": Key(_("members"), members),
        },
    )
    events.register_object_type(
        "registry.member", names=member_names, keys={"household": household}
    )
    events.register_object_type("registry.organisation", names=organisation_names)
    events.register_object_type("registry.person", names=person_names)
    events.register_object_type(
        "registry.helperassignment",
        names=assignment_names,
        keys={"person": Key(_("person"), refers_to="registry.person"), "household": household},
    )
    events.register_actions(
        Action(
            "household.create",
            _("household registered"),
            _("%(actor)s registered the household %(object)s in %(village)s."),
        ),
        Action(
            "household.update",
            _("household changed"),
            _("%(actor)s changed the household %(object)s."),
        ),
        Action(
            "household.assign_helper",
            _("helper assigned"),
            _(
                "%(actor)s made %(person)s the assigned helper of the household %(household)s "
                "from %(since)s."
            ),
        ),
        Action(
            "household.end_helper",
            _("helper's assignment ended"),
            _("%(actor)s ended the assignment of %(object)s on %(until)s."),
        ),
        Action("household.link_account", _("household's login changed"), _link_account),
        Action("person.link_account", _("person's login changed"), _link_person_account),
        Action("household.export_full", _("exported with full numbers"), _household_export),
        Action(
            "member.create",
            _("member added"),
            _("%(actor)s added the member %(object)s to the household %(household)s."),
        ),
        Action(
            "member.update",
            _("member changed"),
            _("%(actor)s changed the member %(object)s of the household %(household)s."),
        ),
        Action(
            "member.reveal",
            _("full numbers viewed"),
            _("%(actor)s viewed the full ID and phone numbers of the member %(object)s."),
            hide=("fields",),
        ),
        Action(
            "organisation.create",
            _("organisation registered"),
            _("%(actor)s registered the organisation %(object)s in %(region)s."),
        ),
        Action(
            "organisation.update",
            _("organisation changed"),
            _("%(actor)s changed the organisation %(object)s."),
        ),
        Action(
            "person.create",
            _("person added"),
            _("%(actor)s added %(object)s to the people of %(region)s."),
        ),
        Action(
            "datakey.rotation_start",
            _("key rotation started"),
            _rotation_start,
            hide=("reindex",),
        ),
        Action(
            "datakey.rotation_finish",
            _("key rotation finished"),
            _(
                "%(actor)s finished re-encrypting the ID and phone numbers (members: "
                "%(members)s, people: %(people)s, left: %(left)s, registered twice: "
                "%(duplicates)s)."
            ),
        ),
    )
