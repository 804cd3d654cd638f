from django.shortcuts import redirect, render

from tongxing.accounts.access import allow
from tongxing.accounts.models import REGION_SCOPED_ROLES
from tongxing.regions import selectors


@allow(*REGION_SCOPED_ROLES)
def tree(request, code: str | None = None):
    """Show a region of the user's scope with its children and their counts."""
    if code is None:
        return redirect("regions:region", code=request.user.region_id)
    region = selectors.access_region_by_code(request.user, code)
    context = {
        "region": region,
        "path": selectors.path_visible_to(request.user, region),
        "counts": selectors.subtree_counts(region),
        "children": selectors.children_with_counts(region),
    }
    template = (
        "regions/_children.html" if request.headers.get("HX-Request") else "regions/tree.html"
    )
    return render(request, template, context)
