"""The visits' audit events in words: the visit named by its day and household for a reader
of its region, by its kind and number for anyone else; what was delivered, listed."""

import datetime

import pytest

from conftest import TOWNSHIP_A
from tongxing.audit.events import describe_event
from tongxing.audit.models import AuditEvent
from tongxing.needs.tests import factories as nf
from tongxing.visits import actions
from tongxing.visits.tests import factories as f


@pytest.fixture
def recorded(tree, tina):
    home = nf.household(head="张建国")
    secretary = f.visitor(position="township_party_secretary", region=TOWNSHIP_A)
    data = f.visit_data(secretary, household=home, on=datetime.date(2025, 10, 17))
    data.deliveries = [actions.DeliveryLine("clothing", 3)]
    visit = actions.record_visit(data=data, by=tina)
    return visit, home


def test_a_recorded_visit_reads_as_a_sentence_in_its_region(recorded, tina):
    visit, home = recorded
    described = describe_event(AuditEvent.objects.get(action="visit.recorded"), tina)
    assert described.summary == (
        f"Tina recorded the visit of 2025-10-17 to {home.registry_number} (#{visit.pk})."
    )


def test_another_township_reads_no_household_in_it(recorded, tom):
    visit, home = recorded
    described = describe_event(AuditEvent.objects.get(action="visit.recorded"), tom)
    assert home.registry_number not in described.summary
    assert described.known
