"""What every app's pages share: an action's refusal put on its form, an uploaded file read
or refused on its form, the htmx question, and a filter form's valid fields. It lives here
so that no app's views import another's."""

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from tongxing.tabular import TableError

T = TypeVar("T")


def show_errors(form, exc: ValidationError, rename: dict | None = None) -> None:
    """Put an action's errors beside the form's fields, the rest above the form.

    The action names its fields as it knows them; `rename` maps those to the form's names
    where they differ. A list of errors (no field named) goes above the form.
    """
    rename = rename or {}
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for field, messages in exc.message_dict.items():
        name = rename.get(field, field)
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


def read_upload(form, read: Callable[..., T], *, field: str = "file") -> T | None:
    """Return what `read` makes of the form's uploaded file, or None with the refusal on the
    form: a file refused as a whole (size, format, header) beside its field, an action's
    errors where `show_errors` puts them."""
    upload = form.cleaned_data[field]
    try:
        return read(upload)
    except TableError as exc:
        form.add_error(field, str(exc))
    except ValidationError as exc:
        show_errors(form, exc)
    return None


def wants_fragment(request) -> bool:
    """Return whether htmx asks for the part of the page it swaps, not the whole page."""
    # On Back, htmx may fetch a pushed URL again to restore it: that needs the whole page.
    return bool(request.headers.get("HX-Request")) and not request.headers.get(
        "HX-History-Restore-Request"
    )


def cleaned(form) -> dict:
    """Return the valid fields of a filter form; a bad filter is ignored, not an error."""
    form.is_valid()
    return getattr(form, "cleaned_data", {})


def follow_job(request, url_name: str, job) -> HttpResponse:
    """Send the browser to a background job's page (htmx follows HX-Redirect with a full
    page load)."""
    url = reverse(url_name, args=[job.pk])
    if request.headers.get("HX-Request"):
        response = HttpResponse()
        response["HX-Redirect"] = url
        return response
    return redirect(url)
