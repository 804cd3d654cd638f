"""Text as people type it: one cleaner for every input, and the check of free text that can
become public for personal data.

`clean_text` is the one cleaner of every text a person types (names, titles, stories,
notes, search words): it refuses control characters, NUL, bidi overrides and zero-width
characters (a BEL in a name once broke every export; a NUL is a server error on
PostgreSQL; a bidi override makes a name read backwards), and refuses text over its length
with a message instead of cutting it.

`find_personal_data` finds in free text what must never reach a public surface: resident ID
numbers (18 characters, with or without a valid check digit, full- or half-width, with
spaces or hyphens), mainland mobile and landline numbers, bank card numbers, and the full
names the caller names (a household's own members). The national platform leaked ID
numbers through exactly such text. `mask_personal_data` masks what it finds, as the
registry masks numbers (420981********123X, 138****5678) and the board masks names (张**).
"""

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# --- Cleaning -------------------------------------------------------------------------------

# Kept in text of several lines; everything else of categories Cc (control), Cf (format:
# zero-width spaces and joiners, bidi marks, overrides and isolates, soft hyphens, the
# byte-order mark) and Cs (lone surrogates, which a JSON "\ud800" escape can carry) is refused.
LINE_BREAKS = frozenset("\n\r\t")
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})


def forbidden_characters(text: str, *, multiline: bool = False) -> list[str]:
    """Return the characters of the text that no input may hold, each once, in order."""
    found: list[str] = []
    for char in text:
        if char in found or (multiline and char in LINE_BREAKS):
            continue
        if unicodedata.category(char) in REFUSED_CATEGORIES:
            found.append(char)
    return found


def describe_characters(chars: list[str]) -> str:
    """Name invisible characters so a person can find them: U+0007, U+202E."""
    return "、".join(f"U+{ord(char):04X}" for char in chars)


def refusal_message(chars: list[str]) -> str:
    """Say which characters to take out of a text."""
    return _("Remove the invisible or control characters (%(chars)s) from this text.") % {
        "chars": describe_characters(chars)
    }


def search_text(value: object) -> str | None:
    """Return search words folded as `clean_text` folds a line, or None when they hold a
    character no input may hold: no record holds one, so such a search finds nothing
    (and a NUL never reaches the database, where PostgreSQL refuses it with an error)."""
    text = " ".join(unicodedata.normalize("NFC", "" if value is None else str(value)).split())
    return None if forbidden_characters(text) else text


def clean_text(
    value: object,
    *,
    max_length: int,
    multiline: bool = False,
    field: str | None = None,
    errors: dict[str, list[str]] | None = None,
) -> str:
    """Return the text cleaned, or refuse it.

    A line of text has its runs of whitespace folded to one space; text of several lines
    keeps its line breaks (as \\n) and loses spaces at the ends of its lines. Either is
    stripped and put in NFC form. A refusal is added to `errors[field]` when `errors` is
    given (the caller collects every field's faults at once, and gets the cleaned text
    back to go on checking); otherwise it raises ValidationError, on `field` if named.
    """
    text = "" if value is None else str(value)
    text = unicodedata.normalize("NFC", text)
    if multiline:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        text = "\n".join(line.rstrip() for line in lines).strip()
    else:
        text = " ".join(text.split())
    message = None
    bad = forbidden_characters(text, multiline=multiline)
    if bad:
        message = refusal_message(bad)
    elif len(text) > max_length:
        message = _("Keep it to %(max)s characters (this has %(count)s).") % {
            "max": f"{max_length:,}",
            "count": f"{len(text):,}",
        }
    if message is not None:
        if errors is not None:
            errors.setdefault(field or "__all__", []).append(message)
        elif field:
            raise ValidationError({field: [message]})
        else:
            raise ValidationError(message)
    return text


# --- Personal data in free text -------------------------------------------------------------

# Full-width ASCII forms (０-９, Ｘ, －) and the ideographic space, folded one character for
# one, so that a match's position in the folded text is its position in the original.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

# A separator people put inside a long number: one space (or two), a hyphen or a dash.
_SEP = r"[ \u00a0\-\u2010-\u2015\u2212]{0,2}"
# Not glued to another digit or Latin letter (so a part of a longer code is not a number).
_START = r"(?<![0-9A-Za-z])"
_END = r"(?![0-9A-Za-z])"

ID_NUMBER = re.compile(_START + r"(?:\d" + _SEP + r"){17}[\dXx]" + _END)
# 16 to 19 digits: UnionPay and international card numbers, often written in groups of 4.
BANK_CARD = re.compile(_START + r"\d(?:" + _SEP + r"\d){15,18}" + _END)
MOBILE = re.compile(
    r"(?<![0-9A-Za-z+])(?:(?:\+|00)?86" + _SEP + r")?1[3-9]\d(?:" + _SEP + r"\d){8}" + _END
)
# An area code (010, 0731, or in brackets) and a local number of 7 or 8 digits.
LANDLINE = re.compile(
    _START + r"(?:\(0\d{2,3}\)|0\d{2,3})" + _SEP + r"[2-9]\d{2,3}" + _SEP + r"\d{4}" + _END
)

