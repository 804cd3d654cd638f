"""One visit sent many times at the same moment (a phone retrying on a weak signal while the
first sending is still on its way): saved once, and every sending answers with that visit.

The threads start on a barrier so that their transactions overlap, each with its own
connection, on the suite's engine: SQLite (WAL, IMMEDIATE) or PostgreSQL, where the losers
meet the unique key and read the winner's visit.
"""

import threading

import pytest
from django.db import connection

from conftest import TOWNSHIP_A, make_user
from tongxing.access import Role
from tongxing.audit.models import AuditEvent
from tongxing.needs.tests import factories as nf
from tongxing.registry.models import Person
from tongxing.registry.tests.factories import assign
from tongxing.visits import actions
from tongxing.visits.actions import DeliveryLine
from tongxing.visits.models import Visit, VisitDelivery
from tongxing.visits.tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 12


def run_together(work, count: int) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(i: int) -> None:
        try:
            barrier.wait()
            results[i] = ("ok", work(i))
        except Exception as exc:  # reported by the test, never swallowed
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_one_key_sent_by_many_at_once_is_one_visit(tree):
    home = nf.household(head="张建国")
    cleo = make_user("cleo", Role.CADRE, TOWNSHIP_A)
    assign(cleo, home)
    me = Person.objects.get(account=cleo)

    def send(_i):
        data = f.visit_data(me, household=home)
        data.deliveries = [DeliveryLine("clothing", 2)]
        return actions.record_visit(data=data, by=cleo, client_key="same-key").pk

    results = run_together(send, THREADS)
    assert {kind for kind, _ in results} == {"ok"}, results
    assert len({pk for _kind, pk in results}) == 1
    assert Visit.objects.count() == 1 and VisitDelivery.objects.count() == 1
    assert AuditEvent.objects.filter(action="visit.recorded").count() == 1
