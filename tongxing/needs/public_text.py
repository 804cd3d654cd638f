"""What of a need the public reads, and its check for personal data.

A need's title, story, place and unit are on the public board; a pledge's note and the
reason it ended are read by its donor, and so are the household's thanks. None of them may
carry an ID, phone or bank card number, or the full name of one of the household's
members (for a micro-wish, the child is one of them): the national platform leaked ID
numbers through exactly such text. The actions refuse such text when it is written and
again when a need is published; `tongxing scan-public-text` finds what was stored before.
"""

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from tongxing.registry.models import Member
from tongxing.text import Finding, check_public_text, find_personal_data

# The fields of a need that the board shows to anyone.
PUBLIC_NEED_FIELDS = ("title", "story", "place", "unit")
FIELD_LABELS = {"title": _("title"), "story": _("story"), "place": _("where"), "unit": _("unit")}
# The text of a pledge its donor reads (the household's thanks are on its Feedback).
DONOR_PLEDGE_FIELDS = ("note", "end_reason")
# Households whose members' names are read in one query (SQLite's parameter limit is far).
NAMES_BATCH = 500


def household_names(household_ids: Iterable[int | None]) -> dict[int, list[str]]:
    """Return the full names of the members of each household."""
    ids = sorted({pk for pk in household_ids if pk is not None})
    names: dict[int, list[str]] = {}
    for start in range(0, len(ids), NAMES_BATCH):
        members = Member.objects.filter(household_id__in=ids[start : start + NAMES_BATCH])
        for household_id, name in members.values_list("household_id", "name"):
            names.setdefault(household_id, []).append(name)
    return names


def names_of(household_id: int | None) -> list[str]:
    """The full names of one household's members (none for a village's collective need)."""
    return household_names([household_id]).get(household_id, [])


def check_need_text(values: dict, *, names: list[str], errors: dict[str, list[str]]) -> None:
    """Add to `errors` what each public field of a need holds that must not be public."""
    for field in PUBLIC_NEED_FIELDS:
        check_public_text(values.get(field) or "", field=field, names=names, errors=errors)


def need_findings(need, names: list[str]) -> dict[str, list[Finding]]:
    """What the check finds in each public field of a need, by field (empty ones left out)."""
    found = {}
    for field in PUBLIC_NEED_FIELDS:
        findings = find_personal_data(getattr(need, field) or "", names=names)
        if findings:
            found[field] = findings
    return found


def segments(text: str, findings: list[Finding]) -> list[tuple[str, Finding | None]]:
    """Cut a text into its plain parts and its findings, in order, for highlighting."""
    parts: list[tuple[str, Finding | None]] = []
    at = 0
    for finding in findings:
        if finding.start > at:
            parts.append((text[at : finding.start], None))
        parts.append((text[finding.start : finding.end], finding))
        at = finding.end
    if at < len(text):
        parts.append((text[at:], None))
    return parts
