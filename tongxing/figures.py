"""Figures as queries: what a figure counts, declared once, computed in one pass per table.

A domain app declares each figure it keeps as a `Measure`: the table, the lookup of its
records' region code, the records it counts in a period (a Q of the period's `Window`), and
how they add up (a count, a count of distinct values, a sum). It never computes the figure
itself. `evaluate` computes every measure of one table in one query of conditional
aggregates (`COUNT(*) FILTER (WHERE …)` on PostgreSQL, `SUM(CASE …)` on SQLite), grouped on
the prefix of the region code when figures by township or village are asked for; `records`
gives the records behind one measure, filtered exactly as it was counted, so that a figure's
drill-down lists what it counted.

It lies beneath the apps: the domain apps declare their measures with it, the indicators
engine evaluates them, and the domain apps' own figure selectors do too.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from tongxing.queries import prefix_q

COUNT = "count"
DISTINCT = "distinct"
SUM = "sum"
# The least or greatest value of `field` (a year, a month): None when nothing counts.
MIN = "min"
MAX = "max"


@dataclass(frozen=True)
class Window:
    """A period as instants in the office's time zone: from the first instant of its first
    day (`start`) to the first instant after its last day (`end`)."""

    start: datetime.datetime
    end: datetime.datetime


def window(first: datetime.date, last: datetime.date) -> Window:
    """The window of the days from `first` through `last`."""
    return Window(_midnight(first), _midnight(last + datetime.timedelta(days=1)))


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass(frozen=True)
class Measure:
    """One figure as a query.

    `region` is the lookup of the records' 12-digit region code (`"village__code"`: through
    the foreign key, which Django reads from the key's own column, without a join; a lookup
    on the key itself, `village_id`, cannot match a prefix on PostgreSQL); None when the
    records belong to no region (a donor's account), so every one counts wherever one looks
    and the figure does not add up over regions. `where(window)` is the records the
    figure counts in a period. `how` is COUNT (records), DISTINCT (distinct values of
    `field`, which may be an expression), SUM (of `field`), MIN or MAX (its least or
    greatest value, None when no record counts). For DISTINCT, `distinct_records`
    turns the counted records into the distinct things themselves (the children, not their
    wishes) for the drill-down.
    """

    model: type[models.Model]
    region: str | None
    where: Callable[[Window], Q]
    how: str = COUNT
    field: str | models.Expression = "pk"
    distinct_records: Callable[[QuerySet], QuerySet] | None = None

    def aggregate(self, period: Window, condition: Q | None = None) -> models.Aggregate:
        """The aggregate of the records the measure counts in the period; `condition`, when
        given, stands for `where(period)` over rows already narrowed to what it leaves out."""
        if condition is None:
            condition = self.where(period)
        condition = condition or None  # Q(): every record
        if self.how == SUM:
            return Coalesce(Sum(self.field, filter=condition), 0)
        if self.how in (MIN, MAX):
            return (Min if self.how == MIN else Max)(self.field, filter=condition)
        return Count(self.field, filter=condition, distinct=self.how == DISTINCT)


def evaluate(measures: dict[str, Measure], region: str, period: Window) -> dict[str, int | None]:
    """Compute the measures for the region (a code prefix; "" is everywhere) and period:
    one query per table and region lookup."""
    values: dict[str, int] = {}
    for (model, lookup), group in _by_table(measures).items():
        base, aggregates = _pass(model, lookup, region, group, period)
        values.update(base.aggregate(**aggregates))
    return values


def evaluate_by(
    measures: dict[str, Measure],
    region: str,
    period: Window,
    *,
    length: int,
    units: Iterable[str] = (),
) -> dict[str, dict[str, int]]:
    """The measures for each region of the subtree, grouped on the first `length` digits of
    the region code (9 for townships, 12 for villages): one grouped query per table.

    Returns {prefix: {code: value}} for every prefix with records and every one of `units`
    (the regions to show, with or without records); a measure without a region has the
    same value under every prefix.
    """
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for unit in units:
        out[unit] = {}
    regionless: dict[str, int] = {}
    for (model, lookup), group in _by_table(measures).items():
        base, aggregates = _pass(model, lookup, region, group, period)
        if lookup is None:
            regionless.update(base.aggregate(**aggregates))
            continue
        rows = (
            base.annotate(_unit=Substr(lookup, 1, length))
            .values("_unit")
            .annotate(**aggregates)
            .order_by()
        )
        for row in rows:
            unit = row.pop("_unit")
            out[unit].update(row)
    for unit_values in out.values():
        for code, measure in measures.items():
            nothing = None if measure.how in (MIN, MAX) else 0
            unit_values.setdefault(code, regionless.get(code, nothing))
    return dict(out)


def records(measure: Measure, region: str, period: Window) -> QuerySet:
    """The records behind a measure, filtered exactly as `evaluate` counted them (for MIN
    and MAX, those holding the value)."""
    qs = measure.model._default_manager.all()
    if measure.region is not None:
        qs = qs.filter(prefix_q(measure.region, region))
    qs = qs.filter(measure.where(period))
    if measure.how == DISTINCT and measure.distinct_records is not None:
        return measure.distinct_records(qs)
    if measure.how in (MIN, MAX):
        # The records that hold the figure's value (the latest compendium, say).
        value = qs.aggregate(value=measure.aggregate(period))["value"]
        if value is None:
            return qs.none()
        field = F(measure.field) if isinstance(measure.field, str) else measure.field
        return qs.annotate(_held=field).filter(_held=value)
    return qs


def _by_table(measures: dict[str, Measure]) -> dict[tuple, dict[str, Measure]]:
    groups: dict[tuple, dict[str, Measure]] = defaultdict(dict)
    for code, measure in measures.items():
        groups[(measure.model, measure.region)][code] = measure
    return groups


def _pass(model, lookup: str | None, region: str, group: dict[str, Measure], period: Window):
    """One pass over a table: the rows of the region that any of the measures may count,
    and each measure's conditional aggregate over them. The conditions every measure
    shares (the period, "an assistance sale") narrow the rows once, in the WHERE, and are
    left out of each aggregate's own condition, which the database tests on every row."""
    common, own = _shared([measure.where(period) for measure in group.values()])
    qs = model._default_manager.all()
    if lookup is not None:
        qs = qs.filter(prefix_q(lookup, region))
    qs = qs.filter(Q(*common), _any(own))
    aggregates = {
        code: measure.aggregate(period, rest)
        for (code, measure), rest in zip(group.items(), own, strict=True)
    }
    return qs, aggregates


def _shared(conditions: list[Q]) -> tuple[list, list[Q]]:
    """The terms every condition ANDs (an empty list if one counts every record), and
    what each condition adds to them."""
    terms = [
        list(q.children) if q.connector == Q.AND and not q.negated else [q] for q in conditions
    ]
    if not terms or not all(conditions):
        return [], conditions
    common = [term for term in terms[0] if all(term in other for other in terms[1:])]
    return common, [Q(*(term for term in other if term not in common)) for other in terms]


def _any(conditions: Iterable[Q]) -> Q:
    """OR of the conditions; no narrowing when one of them counts every record (Q())."""
    combined = None
    for condition in conditions:
        if not condition:
            return Q()
        combined = condition if combined is None else combined | condition
    return combined or Q()
