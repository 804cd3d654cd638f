"""The catalogue of indicators (indicators.md): every code declared once, with its label,
unit, display, section, whether it adds up over regions, and where its value comes from.

A code's value is a measure that its domain app declares (`<app>/figures.py`, a
`tongxing.figures.Measure`: the records it counts and how), found here by its code in
`MEASURES`; the engine evaluates all the measures of one table in one pass. A code whose
app keeps no measure for it is "not recorded yet" — never 0. A rate names its numerator
and denominator measures (`parts`), so it divides only at the end and its parts add up
over regions.

Templated codes name records, so they are not declared here but made for the records
that define them: `ecommerce.training.<id>.townships|trainees|poor_trainees`, one e-commerce
training's (`indicator_of`, `measure_of`; the report names each training of its year).
`assessment.score.<unit>` is not kept yet.
"""

import datetime
import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxing.commerce import figures as commerce_figures
from tongxing.events import figures as events_figures
from tongxing.figures import Measure
from tongxing.needs import figures as needs_figures
from tongxing.programs import figures as programs_figures
from tongxing.visits import figures as visits_figures


class Unit(enum.StrEnum):
    PEOPLE = "people"
    HOUSEHOLDS = "households"
    ITEMS = "items"
    COUNT = "count"
    FEN = "fen"
    PERCENT = "percent"
    DATE = "date"
    MONTH = "month"
    YEAR = "year"
    PIECES = "pieces"
    JIN = "jin"


# A unit as a table's units row names it (a count needs no name; money and rates are
# named by their display: 万元, 亿元, %).
UNIT_LABELS = {
    Unit.PEOPLE: pgettext_lazy("unit of a figure", "people"),
    Unit.HOUSEHOLDS: pgettext_lazy("unit of a figure", "households"),
    Unit.ITEMS: pgettext_lazy("unit of a figure", "items"),
    Unit.PIECES: pgettext_lazy("unit of a figure", "pieces"),
    Unit.JIN: pgettext_lazy("unit of a figure", "jin"),
    Unit.MONTH: pgettext_lazy("unit of a figure", "month"),
    Unit.YEAR: pgettext_lazy("unit of a figure", "year"),
    Unit.DATE: pgettext_lazy("unit of a figure", "date"),
}


class Display(enum.StrEnum):
    INTEGER = "integer"
    WAN_YUAN = "wan_yuan"  # 万元, two decimals
    YI_YUAN = "yi_yuan"  # 亿元, two decimals
    PERCENT = "percent"  # two decimals
    DATE = "date"


@dataclass(frozen=True)
class Indicator:
    code: str
    section: int
    label: Promise
    unit: Unit
    display: Display
    additive: bool
    # A rate's numerator and denominator: codes of measures.
    parts: tuple[str, str] | None = None
    # A value that is the period's, not the records' (the date figures are "as of").
    of_period: Callable[[datetime.date, datetime.date], Any] | None = None

    @property
    def recorded(self) -> bool:
        """Whether Tongxing keeps the records of this figure (else: "not recorded yet")."""
        if self.of_period is not None:
            return True
        return all(measure_of(code) is not None for code in self.parts or (self.code,))

    @property
    def measure(self) -> str:
        """The code of the measure whose records are behind the figure (a rate's numerator)."""
        return self.parts[0] if self.parts else self.code


# --- What the domain apps keep: their measures, by code ------------------------------------

MEASURES: dict[str, Measure] = {
    **needs_figures.MEASURES,
    **programs_figures.MEASURES,
    **visits_figures.MEASURES,
    **commerce_figures.MEASURES,
    **events_figures.MEASURES,
}


# One e-commerce training's codes: ecommerce.training.<event id>.<part>.
TRAINING_CODE = re.compile(r"^ecommerce\.training\.(\d{1,18})\.(\w+)$")


def measure_of(code: str) -> Measure | None:
    """The measure behind a code: a declared one, or one training's; None if not kept."""
    if code in MEASURES:
        return MEASURES[code]
    match = TRAINING_CODE.match(code)
    if match and match.group(2) in events_figures.TRAINING_PARTS:
        return events_figures.training_measures(int(match.group(1)))[code]
    return None


