"""The one helper that puts an action's refusal on a page's form."""

from django import forms
from django.core.exceptions import ValidationError

from tongxing.pages import show_errors


class NoteForm(forms.Form):
    note = forms.CharField(required=False)


def shown(exc: ValidationError, rename: dict | None = None) -> dict:
    form = NoteForm({"note": "x"})
    form.is_valid()
    show_errors(form, exc, rename)
    return {field: list(messages) for field, messages in form.errors.items()}


def test_a_field_error_goes_on_its_field_and_the_rest_above_the_form():
    exc = ValidationError({"note": ["Too long."], "amount": ["Too much."], "__all__": ["No."]})
    assert shown(exc) == {"note": ["Too long."], "__all__": ["Too much.", "No."]}


def test_a_field_the_action_names_otherwise_is_renamed_to_the_forms():
    assert shown(ValidationError({"thanks": ["Too long."]}), {"thanks": "note"}) == {
        "note": ["Too long."]
    }


def test_a_list_of_errors_goes_above_the_form():
    assert shown(ValidationError(["One.", "Two."])) == {"__all__": ["One.", "Two."]}
