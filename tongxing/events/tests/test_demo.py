"""The demo's events, exemplars, publicity and policies: built through the actions on the
small demo city, every figure of the app's sections has records, and a second run changes
nothing."""

import datetime

import pytest

from tongxing import demo, figures
from tongxing.events import demo as events_demo
from tongxing.events.figures import MEASURES
from tongxing.events.models import Event, Nomination

YEAR = 2020


@pytest.mark.django_db(transaction=False)
def test_the_demo_gives_every_figure_records_and_runs_again_unchanged():
    ctx = demo.build(seed=7, scale="small", year=YEAR)
    events_demo.build(ctx)
    counts = (Event.objects.count(), Nomination.objects.count())
    period = figures.window(datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31))
    values = figures.evaluate(MEASURES, "", period)
    empty = [code for code, value in values.items() if not value]
    assert empty == []
    # A first session in each township, and the city's own across half of them
    assert values["ecommerce.trainings.count"] == 5
    assert values["health.clinics.sites"] == 3
    assert values["policy.compendium_year"] == YEAR
    events_demo.build(ctx)
    assert (Event.objects.count(), Nomination.objects.count()) == counts