def period_end(start: datetime.date, end: datetime.date) -> datetime.date:
    return end


# --- The catalogue ---------------------------------------------------------------------------

P, H, T, C, F = Unit.PEOPLE, Unit.HOUSEHOLDS, Unit.ITEMS, Unit.COUNT, Unit.FEN
N, W, Y, R = Display.INTEGER, Display.WAN_YUAN, Display.YI_YUAN, Display.PERCENT


def _rate(code, section, label, parts=None) -> Indicator:
    return Indicator(code, section, label, Unit.PERCENT, R, False, parts)


INDICATORS: tuple[Indicator, ...] = (
    # 1. Publicity and policy
    Indicator("publicity.news_items", 1, _("News items in city-level media"), T, N, True),
    Indicator("policy.categories", 1, _("Categories of assistance policy"), C, N, False),
    Indicator("policy.compendium_year", 1, _("Year of the policy compendium"), Unit.YEAR, N, False),
    # 2. Enterprise–village pairing
    Indicator(
        "pairing.program_start_month", 2, _("Pairing programme start month"), Unit.MONTH, N, False
    ),
    Indicator("pairing.villages.key_poor", 2, _("Key poor villages paired"), C, N, True),
    Indicator("pairing.villages.relocation", 2, _("Relocation villages paired"), C, N, True),
    Indicator(
        "pairing.villages.provincial_key", 2, _("Provincial key villages paired"), C, N, True
    ),
    Indicator("pairing.enterprises", 2, _("Private enterprises pairing"), C, N, False),
    _rate(
        "pairing.coverage_rate",
        2,
        _("Pairing coverage"),
        parts=("pairing.targets_paired", "pairing.targets"),
    ),
    Indicator("pairing.pledged_fen", 2, _("Pairing funds pledged"), F, W, True),
    Indicator("pairing.disbursed_fen", 2, _("Pairing funds disbursed"), F, W, True),
    # 3. Exemplars and campaigns
    Indicator(
        "awards.selected.hardworking_household",
        3,
        _("Hard-working households honoured"),
        P,
        N,
        True,
    ),
    Indicator(
        "awards.selected.village_team_member", 3, _("Village team members honoured"), P, N, True
    ),
    Indicator("awards.selected.pairing_cadre", 3, _("Pairing cadres honoured"), P, N, True),
    Indicator("awards.selected.city_department", 3, _("City departments honoured"), C, N, True),
    Indicator("awards.selected.market_entity", 3, _("Market entities honoured"), C, N, True),
    Indicator("awards.stories_submitted", 3, _("Stories submitted"), T, N, True),
    Indicator("events.contests", 3, _("Contests held"), C, N, True),
    # 4. Visits and micro-wishes
    Indicator("wishes.children", 4, _("Children with a micro-wish"), P, N, True),
    Indicator("wishes.townships", 4, _("Townships raising wish funds"), C, N, False),
    Indicator("wishes.raised_fen", 4, _("Money raised for micro-wishes"), F, W, True),
    Indicator("wishes.fulfilled_children", 4, _("Children whose wish came true"), P, N, True),
    _rate(
        "wishes.coverage_rate",
        4,
        _("Micro-wish coverage"),
        ("wishes.fulfilled_children_in_need", "wishes.children_in_need"),
    ),
    Indicator(
        "visits.city_secretary.count", 4, _("Visits by the city party secretary"), C, N, True
    ),
    Indicator(
        "visits.city_secretary.villages",
        4,
        _("Villages the city party secretary visited"),
        C,
        N,
        True,
    ),
    _rate(
        "visits.township_secretary.household_rate",
        4,
        _("Poor households visited by their township secretary"),
        ("visits.township_secretary.households_visited", "visits.poor_households"),
    ),
    Indicator("visits.day.visitors", 4, _("Visitors on the assistance day"), P, N, False),
    Indicator(
        "visits.day.households", 4, _("Households visited on the assistance day"), H, N, True
    ),
    Indicator(
        "visits.day.clothing_pieces",
        4,
        _("Clothing given on the assistance day"),
        Unit.PIECES,
        N,
        True,
    ),
    Indicator(
        "visits.day.grain_oil_jin",
        4,
        _("Grain and oil given on the assistance day"),
        Unit.JIN,
        N,
        True,
    ),
    # 5. Regional cooperation and designated assistance
    Indicator(
        "cooperation.paired_county.funds_fen", 5, _("Funds for the paired county"), F, W, True
    ),
    Indicator(
        "cooperation.paired_county.materials_fen",
        5,
        _("Materials for the paired county"),
        F,
        W,
        True,
    ),
    Indicator(
        "cooperation.labor.partner_regions", 5, _("Labour cooperation partner regions"), C, N, False
    ),
    Indicator("cooperation.education.teachers_exchanged", 5, _("Teachers exchanged"), P, N, True),
    Indicator(
        "cooperation.designated.units",
        5,
        _("Provincial units in designated assistance"),
        C,
        N,
        False,
    ),
    # 6. Internet-plus platform
    Indicator(
        "platform.as_of",
        6,
        _("Platform figures as of"),
        Unit.DATE,
        Display.DATE,
        False,
        of_period=period_end,
    ),
    # Donors have no region: every donor of the platform counts wherever one looks; the
    # administrators of a city or township belong to none of the regions below it.
    Indicator("platform.donors_registered", 6, _("Donors registered"), P, N, False),
    # Beyond indicators.md: the honest companion of the donors registered.
    Indicator("platform.donors_gave", 6, _("Caring people who gave at least once"), P, N, False),
    Indicator("platform.households_registered", 6, _("Households registered"), H, N, True),
    Indicator("platform.admins", 6, _("Administrators"), P, N, False),
    Indicator("needs.goods.posted", 6, _("Goods needs posted"), T, N, True),
    Indicator("needs.goods.matched", 6, _("Goods needs matched"), T, N, True),
    _rate(
        "needs.goods.match_rate",
        6,
        _("Goods needs match rate"),
        ("needs.goods.matched", "needs.goods.posted"),
    ),
    Indicator("needs.funds.posted", 6, _("Funding needs posted"), T, N, True),
    Indicator("needs.funds.matched", 6, _("Funding needs matched"), T, N, True),
    _rate(
        "needs.funds.match_rate",
        6,
        _("Funding needs match rate"),
        ("needs.funds.matched", "needs.funds.posted"),
    ),
    _rate(
        "needs.delivered_rate",
        6,
        _("Matched needs confirmed delivered"),
        ("needs.confirmed", "needs.matched"),
    ),
    # 7. E-commerce assistance (ecommerce.training.<id>.* is per training: not declared)
    Indicator("ecommerce.center.companies", 7, _("E-commerce companies in the centre"), C, N, True),
    Indicator("ecommerce.center.people", 7, _("People of the centre's companies"), P, N, True),
    Indicator("ecommerce.trainings.count", 7, _("E-commerce trainings held"), C, N, True),
    Indicator(
        "ecommerce.trainings.poor_attendances", 7, _("Attendances by poor households"), P, N, True
    ),
    Indicator(
        "ecommerce.trainings.income_gain_fen",
        7,
        _("Income gained by attending households"),
        F,
        W,
        True,
    ),
    Indicator("ecommerce.trainings.cumulative_trainees", 7, _("Trainees in all"), P, N, True),
    # 8. Consumption assistance
    Indicator("consumption.pavilion.suppliers", 8, _("Pavilion suppliers"), C, N, True),
    Indicator("consumption.pavilion.products", 8, _("Pavilion products"), T, N, True),
    Indicator("consumption.sales.online_fen", 8, _("Online sales"), F, W, True),
    Indicator("consumption.sales.offline_fen", 8, _("Offline sales"), F, Y, True),
    Indicator(
        "consumption.sales.household_own_fen", 8, _("Sales of households' own products"), F, W, True
    ),
    Indicator(
        "consumption.sales.other_entities_fen", 8, _("Sales of other market entities"), F, Y, True
    ),
    Indicator("consumption.procurement_fen", 8, _("Procurement through the platform"), F, W, True),
    Indicator("fair.online_viewers", 8, _("Fair online viewers"), P, N, True),
    Indicator("fair.online_orders", 8, _("Fair online orders"), C, N, True),
    Indicator("fair.online_sales_fen", 8, _("Fair online sales"), F, W, True),
    Indicator("fair.offline_enterprises", 8, _("Enterprises selling at the fair"), C, N, True),
    Indicator(
        "fair.offline_enterprise_sales_fen", 8, _("Enterprises' sales at the fair"), F, W, True
    ),
    Indicator("fair.townships", 8, _("Townships selling at the fair"), C, N, False),
    Indicator("fair.township_sales_fen", 8, _("Townships' sales at the fair"), F, W, True),
    Indicator("fair.total_sales_fen", 8, _("Fair sales in all"), F, W, True),
    # 9. Health assistance
    Indicator("health.clinics.events", 9, _("Free clinics held"), C, N, True),
    Indicator("health.clinics.institutions", 9, _("Institutions in free clinics"), C, N, False),
    Indicator("health.clinics.sites", 9, _("Free clinic sites"), C, N, True),
    Indicator("health.clinics.people_served", 9, _("People served by free clinics"), P, N, True),
    # 10. Beyond the report (assessment.score.<unit> is per unit: not declared)
    _rate("plans.target_attainment", 10, _("Plan targets attained")),
)

