"""Many disbursements of one pairing at the same moment: those without a reason never
bring it beyond its pledges. The pairing's row, locked by each, orders them.

As in the needs board's concurrency tests, the threads start on a barrier, each with its
own connection, on the suite's engine (SQLite with WAL and IMMEDIATE, or PostgreSQL).
"""

import datetime
import threading
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum

from conftest import VILLAGE_A1
from tongxing.programs import actions
from tongxing.programs.models import Disbursement
from tongxing.programs.tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 12


def run_together(work, count: int) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(i: int) -> None:
        try:
            barrier.wait()
            results[i] = ("ok", work(i))
        except ValidationError as exc:
            results[i] = ("refused", exc)
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


def test_disbursements_at_once_never_exceed_the_pledge_unflagged(tree):
    pairing = f.pairing(f.programme(), VILLAGE_A1, f.enterprise())
    actions.record_pledge(
        pairing=pairing,
        amount_fen=5_000_00,
        purpose="修村道",
        pledged_on=datetime.date(2026, 3, 10),
        by=None,
    )

    results = run_together(
        lambda i: actions.record_disbursement(
            pairing=pairing,
            kind="funds",
            amount_fen=1_000_00,
            disbursed_on=datetime.date(2026, 4, 1),
            by=None,
        ),
        THREADS,
    )

    assert Counter(kind for kind, _ in results) == {"ok": 5, "refused": THREADS - 5}, results
    total = Disbursement.objects.filter(pairing=pairing).aggregate(t=Sum("amount_fen"))["t"]
    assert total == 5_000_00
    assert not Disbursement.objects.filter(exceeds_pledge=True).exists()
