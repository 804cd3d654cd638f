"""The shell's own pages: the public home and each role's workspace."""

from django.shortcuts import render

from tongxing.accounts.access import allow, public
from tongxing.accounts.models import Role
from tongxing.regions import selectors as region_selectors
from tongxing.selectors import home_figures, workspace_figures


@public
def home(request):
    return render(request, "home.html", {"figures": home_figures()})


@allow(*Role.values)
def workspace(request):
    user = request.user
    root = region_selectors.scope_root(user)
    context = {"root": root}
    if root is not None:
        context["figures"] = workspace_figures(user)
        context["path"] = region_selectors.path_visible_to(user, root)
    return render(request, "workspace.html", context)
