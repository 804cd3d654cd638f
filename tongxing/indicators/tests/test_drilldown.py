"""The figures by township and the records behind each figure, on the needs board's
hand-built records: a township table comes from grouped passes and adds up to the city, and
every computed figure's records are exactly what it counted."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import TOWNSHIP_A, TOWNSHIP_B
from tongxing.figures import MAX, MIN, SUM
from tongxing.indicators import engine
from tongxing.indicators.catalogue import INDICATORS, MEASURES
from tongxing.needs.tests.test_figures import board  # noqa: F401 (the fixture)
from tongxing.regions.codes import Level

CITY = "5901"


def this_year() -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    return datetime.date(today.year, 1, 1), today


def computed() -> list:
    return [i for i in INDICATORS if i.recorded and i.of_period is None]


def test_by_township_every_township_and_the_same_figures_as_each_alone(board):  # noqa: F811
    start, end = this_year()
    table = engine.compute_by(CITY, start, end, Level.TOWNSHIP)
    assert list(table) == [TOWNSHIP_A, TOWNSHIP_B]
    for township, figures in table.items():
        alone = engine.compute(township[:9], start, end)
        assert figures == alone, township


def test_by_township_the_additive_figures_and_the_rates_parts_add_up_to_the_city(board):  # noqa: F811
    start, end = this_year()
    city = engine.compute(CITY, start, end)
    table = engine.compute_by(CITY, start, end, Level.TOWNSHIP)
    for indicator in computed():
        rows = [figures[indicator.code] for figures in table.values()]
        if indicator.additive:
            assert sum(f.value for f in rows) == city[indicator.code].value, indicator.code
        if indicator.parts:
            whole = city[indicator.code]
            assert sum(f.numerator for f in rows) == whole.numerator, indicator.code
            assert sum(f.denominator for f in rows) == whole.denominator, indicator.code


def test_the_township_table_is_one_query_per_table_not_per_township(board):  # noqa: F811
    start, end = this_year()
    with CaptureQueriesContext(connection) as queries:
        engine.compute_by(CITY, start, end, Level.TOWNSHIP)
    tables = {(m.model, m.region) for m in MEASURES.values()}
    # The townships' list, and one grouped pass per table (and region lookup).
    assert len(queries) == 1 + len(tables)


def test_the_whole_catalogue_is_one_query_per_table(board):  # noqa: F811
    start, end = this_year()
    with CaptureQueriesContext(connection) as queries:
        engine.compute(CITY, start, end)
    assert len(queries) == len({(m.model, m.region) for m in MEASURES.values()})


@pytest.mark.parametrize("region", [CITY, TOWNSHIP_A[:9], TOWNSHIP_B[:9]])
def test_the_records_of_every_computed_figure_are_what_it_counted(board, region):  # noqa: F811
    start, end = this_year()
    figures = engine.compute(region, start, end)
    for indicator in computed():
        figure = figures[indicator.code]
        listed = engine.records(indicator.code, region, start, end)
        measure = MEASURES[indicator.measure]
        if measure.how == SUM:
            total = listed.aggregate(total=Sum(measure.field))["total"] or 0
            assert total == figure.value, indicator.code
        elif measure.how in (MIN, MAX):  # the records holding the value (a start month, a year)
            field = F(measure.field) if isinstance(measure.field, str) else measure.field
            held = set(listed.annotate(held=field).values_list("held", flat=True))
            assert held == ({figure.value} if figure.value is not None else set()), indicator.code
        elif indicator.parts:
            assert listed.count() == figure.numerator, indicator.code
        else:
            assert listed.count() == figure.value, indicator.code
        ids = engine.record_ids(indicator.code, region, start, end)
        assert ids == sorted(listed.values_list("pk", flat=True)), indicator.code


def test_the_records_of_the_wish_figures_are_the_children_and_the_townships(board):  # noqa: F811
    start, end = this_year()
    children = engine.records("wishes.children", CITY, start, end)
    assert children.model._meta.label == "registry.Member"
    townships = engine.records("wishes.townships", CITY, start, end)
    assert [t.level for t in townships] == [Level.TOWNSHIP]


def test_a_figure_without_records_has_none_to_list(board):  # noqa: F811
    start, end = this_year()
    with pytest.raises(engine.NotRecorded):
        engine.records("plans.target_attainment", CITY, start, end)
    with pytest.raises(engine.NotRecorded):
        engine.records("platform.as_of", CITY, start, end)
    with pytest.raises(KeyError):
        engine.records("no.such.code", CITY, start, end)


def test_the_command_prints_the_township_table(board):  # noqa: F811
    out = StringIO()
    call_command("indicators", "--region", CITY + "0" * 8, "--by", "township", "--json", stdout=out)
    table = json.loads(out.getvalue())
    assert list(table) == [TOWNSHIP_A, TOWNSHIP_B]
    start, end = this_year()
    assert table[TOWNSHIP_B] == engine.as_json(engine.compute(TOWNSHIP_B[:9], start, end))
