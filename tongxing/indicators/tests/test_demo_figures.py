"""Every computable code computes on the small demo: a value, never "None", "nan" or a
placeholder, and the codes whose records are not kept say so instead of 0."""

import datetime
import math

import pytest
from django.utils import translation

from tongxing import demo
from tongxing.indicators import engine
from tongxing.indicators.catalogue import INDICATORS
from tongxing.regions.codes import Level
from tongxing.regions.models import Region

YEAR = 2020


@pytest.mark.django_db
def test_every_computable_code_computes_on_the_small_demo():
    demo.build(seed=7, scale="small", year=YEAR)
    city = Region.objects.get(level=Level.CITY)
    start, end = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)
    figures = engine.compute(city.prefix, start, end)
    table = engine.compute_by(city.prefix, start, end, Level.TOWNSHIP)
    for language in ("zh-hans", "zh-hant", "en"):
        with translation.override(language):
            shown = engine.as_json(figures)
            for indicator in INDICATORS:
                row = shown[indicator.code]
                if not indicator.recorded:
                    assert row["state"] == "not_recorded" and row["value"] is None
                    assert row["display"] not in ("0", "", "None")
                    continue
                value = figures[indicator.code].value
                assert value is not None, indicator.code
                assert not (isinstance(value, float) and math.isnan(value)), indicator.code
                for bad in ("None", "nan", "{", "—"):
                    assert bad not in row["display"], (indicator.code, row["display"])
    # The demo's records reach every township and every section that keeps them.
    assert figures["needs.goods.posted"].value > 0 and figures["wishes.children"].value > 0
    assert all(rows["needs.goods.posted"].value > 0 for rows in table.values())
