"""The shell's own pages: the public home, each role's workspace, and the error pages."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from tongxing import public_cache
from tongxing.access import ASSIGNED_HELPERS, EVERY_ROLE, allow, public
from tongxing.indicators.dashboard import public_headline
from tongxing.middleware import api_error, csrf_failure_detail, is_api
from tongxing.regions import selectors as region_selectors
from tongxing.selectors import assigned_households, home_figures, workspace_figures


@public
@public_cache.cached("board")
def home(request):
    # Kept for anonymous readers until the board changes (or the day turns): the headline
    # counts needs, pledges and deliveries, which every change of the board bumps.
    figures = home_figures()
    context = {"figures": figures, "headline": public_headline(figures["root"])}
    return render(request, "home.html", context)


@allow(EVERY_ROLE)
def workspace(request):
    user = request.user
    root = region_selectors.scope_root(user)
    context = {"root": root}
    if root is not None:
        context["figures"] = workspace_figures(user)
        context["path"] = region_selectors.path_visible_to(user, root)
        if user.role in ASSIGNED_HELPERS:
            context["assigned"] = assigned_households(user)
    return render(request, "workspace.html", context)


# --- Error pages ------------------------------------------------------------------------------
# Django calls these (see `handler400` … in urls.py, and CSRF_FAILURE_VIEW) for pages and the
# API alike: the API gets JSON, a page the site's frame in the visitor's language with a way
# back. They need no access declaration: they answer requests that reached no view.


def bad_request(request, exception=None):
    # A form over DATA_UPLOAD_MAX_MEMORY_SIZE reaches here as a 400; it is a 413.
    too_large = isinstance(exception, RequestDataTooBig)
    status = 413 if too_large else 400
    if is_api(request):
        return api_error(status)
    limit = f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,}"
    context = {"too_large": too_large, "limit": limit}
    return render(request, "400.html", context, status=status)


def permission_denied(request, exception=None):
    if is_api(request):
        return api_error(403)
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    if is_api(request):
        return api_error(404)
    return render(request, "404.html", status=404)


def server_error(request):
    if is_api(request):
        return api_error(500)
    # Without the request's context: its processors read the database (the account, the
    # unread notifications), which may be what failed.
    return HttpResponseServerError(loader.render_to_string("500.html"))


def csrf_failure(request, reason: str = ""):
    if is_api(request):
        return api_error(403, csrf_failure_detail())
    return render(request, "403.html", {"csrf_failed": True}, status=403)
