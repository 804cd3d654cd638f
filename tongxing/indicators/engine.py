"""Compute the catalogue for a region and a period, and list the records behind a figure.

The measures of every recorded code are evaluated together: one query per table, with
conditional aggregates (`tongxing.figures.evaluate`); figures by township or village are the
same queries grouped on the prefix of the region code, never one query per region. A rate
divides its numerator by its denominator at the end; a code whose records Tongxing does not
keep is "not recorded", never 0. `records` lists what a figure counted, filtered exactly as
it was counted.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tongxing import figures
from tongxing.events.figures import ecommerce_trainings
from tongxing.indicators.catalogue import (
    INDICATORS,
    Display,
    Indicator,
    indicator_of,
    measure_of,
    training_codes,
)
from tongxing.queries import prefix_q
from tongxing.regions.codes import SEGMENT_END, Level, prefix_of
from tongxing.regions.models import Region

COMPUTED = "computed"
NOT_RECORDED = "not_recorded"
# The first year figures may be asked for: the platform did not exist before.
EARLIEST = datetime.date(2000, 1, 1)
FEN_PER_WAN_YUAN = 1_000_000
FEN_PER_YI_YUAN = 10_000_000_000


@dataclass(frozen=True)
class Figure:
    value: int | float | datetime.date | None
    state: str = COMPUTED
    numerator: int | None = None  # a rate's parts; its value is numerator / denominator in %
    denominator: int | None = None


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date


def period_of(
    *,
    year: int | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    today: datetime.date,
) -> Period:
    """The period asked for: a year (to today, if it is this year), a range of days, or by
    default this year to today. A ValidationError names the field at fault."""
    if year is not None and (start is not None or end is not None):
        raise ValidationError({"year": [_("Give a year or a range of days, not both.")]})
    if year is not None:
        if not EARLIEST.year <= year <= today.year:
            raise ValidationError({"year": [_("Give a year from 2000 to this year.")]})
        return Period(datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), today))
    start = start or datetime.date(today.year, 1, 1)
    end = end or today
    if start < EARLIEST:
        raise ValidationError({"from": [_("Give a day from 2000 on.")]})
    if end > today:
        raise ValidationError({"to": [_("Give a day up to today: figures are not forecasts.")]})
    if start > end:
        raise ValidationError({"from": [_("The period ends before it starts.")]})
    return Period(start, end)


class NotRecorded(LookupError):
    """The code's records are not kept (yet): it has no records to list."""


def compute(
    region_prefix: str,
    start: datetime.date,
    end: datetime.date,
    *,
    codes: Iterable[str] | None = None,
) -> dict[str, Figure]:
    """Every code of the catalogue (or those of `codes`) for the region (by its code
    prefix; "" is everywhere) and the period (both days included)."""
    chosen = _chosen(codes)
    values = figures.evaluate(_measures(chosen), region_prefix, figures.window(start, end))
    return {ind.code: figure_of(ind, values, start, end) for ind in chosen}


def compute_one(code: str, region_prefix: str, start: datetime.date, end: datetime.date) -> Figure:
    """One code (of the report's catalogue or a flow) for the region and period."""
    indicator = indicator_of(code)
    needed = {}
    if indicator.recorded and indicator.of_period is None:
        needed = {c: measure_of(c) for c in indicator.parts or (indicator.code,)}
    values = figures.evaluate(needed, region_prefix, figures.window(start, end))
    return figure_of(indicator, values, start, end)


def compute_by(
    region_prefix: str,
    start: datetime.date,
    end: datetime.date,
    level: Level,
    *,
    codes: Iterable[str] | None = None,
) -> dict[str, dict[str, Figure]]:
    """Every code (or those of `codes`) for each region of a level (townships, villages)
    under the region: {region code: {code: Figure}}, in code order, every region of the
    level included."""
    chosen = _chosen(codes)
    codes = list(
        Region.objects.filter(prefix_q("code", region_prefix), level=level)
        .order_by("code")
        .values_list("code", flat=True)
    )
    length = SEGMENT_END[level]
    grouped = figures.evaluate_by(
        _measures(chosen),
        region_prefix,
        figures.window(start, end),
        length=length,
        units=[prefix_of(code, level) for code in codes],
    )
    return {
        code: {
            ind.code: figure_of(ind, grouped[prefix_of(code, level)], start, end) for ind in chosen
        }
        for code in codes
    }


@dataclass(frozen=True)
class Training:
    """One e-commerce training of a period and its figures (ecommerce.training.<id>.*)."""

    id: int
    title: str
    starts_on: datetime.date
    region: str  # the code of the office's region that held it
    figures: dict[str, Figure]


