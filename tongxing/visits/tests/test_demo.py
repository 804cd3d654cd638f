"""Recording visits in bulk (checked as the single action checks), and the demo's year of
visits built with it on the small demo city."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.utils import timezone

from conftest import TOWNSHIP_A, TOWNSHIP_B
from tongxing import demo as city_demo
from tongxing.audit.models import AuditEvent
from tongxing.needs.tests import factories as nf
from tongxing.visits import actions
from tongxing.visits import demo as visits_demo
from tongxing.visits.actions import DeliveryLine, RecordedVisit
from tongxing.visits.models import Visit, VisitDelivery
from tongxing.visits.tests import factories as f

D = datetime.date


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(18)))


@pytest.fixture
def home(tree):
    return nf.household(head="张建国")


def test_visits_in_bulk_leave_the_rows_and_events_the_single_action_leaves(home):
    who = f.visitor()
    data = f.visit_data(who, household=home, on=D(2025, 10, 17))
    data.deliveries = [DeliveryLine("clothing", 2)]
    other = f.visit_data(who, household=home, on=D(2025, 3, 1))
    recorded = [
        RecordedVisit(data=data, recorded_at=at(D(2025, 10, 17)), key="r-1"),
        RecordedVisit(data=other, recorded_at=at(D(2025, 3, 2)), key="r-2"),
    ]
    assert actions.record_visits(visits=recorded, by=None) == 2
    first = Visit.objects.get(client_key="r-1")
    assert (first.position, first.village_id, first.recorded_at) == (
        "assigned_cadre",
        home.village_id,
        at(D(2025, 10, 17)),
    )
    assert list(VisitDelivery.objects.values_list("visit_id", "kind", "quantity")) == [
        (first.pk, "clothing", 2)
    ]
    events = AuditEvent.objects.filter(action="visit.recorded").order_by("at")
    assert [(e.object_id, e.at) for e in events] == [
        (str(Visit.objects.get(client_key="r-2").pk), at(D(2025, 3, 2))),
        (str(first.pk), at(D(2025, 10, 17))),
    ]
    assert events[1].after["deliveries"] == [{"kind": "clothing", "quantity": 2, "description": ""}]
    # The same records again add nothing.
    assert actions.record_visits(visits=recorded, by=None) == 0
    assert Visit.objects.count() == 2


def test_one_bad_visit_refuses_them_all_naming_it(home):
    who = f.visitor()
    good = f.visit_data(who, household=home, on=D(2025, 3, 1))
    late = f.visit_data(who, household=home, on=D(2025, 3, 5))
    with pytest.raises(ValidationError) as refused:
        actions.record_visits(
            visits=[
                RecordedVisit(data=good, recorded_at=at(D(2025, 3, 1)), key="a"),
                # Recorded before the day of the visit: a day in the future, then.
                RecordedVisit(data=late, recorded_at=at(D(2025, 3, 4)), key="b"),
            ],
            by=None,
        )
    assert list(refused.value.message_dict) == ["visits.1.visited_on"]
    assert Visit.objects.count() == 0 and not AuditEvent.objects.filter(action="visit.recorded")


def test_bulk_visits_keep_to_the_actors_region(home, tom, tina):
    secretary = f.visitor(position="township_party_secretary", region=TOWNSHIP_B)
    data = f.visit_data(secretary, household=home, on=D(2025, 3, 1))
    with pytest.raises(PermissionDenied):
        actions.record_visits(
            visits=[RecordedVisit(data=data, recorded_at=at(D(2025, 3, 1)), key="x")], by=tom
        )
    ours = f.visit_data(
        f.visitor(position="township_party_secretary", region=TOWNSHIP_A),
        household=home,
        on=D(2025, 3, 1),
    )
    recorded = [RecordedVisit(data=ours, recorded_at=at(D(2025, 3, 1)), key="y")]
    assert actions.record_visits(visits=recorded, by=tina) == 1
    assert Visit.objects.get().recorded_by == tina


def test_the_demo_year_of_visits_is_heaviest_on_17_october_and_built_once(db):
    ctx = city_demo.build(seed=7, scale="small", year=2020)
    visits_demo.build(ctx)
    total = Visit.objects.count()
    assert total > 100
    busiest = Visit.objects.values("visited_on").annotate(n=Count("pk")).order_by("-n").first()
    assert busiest["visited_on"] == D(2020, 10, 17)
    assert VisitDelivery.objects.filter(visit__visited_on=D(2020, 10, 17)).exists()
    assert AuditEvent.objects.filter(action="visit.recorded").count() == total
    visits_demo.build(ctx)
    assert Visit.objects.count() == total
