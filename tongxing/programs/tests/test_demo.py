"""The programmes' part of the demo (not yet among the demo's parts): it builds through the
actions over the small demo city, with the gaps the issue asks for, and a re-run adds
nothing."""

import datetime

import pytest
from django.utils import timezone

from tongxing import demo as city_demo
from tongxing import figures
from tongxing.programs import demo
from tongxing.programs.figures import MEASURES
from tongxing.programs.models import (
    Disbursement,
    Exchange,
    Kind,
    LabourActivity,
    Pairing,
    Programme,
)


@pytest.fixture
def ctx(db):
    year = timezone.localdate().year - 1  # a whole year behind us, as the demo tests build
    context = city_demo.DemoContext(seed=7, scale=city_demo.SCALES["small"], year=year)
    for part in ("tongxing.regions.demo", "tongxing.accounts.demo", "tongxing.registry.demo"):
        __import__(part, fromlist=["build"]).build(context)
    return context


def test_the_demo_builds_every_kind_of_programme_once(ctx):
    demo.build(ctx)
    assert sorted(Programme.objects.values_list("kind", flat=True)) == sorted(Kind.values)
    counts = (
        Pairing.objects.count(),
        Disbursement.objects.count(),
        Exchange.objects.count(),
        LabourActivity.objects.count(),
    )
    assert all(counts)
    demo.build(ctx)
    assert (
        Pairing.objects.count(),
        Disbursement.objects.count(),
        Exchange.objects.count(),
        LabourActivity.objects.count(),
    ) == counts
    year = datetime.date(ctx.year, 1, 1), datetime.date(ctx.year, 12, 31)
    values = figures.evaluate(MEASURES, "", figures.window(*year))
    assert values["pairing.targets"] >= values["pairing.targets_paired"] > 0
    assert values["pairing.pledged_fen"] >= values["pairing.disbursed_fen"] > 0
