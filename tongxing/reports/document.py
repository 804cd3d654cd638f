"""The annual report as a document: the wording's parts filled with the engine's figures.

Every figure comes from `engine.compute` and prints through `engine.display` (the report's
units and rounding). A sentence naming a figure whose records are not kept (or a rate of
nothing) is left out; a part whose figures are all not kept says the one not-kept sentence.
Each part with figures ends with a table of them; each computed figure links to its records.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats, translation

from tongxing.indicators import approvals, engine
from tongxing.indicators.catalogue import Display, Unit, indicator_of
from tongxing.indicators.engine import Period
from tongxing.indicators.selectors import records_url
from tongxing.reports.wording import EACH_TRAINING, PLACEHOLDER, PLURAL, Part, load, traditional

# The language of the labels and messages the catalogue and the engine give.
DJANGO_LANGUAGE = {"zh-hans": "zh-hans", "zh-hant": "zh-hant", "en": "en"}
# Money, which the Chinese report shows in 万元 or 亿元, reads in yuan in English.
MONEY_DISPLAYS = (Display.WAN_YUAN, Display.YI_YUAN)
# Counts read with thousands separators in English; a year or a month never does.
CALENDAR_UNITS = (Unit.YEAR, Unit.MONTH)


@dataclass(frozen=True)
class FigureRef:
    """A figure in the text or a table: its code, label, what it shows, and its records."""

    code: str
    label: str
    shown: str
    state: str
    value: object
    link: str | None


@dataclass
class Section:
    level: int  # 0: the opening text; 1: a heading; 2: a subheading
    heading: str
    kept: bool = True  # False: its records are not kept yet, and the text says so
    paragraphs: list[list] = field(default_factory=list)  # each a list of str and FigureRef
    figures: list[FigureRef] = field(default_factory=list)


@dataclass
class Report:
    lang: str
    region_code: str
    region_name: str
    year: int
    start: datetime.date
    end: datetime.date
    title: str
    captions: dict[str, str]  # figures, figure-column, value-column
    sections: list[Section]


def build(
    *,
    region,
    year: int,
    start: datetime.date,
    end: datetime.date,
    lang: str,
    step: Callable[[str], None] = lambda name: None,
) -> Report:
    """The report of the region (a Region) for the period, in the language; `step` is told
    "figures", then "wording", as each begins."""
    wording = load(lang)
    step("figures")
    # Approved figures where the period is approved for the region, else live ones; an
    # approval made to date gives the day its figures reach.
    chosen = approvals.figures_for(region.prefix, Period(start, end))
    figures = chosen.figures
    as_of = chosen.approval.end if chosen.approval else end
    # Each e-commerce training the region's own office held in the year (its townships'
    # count in the totals), live: an approval freezes the catalogue's codes only.
    trainings = [
        training
        for training in engine.trainings(region.prefix, start, end)
        if training.region == region.code
    ]
    step("wording")
    region_name = traditional(region.name) if lang == "zh-hant" else region.name
    # English readers read "1 January 2026"; Chinese ones the locale's 2026年1月1日.
    shape = "j F Y" if lang == "en" else "DATE_FORMAT"
    with translation.override(DJANGO_LANGUAGE[lang]):
        context = {
            "region": region_name,
            "year": str(year),
            "as_of": formats.date_format(as_of, shape),
        }
        refs = {
            code: figure_ref(code, figures[code], lang, region.code, start, end) for code in figures
        }
        for training in trainings:
            title = traditional(training.title) if lang == "zh-hant" else training.title
            for code, figure in training.figures.items():
                refs[code] = figure_ref(code, figure, lang, region.code, start, end, title)
            named = EACH_TRAINING.replace("*", str(training.id))
            context[f"{named}title"] = title
            context[f"{named}date"] = formats.date_format(training.starts_on, shape)
        ids = [training.id for training in trainings]
        not_kept = wording.meta["not-kept"]
        joiner = " " if lang == "en" else ""  # between the sentences of a paragraph
        sections = [fill(part, refs, context, not_kept, joiner, ids) for part in wording.parts]
    return Report(
        lang=lang,
        region_code=region.code,
        region_name=region_name,
        year=year,
        start=start,
        end=end,
        title=plain(wording.meta["title"], context),
        captions={key: wording.meta[key] for key in ("figures", "figure-column", "value-column")},
        sections=[section for section in sections if section.heading or section.paragraphs],
    )


def figure_ref(code, figure, lang, region_code, start, end, title=None) -> FigureRef:
    indicator = indicator_of(code, title)
    shown = engine.display(indicator, figure)
    if lang == "zh-hant":
        shown = traditional(shown)
    elif lang == "en" and indicator.display in MONEY_DISPLAYS and figure.value is not None:
        shown = in_yuan(figure.value)
    elif lang == "en" and indicator.unit not in CALENDAR_UNITS and isinstance(figure.value, int):
        shown = f"{figure.value:,}"  # "2,000,001 caring people"; a year stays 2026
    computed = figure.state == engine.COMPUTED
    return FigureRef(
        code=code,
        label=str(indicator.label),
        shown=shown,
        state=figure.state,
        value=figure.value,
        link=records_url(code, region_code, start, end) if computed else None,
    )


def in_yuan(fen: int) -> str:
    """An amount of fen as English readers read it: 1234567 → "12,346 yuan"."""
    yuan = (Decimal(fen) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{yuan:,} yuan"


def fill(
    part: Part,
    refs: dict[str, FigureRef],
    context: dict,
    not_kept: str,
    joiner: str,
    trainings: list[int] = (),
) -> Section:
    level = {0: 0, 2: 1, 3: 2}[part.level]
    section = Section(level, plain(part.heading, context))
    paragraphs = [each_training(paragraph, trainings) for paragraph in part.paragraphs]
    codes = [
        code
        for paragraph in paragraphs
        for sentence in paragraph
        for code in PLACEHOLDER.findall(sentence)
        if code in refs
    ]
    section.figures = [refs[code] for code in dict.fromkeys(codes)]
    if section.figures and all(ref.state == engine.NOT_RECORDED for ref in section.figures):
        section.kept = False
        section.paragraphs = [[not_kept]]
        section.figures = []
        return section
    # A part whose records are kept in part tables the figures it has, no "not recorded".
    section.figures = [ref for ref in section.figures if ref.state != engine.NOT_RECORDED]
    for paragraph in paragraphs:
        pieces: list = []
        for sentence in paragraph:
            names = PLACEHOLDER.findall(sentence)
            if any(name in refs and not stated(refs[name]) for name in names):
                continue  # never "not recorded yet" or a blank in the middle of prose
            if pieces and joiner:
                pieces.append(joiner)
            pieces.extend(pieces_of(sentence, refs, context))
        if pieces:
            section.paragraphs.append(pieces)
    return section


def each_training(paragraph: list[str], trainings: list[int]) -> list[str]:
    """The paragraph with each sentence about "each training" said once for each of them."""
    said = []
    for sentence in paragraph:
        if EACH_TRAINING not in sentence:
            said.append(sentence)
            continue
        said.extend(
            sentence.replace(EACH_TRAINING, EACH_TRAINING.replace("*", str(pk))) for pk in trainings
        )
    return said


def stated(ref: FigureRef) -> bool:
    """Whether a figure can stand in a sentence: its records are kept and it has a value."""
    return ref.state == engine.COMPUTED and ref.value is not None


def pieces_of(sentence: str, refs: dict[str, FigureRef], context: dict) -> list:
    pieces: list = []
    last = 0
    before = None  # the figure a [one|other] agrees with
    for match in PLACEHOLDER.finditer(sentence):
        pieces.append(agreeing(sentence[last : match.start()], before))
        name = match.group(1)
        before = refs[name] if name in refs else context[name]
        pieces.append(before)
        last = match.end()
    pieces.append(agreeing(sentence[last:], before))
    return [piece for piece in pieces if piece != ""]


def agreeing(text: str, figure: FigureRef | str | None) -> str:
    """The text with each [one|other] read as the figure before it asks: "one" for 1."""
    one = isinstance(figure, FigureRef) and figure.value == 1
    return PLURAL.sub(lambda match: match.group(1 if one else 2), text)


def plain(text: str, context: dict) -> str:
    """A title or heading: its placeholders are the region, year and day only."""
    return PLACEHOLDER.sub(lambda match: context.get(match.group(1), match.group(0)), text)


def text_of(pieces: list) -> str:
    return "".join(piece.shown if isinstance(piece, FigureRef) else piece for piece in pieces)
