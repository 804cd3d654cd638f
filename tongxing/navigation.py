"""The site's navigation and what a template may ask of the signed-in account: a context
processor for every page. It spans every app (their pages, by URL name, and the unread
notifications), so it lives with the shell, above them."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongxing.access import (
    ACCOUNT_ADMIN_ROLES,
    ASSIGNED_HELPERS,
    AUDIT_READERS,
    FIGURE_APPROVERS,
    NEED_REVIEWERS,
    PLEDGERS,
    REGION_SCOPED_ROLES,
    RULE_EDITORS,
    STAFF_ROLES,
    Role,
)
from tongxing.notifications.selectors import unread_count

# What a template may ask of the signed-in account (`{% if can.review %}`), from the named
# role sets the views themselves allow: templates never spell a role.
RIGHTS = {
    "review": NEED_REVIEWERS,
    "approve_figures": FIGURE_APPROVERS,
    "manage_accounts": ACCOUNT_ADMIN_ROLES,
    "edit_rules": RULE_EDITORS,
    "run_city_office": frozenset({Role.CITY_ADMIN}),
    "pledge": PLEDGERS,
    # Who the workspace speaks to: one's own household, or the households one is assigned.
    "act_as_household": frozenset({Role.HOUSEHOLD}),
    "help_assigned_households": ASSIGNED_HELPERS,
    "give": frozenset({Role.DONOR}),
    "speak_for_organisation": frozenset({Role.ORG_REP}),
    # Pairing programmes: offices and organisations record money; the offices review it.
    "record_pairing_money": frozenset({Role.CITY_ADMIN, Role.TOWNSHIP_ADMIN, Role.ORG_REP}),
    "review_pairing_money": frozenset({Role.CITY_ADMIN, Role.TOWNSHIP_ADMIN}),
}

# (label, url name, roles that see it[, other url names under which it is current]); the
# pages themselves enforce the same roles.
NAVIGATION = [
    (_("Workspace"), "workspace", set(Role.values)),
    (_("Needs board"), "needs:board", set(Role.values)),
    (_("Dashboard"), "dashboard:dashboard", set(REGION_SCOPED_ROLES)),
    (_("My pledges"), "needs:my_pledges", set(PLEDGERS)),
    (_("My needs"), "needs:region", {Role.HOUSEHOLD}, ("needs:create",)),
    (_("Needs"), "needs:region", set(REGION_SCOPED_ROLES), ("needs:create",)),
    (_("Review"), "needs:review", set(NEED_REVIEWERS), ("needs:escalated", "needs:rules")),
    (_("Visits"), "visits:list", set(REGION_SCOPED_ROLES), ("visits:new", "visits:coverage")),
    (
        _("Programmes"),
        "programs:programmes",
        set(STAFF_ROLES),
        ("programs:record", "programs:review"),
    ),
    (_("Regions"), "regions:tree", set(REGION_SCOPED_ROLES)),
    (
        _("Figures"),
        "indicators:figures",
        set(REGION_SCOPED_ROLES),
        ("indicators:table", "indicators:approvals"),
    ),
    (_("Households"), "registry:households", set(REGION_SCOPED_ROLES)),
    (
        _("Consumption"),
        "commerce:suppliers",
        set(REGION_SCOPED_ROLES | {Role.ORG_REP}),
        ("commerce:sales", "commerce:procurement"),
    ),
    (_("Directory"), "registry:organisations", set(REGION_SCOPED_ROLES), ("registry:people",)),
    (
        _("Events"),
        "events:list",
        set(REGION_SCOPED_ROLES) | {Role.ORG_REP},
        ("events:exemplars", "events:stories", "events:publicity", "events:policies"),
    ),
    (_("Accounts"), "accounts:users", set(ACCOUNT_ADMIN_ROLES)),
    (_("Audit log"), "accounts:audit", set(AUDIT_READERS)),
    (_("Annual report"), "reports:page", set(REGION_SCOPED_ROLES)),
    (_("Notifications"), "notifications:list", set(Role.values)),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "can": {}}
    path = request.path
    items = []
    for label, name, roles, *also in NAVIGATION:
        if user.role in roles:
            url = reverse(name)
            under = [url, *(reverse(other) for other in (also[0] if also else ()))]
            # The longest matching address wins: /needs/ is the board, not every need page.
            match = max((len(u) for u in under if path.startswith(u) and u != "/"), default=0)
            items.append({"label": label, "url": url, "name": name, "match": match})
    best = max((item["match"] for item in items), default=0)
    # One COUNT on the (recipient, read_at) index, on every page a logged-in user opens.
    unread = unread_count(user)
    for item in items:
        match = item.pop("match")
        item["active"] = bool(match) and match == best
        item["badge"] = unread if item["name"] == "notifications:list" else 0
    can = {right: user.role in roles for right, roles in RIGHTS.items()}
    return {"nav_items": items, "unread_notifications": unread, "can": can}
