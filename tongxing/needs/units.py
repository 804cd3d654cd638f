"""The units of goods: the Chinese measure words posters use, named on pages in English.

A need of goods keeps its unit as the poster wrote it: a measure word (量词) such as 件, 台
or 床, chosen from the common ones below or typed ("other"). A Chinese page writes "2 床": the
measure word is the Chinese text, so Chinese pages show it as stored (in its traditional
form on Traditional Chinese pages: 张 → 張). An English page cannot ("2 床" means nothing to
its reader) and writes "2 pieces of bedding": each common measure word has an English name
for the post form's list and a counted form (translated like any interface text, for a
language without measure words). A unit typed by hand that is not in the list is shown as
typed, in every language.

Money (¥), the places of a service and the micro-wish have fixed units of their own
(`amounts.amount_text`).
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy, ngettext_lazy

from tongxing.numbers import thousands

# The value of the post form's "other" choice: the poster types the unit.
OTHER = "other"


@dataclass(frozen=True)
class Unit:
    word: str  # the measure word, as stored: 床
    label: Promise  # its name in the post form's list: "piece of bedding (quilt, blanket)"
    counted: Promise  # "%(count)s piece of bedding" / "… pieces …", the plural chosen by "n"


# The common measure words of the goods households ask for, most used first. Two words may
# share an English name (件 and 张 are both "piece"); their labels in the list tell them apart.
COMMON_UNITS = (
    Unit(
        "件",
        gettext_lazy("piece (clothing, goods)"),
        ngettext_lazy("%(count)s piece", "%(count)s pieces", "n"),
    ),
    Unit(
        "个",
        gettext_lazy("item"),
        ngettext_lazy("%(count)s item", "%(count)s items", "n"),
    ),
    Unit(
        "台",
        gettext_lazy("unit (appliance, machine)"),
        ngettext_lazy("%(count)s unit", "%(count)s units", "n"),
    ),
    Unit(
        "床",
        gettext_lazy("piece of bedding (quilt, blanket)"),
        ngettext_lazy("%(count)s piece of bedding", "%(count)s pieces of bedding", "n"),
    ),
    Unit(
        "套",
        gettext_lazy("set"),
        ngettext_lazy("%(count)s set", "%(count)s sets", "n"),
    ),
    Unit(
        "张",
        gettext_lazy("piece (bed, table, desk)"),
        ngettext_lazy("%(count)s piece", "%(count)s pieces", "n"),
    ),
    Unit(
        "条",
        gettext_lazy("piece (towel, trousers, quilt)"),
        ngettext_lazy("%(count)s piece", "%(count)s pieces", "n"),
    ),
    Unit(
        "双",
        gettext_lazy("pair"),
        ngettext_lazy("%(count)s pair", "%(count)s pairs", "n"),
    ),
    Unit(
        "袋",
        gettext_lazy("bag"),
        ngettext_lazy("%(count)s bag", "%(count)s bags", "n"),
    ),
    Unit(
        "箱",
        gettext_lazy("case, carton"),
        ngettext_lazy("%(count)s case", "%(count)s cases", "n"),
    ),
    Unit(
        "包",
        gettext_lazy("pack"),
        ngettext_lazy("%(count)s pack", "%(count)s packs", "n"),
    ),
    Unit(
        "盒",
        gettext_lazy("box"),
        ngettext_lazy("%(count)s box", "%(count)s boxes", "n"),
    ),
    Unit(
        "桶",
        gettext_lazy("drum, can (oil, water)"),
        ngettext_lazy("%(count)s can", "%(count)s cans", "n"),
    ),
    Unit(
        "瓶",
        gettext_lazy("bottle"),
        ngettext_lazy("%(count)s bottle", "%(count)s bottles", "n"),
    ),
    Unit(
        "份",
        gettext_lazy("portion, parcel"),
        ngettext_lazy("%(count)s parcel", "%(count)s parcels", "n"),
    ),
    Unit(
        "本",
        gettext_lazy("copy (book)"),
        ngettext_lazy("%(count)s copy", "%(count)s copies", "n"),
    ),
    Unit(
        "辆",
        gettext_lazy("vehicle (bicycle, cart)"),
        ngettext_lazy("%(count)s vehicle", "%(count)s vehicles", "n"),
    ),
    Unit(
        "头",
        gettext_lazy("head (cattle, pigs)"),
        ngettext_lazy("%(count)s head", "%(count)s head", "n"),
    ),
    Unit(
        "只",
        gettext_lazy("animal (poultry, sheep)"),
        ngettext_lazy("%(count)s animal", "%(count)s animals", "n"),
    ),
    Unit(
        "株",
        gettext_lazy("plant (seedling)"),
        ngettext_lazy("%(count)s plant", "%(count)s plants", "n"),
    ),
    Unit(
        "斤",
        gettext_lazy("jin (500 g)"),
        ngettext_lazy("%(count)s jin", "%(count)s jin", "n"),
    ),
    Unit(
        "公斤",
        gettext_lazy("kilogram"),
        ngettext_lazy("%(count)s kg", "%(count)s kg", "n"),
    ),
    Unit(
        "吨",
        gettext_lazy("tonne"),
        ngettext_lazy("%(count)s tonne", "%(count)s tonnes", "n"),
    ),
)
UNITS = {unit.word: unit for unit in COMMON_UNITS}
# The traditional characters of the common words that have one, both ways.
TRADITIONAL = {
    "个": "個",
    "张": "張",
    "条": "條",
    "双": "雙",
    "辆": "輛",
    "头": "頭",
    "只": "隻",
    "吨": "噸",
}
SIMPLIFIED = {traditional: simple for simple, traditional in TRADITIONAL.items()}
# Other words for a common unit.
SYNONYMS = {"千克": "公斤"}


def unit_of(word: str) -> Unit | None:
    """Return the common unit a measure word names (also in traditional form), if it is one."""
    word = (word or "").strip()
    word = SIMPLIFIED.get(word, word)
    return UNITS.get(SYNONYMS.get(word, word))


def _in_chinese() -> str | None:
    """The Chinese script of the active language ("hans" or "hant"), or None."""
    language = (get_language() or "").lower()
    if not language.startswith("zh"):
        return None
    return "hant" if language in ("zh-hant", "zh-tw", "zh-hk", "zh-mo") else "hans"


def word_in_page_script(word: str) -> str:
    """The measure word in the page's Chinese script: 张 on Simplified pages, 張 on Traditional."""
    if _in_chinese() == "hant":
        return TRADITIONAL.get(word, word)
    return SIMPLIFIED.get(word, word)


def unit_choices() -> list[tuple[str, str]]:
    """The post form's list: the measure words on Chinese pages, their names elsewhere."""
    if _in_chinese():
        return [(unit.word, word_in_page_script(unit.word)) for unit in COMMON_UNITS]
    return [(unit.word, str(unit.label)) for unit in COMMON_UNITS]


def quantity_text(quantity: int, word: str) -> str:
    """Return a quantity in a unit of goods: "3 pieces of bedding" in English, "3 床" in Chinese.

    A unit that is not one of the common ones is written as the poster typed it.
    """
    word = (word or "").strip()
    count = thousands(quantity)
    unit = unit_of(word)
    if unit is None:
        return f"{count} {word}".strip()
    if _in_chinese():
        return f"{count} {word_in_page_script(word)}"
    return str(unit.counted % {"n": quantity, "count": count})