def trainings(region_prefix: str, start: datetime.date, end: datetime.date) -> list[Training]:
    """The e-commerce trainings of the region that started in the period, each with its
    figures, all computed together (one pass per table, whatever the number of trainings)."""
    found = list(
        ecommerce_trainings(region_prefix, figures.window(start, end)).values_list(
            "pk", "title", "starts_on", "region_id"
        )
    )
    chosen = [
        indicator_of(code, title) for pk, title, *_rest in found for code in training_codes(pk)
    ]
    values = figures.evaluate(_measures(chosen), region_prefix, figures.window(start, end))
    return [
        Training(
            pk,
            title,
            day,
            region,
            {
                ind.code: figure_of(ind, values, start, end)
                for ind in chosen
                if ind.code in training_codes(pk)
            },
        )
        for pk, title, day, region in found
    ]


def records(code: str, region_prefix: str, start: datetime.date, end: datetime.date):
    """The records behind a figure (a rate's: its numerator's), as a queryset filtered
    exactly as the figure was computed. Raises NotRecorded where none are kept, and
    KeyError for a code the catalogue does not know."""
    indicator = indicator_of(code)
    if not indicator.recorded or indicator.of_period is not None:
        raise NotRecorded(code)
    measure = measure_of(indicator.measure)
    return figures.records(measure, region_prefix, figures.window(start, end))


def record_ids(code: str, region_prefix: str, start: datetime.date, end: datetime.date) -> list:
    """The primary keys of the records behind a figure, in order."""
    return list(
        records(code, region_prefix, start, end).order_by("pk").values_list("pk", flat=True)
    )


def _chosen(codes: Iterable[str] | None) -> tuple[Indicator, ...]:
    """The indicators of the codes (of the catalogue or its flows), or the catalogue's."""
    return INDICATORS if codes is None else tuple(indicator_of(code) for code in codes)


def _measures(indicators: Iterable[Indicator] = INDICATORS) -> dict:
    """The measures the recorded codes need: their own, or a rate's parts."""
    needed = {}
    for indicator in indicators:
        if indicator.recorded and indicator.of_period is None:
            for code in indicator.parts or (indicator.code,):
                needed[code] = measure_of(code)
    return needed


def figure_of(
    indicator: Indicator, values: dict, start: datetime.date, end: datetime.date
) -> Figure:
    if not indicator.recorded:
        return Figure(None, NOT_RECORDED)
    if indicator.of_period is not None:
        return Figure(indicator.of_period(start, end))
    if indicator.parts is None:
        return Figure(values[indicator.code])
    numerator, denominator = (values[code] for code in indicator.parts)
    return Figure(percent(numerator, denominator), COMPUTED, numerator, denominator)


def percent(numerator: int, denominator: int) -> float | None:
    if not denominator:
        return None
    return float(round_half_up(Decimal(numerator) * 100 / Decimal(denominator)))


def round_half_up(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def display(indicator: Indicator, figure: Figure) -> str:
    """The figure as the report shows it: 万元 or 亿元 with two decimals, % with two, a
    plain integer, a date; "not recorded yet" where the records are not kept."""
    if figure.state == NOT_RECORDED:
        return str(_("not recorded yet"))
    value = figure.value
    if value is None:
        return "—"  # a rate of nothing: no denominator
    if indicator.display == Display.DATE:
        return value.isoformat()
    if indicator.display == Display.PERCENT:
        return f"{round_half_up(Decimal(str(value)))}%"
    if indicator.display == Display.WAN_YUAN:
        return f"{round_half_up(Decimal(value) / FEN_PER_WAN_YUAN)}万元"
    if indicator.display == Display.YI_YUAN:
        return f"{round_half_up(Decimal(value) / FEN_PER_YI_YUAN)}亿元"
    return str(value)


def as_json(figures: dict[str, Figure], trainings: Iterable[Training] = ()) -> dict[str, dict]:
    """{code: {value, display, unit, state}}, in the catalogue's order, then each training's
    codes; a rate's value in percent, a date as YYYY-MM-DD."""
    out = {}
    listed = [(indicator, figures[indicator.code]) for indicator in INDICATORS]
    for training in trainings:
        listed.extend(
            (indicator_of(code, training.title), figure)
            for code, figure in training.figures.items()
        )
    for indicator, figure in listed:
        value = figure.value
        if isinstance(value, datetime.date):
            value = value.isoformat()
        out[indicator.code] = {
            "value": value,
            "display": display(indicator, figure),
            "unit": str(indicator.unit),
            "state": figure.state,
        }
    return out
