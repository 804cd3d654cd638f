"""The password rules: Django's validators, and the one whose error needs a hand to be read.

Django 5.2 words the "too short" error with `%d`, and its Simplified Chinese catalogue still
holds the earlier wording with `%(min_length)d` (the Traditional Chinese one has the new):
so a Simplified Chinese page said "This password is too short." in English. The validator
below asks for the current wording and, where the language has no translation of it, for
the earlier one.
"""

from django.contrib.auth import password_validation
from django.utils.translation import get_language, ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        n = self.min_length
        current = (
            "This password is too short. It must contain at least %d character.",
            "This password is too short. It must contain at least %d characters.",
        )
        message = ngettext(*current, n) % n
        untranslated = (current[0] if n == 1 else current[1]) % n
        if message == untranslated and not (get_language() or "en").startswith("en"):
            earlier = (
                "This password is too short. It must contain at least %(min_length)d character.",
                "This password is too short. It must contain at least %(min_length)d characters.",
            )
            message = ngettext(*earlier, n) % {"min_length": n}
        return message


def password_rules() -> str:
    """The rules a new password must meet, in the active language, as one help text."""
    return " ".join(password_validation.password_validators_help_texts())
