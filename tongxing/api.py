"""The REST API at /api/v1/: one NinjaAPI, a router per app, errors as JSON.

Every operation needs an authenticated caller unless it says `auth=None`, and each one
declares its roles with `allow` (or `public`), like the pages.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError
from ninja.security import HttpBearer, SessionAuth

from tongxing.accounts.actions import LoginRefused
from tongxing.accounts.selectors import user_for_token
from tongxing.middleware import api_error_detail, csrf_failure_detail


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        found = user_for_token(token)
        if found is None:
            return None
        request.user, request.api_token = found
        return request.user


class Session(SessionAuth):
    """A logged-in browser's session; its writes carry the page's CSRF token."""

    def _get_key(self, request):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            # No session, nothing to forge: the caller is anonymous (401), not refused (403).
            return None
        try:
            return super()._get_key(request)
        except HttpError:
            raise HttpError(403, csrf_failure_detail()) from None


api = NinjaAPI(
    title="Tongxing API",
    version="1",
    description="Records, programmes and figures of a social-assistance office.",
    auth=[BearerToken(), Session()],
    urls_namespace="api",
)


def error_response(request, status: int, detail: str, errors: list[dict] | None = None):
    body = {"detail": detail}
    if errors is not None:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(SchemaError)
def on_schema_error(request, exc: SchemaError):
    errors = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload")]
        errors.append({"field": ".".join(location), "message": schema_message(error)})
    return error_response(request, 422, _("Some fields are not valid."), errors)


def schema_message(error: dict) -> str:
    """A field the schema refuses, said in the request's language as our own actions say
    it (the validation library's messages are English only); its own words otherwise."""
    kind, context = error.get("type", ""), error.get("ctx") or {}
    if kind == "string_too_long":
        return _("Keep it to %(max)s characters.") % {"max": f"{context.get('max_length', 0):,}"}
    if kind == "missing":
        return _("Fill in this field.")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("Give a whole number.")
    if kind in ("date_parsing", "date_from_datetime_parsing", "date_type"):
        return _("Give a date as YYYY-MM-DD.")
    if kind in ("bool_parsing", "bool_type"):
        return _("Give true or false.")
    if kind in ("literal_error", "enum"):
        return _("Choose one of: %(expected)s.") % {"expected": context.get("expected", "")}
    if kind == "string_pattern_mismatch":
        return _("This is not in the expected form.")
    return error.get("msg", "")


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": "" if field == "__all__" else field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        errors = [{"field": "", "message": message} for message in exc.messages]
    return error_response(request, 400, _("The request cannot be carried out."), errors)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error_response(request, 404, _("Not found."))


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    return error_response(request, 403, _("You do not have permission to do this."))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return error_response(request, 401, _("Log in first: send a bearer token."))


@api.exception_handler(LoginRefused)
def on_login_refused(request, exc):
    return error_response(request, 429, _("Too many failed logins. Try again later."))


@api.exception_handler(RequestDataTooBig)
def on_too_large(request, exc):
    return error_response(request, 413, api_error_detail(413))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return error_response(request, exc.status_code, str(exc))


def register_routers() -> None:
    from tongxing.accounts.api import router as accounts_router
    from tongxing.commerce.api import router as commerce_router
    from tongxing.events.api import router as events_router
    from tongxing.indicators.api import router as indicators_router
    from tongxing.jobs.api import router as jobs_router
    from tongxing.needs.api import router as needs_router
    from tongxing.notifications.api import router as notifications_router
    from tongxing.programs.api import router as programs_router
    from tongxing.regions.api import router as regions_router
    from tongxing.registry.api import router as registry_router
    from tongxing.visits.api import router as visits_router

    api.add_router("/", accounts_router)
    api.add_router("/", jobs_router)
    api.add_router("/regions", regions_router)
    api.add_router("/", registry_router)
    api.add_router("/", needs_router)
    api.add_router("/", notifications_router)
    api.add_router("/", programs_router)
    api.add_router("/", visits_router)
    api.add_router("/", commerce_router)
    api.add_router("/", events_router)
    api.add_router("/", indicators_router)


register_routers()
