from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongxing.accounts.models import ACCOUNT_ADMIN_ROLES, REGION_SCOPED_ROLES, Role

# (label, url name, roles that see it); the pages themselves enforce the same roles.
NAVIGATION = [
    (_("Workspace"), "workspace", set(Role.values)),
    (_("Regions"), "regions:tree", set(REGION_SCOPED_ROLES)),
    (_("Accounts"), "accounts:users", set(ACCOUNT_ADMIN_ROLES)),
    (_("Audit log"), "accounts:audit", {Role.CITY_ADMIN}),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    path = request.path
    items = []
    for label, name, roles in NAVIGATION:
        if user.role in roles:
            url = reverse(name)
            items.append(
                {"label": label, "url": url, "active": path.startswith(url) and url != "/"}
            )
    return {"nav_items": items}
