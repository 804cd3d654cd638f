"""What every app's pages share: an action's refusal put on its form, the htmx question,
and a filter form's valid fields. It lives here so that no app's views import another's."""

from django.core.exceptions import ValidationError


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
