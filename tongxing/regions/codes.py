"""The 12-digit statistical division codes (统计用区划代码) and what follows from them.

A code is province (2 digits), city (2), county (2), township (3), village (3), zero-padded.
A region's level is its last non-zero segment; its subtree is every code that starts with
its significant prefix; its parent is the code with its own segment zeroed.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

CODE_LENGTH = 12


class Level(models.IntegerChoices):
    PROVINCE = 1, _("province")
    CITY = 2, _("city")
    COUNTY = 3, _("county")
    TOWNSHIP = 4, _("township")
    VILLAGE = 5, _("village")


# Where each level's segment ends in the code.
SEGMENT_END = {
    Level.PROVINCE: 2,
    Level.CITY: 4,
    Level.COUNTY: 6,
    Level.TOWNSHIP: 9,
    Level.VILLAGE: 12,
}


class CodeError(ValueError):
    pass


def normalize(raw: object) -> str:
    """Return the code as 12 digits, accepting spaces, full-width digits and short forms."""
    text = str(raw if raw is not None else "").strip()
    # Full-width digits (０-９) come from Chinese spreadsheets.
    text = text.translate({0xFF10 + i: ord("0") + i for i in range(10)}).replace(" ", "")
    if text.endswith(".0"):  # a number cell read from Excel
        text = text[:-2]
    if not text:
        raise CodeError(_("The code is empty."))
    if not text.isascii() or not text.isdigit():
        raise CodeError(_("A region code has only digits."))
    if len(text) in (2, 4, 6, 9):  # the significant prefix alone
        text = text.ljust(CODE_LENGTH, "0")
    if len(text) != CODE_LENGTH:
        raise CodeError(_("A region code has 12 digits."))
    if text[:2] == "00":
        raise CodeError(_("A region code cannot start with 00."))
    return text


def level_of(code: str) -> Level:
    for level in reversed(Level):
        start = SEGMENT_END[level - 1] if level > Level.PROVINCE else 0
        if code[start : SEGMENT_END[level]].strip("0"):
            return Level(level)
    raise CodeError(_("A region code cannot be all zeros."))


def prefix_of(code: str, level: Level | None = None) -> str:
    """Return the significant prefix: every code in the subtree starts with it."""
    return code[: SEGMENT_END[level or level_of(code)]]


def parent_code_of(code: str) -> str | None:
    level = level_of(code)
    if level == Level.PROVINCE:
        return None
    start = SEGMENT_END[level - 1]
    return code[:start].ljust(CODE_LENGTH, "0")


def full_code(prefix: str) -> str:
    """Return the 12-digit code whose significant prefix this is (zeros after it)."""
    return prefix.ljust(CODE_LENGTH, "0")


def ancestor_code(code: str, level: Level) -> str:
    """Return the code of the region of this level that holds the code's region."""
    return full_code(code[: SEGMENT_END[level]])


def path_codes(code: str, level: Level | None = None) -> list[str]:
    """Return the codes of a region's ancestors from the top down, ending with its own."""
    level = level or level_of(code)
    return [ancestor_code(code, upper) for upper in Level if upper <= level]
