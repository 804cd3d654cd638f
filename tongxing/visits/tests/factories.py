"""Visits for the tests, made through the actions.

`visit` records as the system (no actor) unless `by` is given, for the household given (or
the village, for a village visit); `visitor` makes a person of the directory.
"""

import datetime
import itertools

from django.utils import timezone

from conftest import VILLAGE_A1
from tongxing.regions.models import Region
from tongxing.registry.tests.factories import person
from tongxing.visits import actions
from tongxing.visits.actions import DeliveryLine, VisitData

_names = itertools.count(1)


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def visitor(*, position="assigned_cadre", region=VILLAGE_A1, name=None):
    return person(name=name or f"走访人{next(_names)}", position=position, region=region)


def visit_data(who, *, household=None, village=None, on=None, purpose="condolence", **changes):
    values = dict(
        visitor=who,
        visited_on=on or timezone.localdate(),
        purpose=purpose,
        household=household,
        village=Region.objects.get(code=village) if isinstance(village, str) else village,
    )
    values.update(changes)
    return VisitData(**values)


def visit(who, *, by=None, lines=(), **changes):
    data = visit_data(who, **changes)
    data.deliveries = [DeliveryLine(*line) for line in lines]
    return actions.record_visit(data=data, by=by)
