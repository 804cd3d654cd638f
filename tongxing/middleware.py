"""Tongxing's own middleware: the API's errors in JSON, the pages' Content-Security-Policy,
and the refusal of addresses that hold characters no input may hold."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from tongxing.text import forbidden_characters, refusal_message

API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def api_error_detail(status: int) -> str:
    """Say in the request's language what an error status of the API means."""
    if status == 413:
        return _("The request is too large: send at most %(size)s bytes.") % {
            "size": f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,}"
        }
    details = {
        400: _("The request is not valid."),
        401: _("Log in first: send a bearer token."),
        403: _("You do not have permission to do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        500: _("Something went wrong on our side. It has been logged; try again later."),
    }
    fallback = _("The request cannot be carried out.") if status < 500 else details[500]
    return details.get(status, fallback)


def csrf_failure_detail() -> str:
    return _(
        "The CSRF check failed: send the page's CSRF token in the X-CSRFToken header, "
        "or use a bearer token."
    )


def api_error(status: int, detail: str | None = None) -> JsonResponse:
    # As the API's own answers are typed, so that a client sees one kind of error.
    return JsonResponse(
        {"detail": detail or api_error_detail(status)},
        status=status,
        content_type="application/json; charset=utf-8",
    )


class ApiErrorsAsJson:
    """Answer every error under /api/ in JSON, as the API's own errors are.

    The API's operations answer JSON themselves; what reaches a client otherwise is
    Django's: the 404 of a path no operation has, the 405 of a method a path does not take,
    the 400 (413 here) of a body over DATA_UPLOAD_MAX_MEMORY_SIZE, the 500 of an unexpected
    exception (which Django has logged by then). Such an answer is rewritten here, keeping
    its status and its Allow header. It sits below LocaleMiddleware, so the detail is in
    the request's language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and is_api(request)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            rewritten = api_error(response.status_code)
            if response.has_header("Allow"):
                rewritten["Allow"] = response["Allow"]
            return rewritten
        return response


class ContentSecurityPolicy:
    """Send settings.CONTENT_SECURITY_POLICY with every answer that has none of its own.

    Django 5.2 has no policy of its own, and django-csp would add a dependency for what is
    one header: the pages hold no inline script, handler or style to allow with nonces.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY:
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


def address_faults(request: HttpRequest) -> tuple[list[dict], str]:
    """Return each part of the request's address holding refused characters, with why, and
    the address without those parts (the home page when the path itself holds them)."""
    faults, kept = [], QueryDict(mutable=True)
    in_path = forbidden_characters(request.path)
    if in_path:
        faults.append({"field": "", "message": refusal_message(in_path)})
    for key, values in request.GET.lists():
        bad = forbidden_characters("".join([key, *values]))
        if not bad:
            kept.setlist(key, values)
            continue
        field = "" if forbidden_characters(key) else key
        faults.append({"field": field, "message": refusal_message(bad)})
    if in_path:
        return faults, reverse("home")
    query = kept.urlencode()
    return faults, request.path + (f"?{query}" if query else "")


class RefuseControlCharacters:
    """Refuse a request whose address holds characters no input may hold.

    Every search and filter of the pages and the API reads its words from the query
    string, so the one check of them is here rather than in each view: a NUL that reached
    PostgreSQL was a server error on every search, and no record can hold a control
    character, a bidi override or a zero-width character (the actions refuse them), so
    nothing could match. The answer is a 400 that names the parameter and the characters:
    JSON under the API; elsewhere a page that offers the same page without them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        faults, without = address_faults(request)
        if not faults:
            return self.get_response(request)
        if is_api(request):
            return JsonResponse(
                {"detail": _("The request cannot be carried out."), "errors": faults},
                status=400,
                content_type="application/json; charset=utf-8",
            )
        context = {"faults": faults, "without": without}
        return render(request, "refused_request.html", context, status=400)