# Beyond the report: what happened within a period (the dashboard's bars by month), where
# the report's figures are stocks as of the period's end. They lead to their records too.
FLOWS: tuple[Indicator, ...] = (
    Indicator("needs.goods.posted_within", 6, _("Goods needs posted in the period"), T, N, True),
    Indicator("needs.goods.matched_within", 6, _("Goods needs matched in the period"), T, N, True),
    Indicator(
        "needs.goods.confirmed_within", 6, _("Goods needs confirmed in the period"), T, N, True
    ),
    Indicator("needs.funds.posted_within", 6, _("Funding needs posted in the period"), T, N, True),
    Indicator(
        "needs.funds.matched_within", 6, _("Funding needs matched in the period"), T, N, True
    ),
    Indicator(
        "needs.funds.confirmed_within", 6, _("Funding needs confirmed in the period"), T, N, True
    ),
    Indicator(
        "platform.donors_joined", 6, _("Caring people who signed up in the period"), P, N, False
    ),
)

BY_CODE: dict[str, Indicator] = {indicator.code: indicator for indicator in (*INDICATORS, *FLOWS)}

TRAINING_INDICATORS = {
    # part: label, unit, additive over regions
    "townships": (_("townships reached"), C, False),
    "trainees": (_("trainees"), P, True),
    "poor_trainees": (_("trainees from registered households"), P, True),
}


def indicator_of(code: str, title: str | None = None) -> Indicator:
    """The indicator of a code of the catalogue, a flow, or one e-commerce training (its
    label names the training: `title`, else read from the records). KeyError if unknown."""
    if code in BY_CODE:
        return BY_CODE[code]
    match = TRAINING_CODE.match(code)
    if not match or match.group(2) not in TRAINING_INDICATORS:
        raise KeyError(code)
    if title is None:
        title = events_figures.training_title(int(match.group(1)))
        if title is None:
            raise KeyError(code)
    label, unit, additive = TRAINING_INDICATORS[match.group(2)]
    named = format_lazy(_("{training}: {figure}"), training=title, figure=label)
    return Indicator(code, 7, named, unit, N, additive)


def training_codes(event_id: int) -> tuple[str, ...]:
    return tuple(f"ecommerce.training.{event_id}.{part}" for part in TRAINING_INDICATORS)


# The catalogue's version, stored with every approval: raise it when a code is added,
# removed, or computed differently, so a frozen figure says which rules made it.
CATALOGUE_VERSION = "14.1"