KIND_LABELS = {
    "id_number": gettext_lazy("ID number"),
    "bank_card": gettext_lazy("bank card number"),
    "mobile": gettext_lazy("mobile number"),
    "landline": gettext_lazy("phone number"),
    "name": gettext_lazy("full name"),
}
# Checked in this order; a later kind never claims characters an earlier one found.
PATTERNS = (("id_number", ID_NUMBER), ("bank_card", BANK_CARD), ("mobile", MOBILE))

# Two-character surnames (复姓) that a masked name keeps whole: 欧阳** rather than 欧**.
COMPOUND_SURNAMES = frozenset(
    {
        *("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容"),
        *("长孙", "宇文", "司徒", "夏侯", "轩辕", "令狐", "独孤", "南宫", "西门"),
    }
)


@dataclass(frozen=True)
class Finding:
    """Personal data found in a text: its kind, where it stands and what it says."""

    kind: str
    start: int
    end: int
    text: str

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def masked(self) -> str:
        return mask_finding(self)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "start": self.start, "end": self.end, "masked": self.masked}


def find_personal_data(text: str, *, names: tuple[str, ...] | list[str] = ()) -> list[Finding]:
    """Return the ID, bank card, mobile and landline numbers of a text, and the given full
    names in it, in the order they stand."""
    if not text:
        return []
    folded = text.translate(_FOLD)
    taken: list[tuple[int, int]] = []
    found: list[Finding] = []

    def add(kind: str, start: int, end: int) -> None:
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            return
        taken.append((start, end))
        found.append(Finding(kind, start, end, text[start:end]))

    for kind, pattern in (*PATTERNS, ("landline", LANDLINE)):
        for match in pattern.finditer(folded):
            add(kind, match.start(), match.end())
    # Names of one character would match everywhere; a surname alone is no full name.
    for name in sorted({" ".join(n.split()) for n in names if n}, key=len, reverse=True):
        if len(name) < 2:
            continue
        start = text.find(name)
        while start != -1:
            add("name", start, start + len(name))
            start = text.find(name, start + len(name))
    return sorted(found, key=lambda finding: finding.start)


def masked_name(name: str) -> str:
    """Return a person's surname and stars (张**, 欧阳**): how a public page names them."""
    name = name.strip()
    surname = name[:2] if name[:2] in COMPOUND_SURNAMES else name[:1]
    return f"{surname}**"


def mask_finding(finding: Finding) -> str:
    if finding.kind == "name":
        return masked_name(finding.text)
    digits = [i for i, char in enumerate(finding.text.translate(_FOLD)) if char.isalnum()]
    # Keep as much as the registry shows: an ID's region (6) and last 4, a card's first 4
    # and last 4, a phone's first 3 and last 4; the rest becomes stars.
    head = {"id_number": 6, "bank_card": 4, "mobile": 3, "landline": 0}[finding.kind]
    if finding.kind == "mobile" and len(digits) > 11:  # keep a country prefix out of "head"
        head += len(digits) - 11
    hidden = set(digits[head : len(digits) - 4])
    return "".join("*" if i in hidden else char for i, char in enumerate(finding.text))


def mask_personal_data(text: str, *, names: tuple[str, ...] | list[str] = ()) -> str:
    """Return the text with every finding of `find_personal_data` masked."""
    findings = find_personal_data(text, names=names)
    if not findings:
        return text
    parts, at = [], 0
    for finding in findings:
        parts.append(text[at : finding.start])
        parts.append(finding.masked)
        at = finding.end
    parts.append(text[at:])
    return "".join(parts)


def personal_data_message(findings: list[Finding]) -> str:
    """Say what to remove from a text that can become public, naming each finding."""
    words = "、".join(f"{finding.label}“{finding.text}”" for finding in findings)
    return _(
        "This text will be public: remove the personal data from it (%(words)s). "
        "The office keeps ID and phone numbers in the household's record."
    ) % {"words": words}


def check_public_text(
    value: str,
    *,
    field: str,
    names: tuple[str, ...] | list[str] = (),
    errors: dict[str, list[str]] | None = None,
) -> list[Finding]:
    """Refuse personal data in a text that can become public; return what was found.

    Adds the message to `errors[field]` when given, otherwise raises ValidationError.
    """
    findings = find_personal_data(value, names=names)
    if findings:
        message = personal_data_message(findings)
        if errors is None:
            raise ValidationError({field: [message]})
        errors.setdefault(field, []).append(message)
    return findings
