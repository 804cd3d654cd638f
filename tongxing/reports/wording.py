"""The report's wording, kept as data: one template a language (`wording/<lang>.md`), which an
office edits without touching code. An office's own copy, under the same name in the
directory TONGXING_REPORT_WORDING names, takes the packaged one's place. Traditional Chinese
is made from the Simplified template with OpenCC (TONGXING_TRADITIONAL: "tw" for Taiwan's
phrasing, "hk" for Hong Kong's), unless the office keeps a zh-hant.md of its own.

A template: "key: value" lines first (title, not-kept, figures, figure-column,
value-column), then the text; "## " starts a heading, "### " a subheading; one sentence a
line, a blank line between paragraphs; `{{ code }}` is an indicator's figure, `{{ region }}`,
`{{ year }}` and `{{ as_of }}` the region's name, the year and the figures' last day;
a sentence naming `{{ ecommerce.training.*.<part> }}` (townships, trainees, poor_trainees,
title, date) is said once for each e-commerce training of the year, and not at all if there
was none; `[one|other]` after a figure reads "one" when the figure is 1 and "other" otherwise
("{{ wishes.children }} [child|children]"); `<!-- ... -->` is a note for the editor, never
printed.
"""

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import opencc
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from tongxing.indicators.catalogue import INDICATORS, TRAINING_INDICATORS

LANGUAGES = ("zh-hans", "zh-hant", "en")
PACKAGED = Path(__file__).parent / "wording"
PLACEHOLDER = re.compile(r"\{\{\s*([\w.*]+)\s*\}\}")
# A word that agrees with the figure before it: [one|other].
PLURAL = re.compile(r"\[([^\[\]|]*)\|([^\[\]|]*)\]")
CONTEXT_NAMES = frozenset({"region", "year", "as_of"})
META_KEYS = ("title", "not-kept", "figures", "figure-column", "value-column")
NOTE = re.compile(r"<!--.*?-->", re.DOTALL)
OPENCC_CONFIGS = {"tw": "s2twp", "hk": "s2hk"}

# The codes a template may name: the report's catalogue (not the dashboard's flows), and
# what a sentence said for each e-commerce training may name of it.
EACH_TRAINING = "ecommerce.training.*."
REPORT_CODES = frozenset(indicator.code for indicator in INDICATORS) | {
    f"{EACH_TRAINING}{part}" for part in (*TRAINING_INDICATORS, "title", "date")
}


class WordingError(ValueError):
    """A template the report cannot be written from: its file and line say where."""


@dataclass
class Part:
    """The text under one heading (level 2 or 3; 0 for the text before the first)."""

    level: int
    heading: str
    paragraphs: list[list[str]] = field(default_factory=list)  # each a list of sentences


@dataclass
class Wording:
    meta: dict[str, str]
    parts: list[Part]


def load(lang: str) -> Wording:
    """The wording of a language: the office's copy if it keeps one, else the packaged one."""
    if lang not in LANGUAGES:
        raise WordingError(f"No wording for the language {lang!r}.")
    own = office_directory() / f"{lang}.md"
    if own.is_file():
        return parse(own.read_text(encoding="utf-8"), own.name)
    if lang == "zh-hant":
        source = office_directory() / "zh-hans.md"
        if not source.is_file():
            source = PACKAGED / "zh-hans.md"
        return parse(traditional(source.read_text(encoding="utf-8")), source.name)
    path = PACKAGED / f"{lang}.md"
    return parse(path.read_text(encoding="utf-8"), path.name)


def office_directory() -> Path:
    return Path(settings.TONGXING_REPORT_WORDING)


def traditional(text: str) -> str:
    """Simplified Chinese text in the Traditional characters and phrasing the office chose."""
    return converter(settings.TONGXING_TRADITIONAL).convert(text)


@functools.cache
def converter(variant: str) -> opencc.OpenCC:
    if variant not in OPENCC_CONFIGS:
        raise ImproperlyConfigured("TONGXING_TRADITIONAL is tw or hk.")
    return opencc.OpenCC(OPENCC_CONFIGS[variant])


def parse(text: str, name: str) -> Wording:
    """Read a template; a placeholder that names no indicator is refused with its line."""
    text = NOTE.sub(lambda match: "\n" * match.group(0).count("\n"), text)
    meta: dict[str, str] = {}
    parts = [Part(0, "")]
    sentences: list[str] = []

    def end_paragraph() -> None:
        if sentences:
            parts[-1].paragraphs.append(sentences.copy())
            sentences.clear()

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        for placeholder in PLACEHOLDER.findall(line):
            if placeholder not in REPORT_CODES and placeholder not in CONTEXT_NAMES:
                raise WordingError(f"{name}, line {number}: no indicator {placeholder}.")
        for plural in PLURAL.finditer(line):
            if not PLACEHOLDER.search(line, 0, plural.start()):
                raise WordingError(f"{name}, line {number}: no figure before {plural.group(0)}.")
        key, colon, value = line.partition(":")
        if not line:
            end_paragraph()
        elif line.startswith(("## ", "### ")):
            end_paragraph()
            marks, _space, heading = line.partition(" ")
            parts.append(Part(len(marks), heading.strip()))
        elif colon and key in META_KEYS and len(parts) == 1 and not parts[0].paragraphs:
            meta[key] = value.strip()
        else:
            sentences.append(line)
    end_paragraph()
    missing = [key for key in META_KEYS if key not in meta]
    if missing:
        raise WordingError(f"{name}: the line {missing[0]}: is missing.")
    return Wording(meta, parts)
