from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongxing.accounts.models import ACCOUNT_ADMIN_ROLES, REGION_SCOPED_ROLES, Role

# (label, url name, roles that see it[, other url names under which it is current]); the
# pages themselves enforce the same roles.
NAVIGATION = [
    (_("Workspace"), "workspace", set(Role.values)),
    (_("Regions"), "regions:tree", set(REGION_SCOPED_ROLES)),
    (_("Households"), "registry:households", set(REGION_SCOPED_ROLES)),
    (_("Directory"), "registry:organisations", set(REGION_SCOPED_ROLES), ("registry:people",)),
    (_("Accounts"), "accounts:users", set(ACCOUNT_ADMIN_ROLES)),
    (_("Audit log"), "accounts:audit", {Role.CITY_ADMIN}),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    path = request.path
    items = []
    for label, name, roles, *also in NAVIGATION:
        if user.role in roles:
            url = reverse(name)
            under = [url, *(reverse(other) for other in (also[0] if also else ()))]
            active = any(path.startswith(u) for u in under) and url != "/"
            items.append({"label": label, "url": url, "active": active})
    return {"nav_items": items}
