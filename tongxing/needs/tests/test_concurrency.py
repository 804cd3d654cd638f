"""Many donors at the same moment: the sums never exceed the need, nothing is lost.

Each test starts its threads on a barrier so that their transactions really overlap, every
thread has its own database connection (as each request of a server has), and the test
runs on the real engine of the suite: SQLite (WAL, IMMEDIATE) or PostgreSQL.
"""

import threading
import time
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django.test import override_settings

from tongxing.access import Role
from tongxing.needs.actions import pledges
from tongxing.needs.models import ACTIVE_PLEDGE, IdempotentRequest, Need, Pledge
from tongxing.needs.tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 24


def run_together(work, count: int) -> list:
    """Run work(i) in `count` threads released at once; return each one's result."""
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


def donors(count: int):
    from conftest import make_user

    return [make_user(f"donor{i:02d}", Role.DONOR) for i in range(count)]


def active_sum(need: Need) -> int:
    lines = Pledge.objects.filter(need=need, status__in=ACTIVE_PLEDGE)
    return lines.aggregate(total=Sum("quantity"))["total"] or 0


@pytest.fixture
def board(vera, tina):
    return {"vera": vera, "tina": tina, "home": f.household()}


def test_it_never_pledges_goods_beyond_the_need_however_many_pledge_at_once(board):
    need = f.published(f.goods_data(board["home"], quantity=10), by=board["vera"])
    people = donors(THREADS)

    results = run_together(
        lambda i: pledges.pledge_goods(need=need, by=people[i], quantity=1), THREADS
    )

    outcome = Counter(kind for kind, _ in results)
    assert outcome == {"ok": 10, "refused": THREADS - 10}, results
    need.refresh_from_db()
    assert need.pledged == 10
    assert active_sum(need) == 10
    assert Pledge.objects.filter(need=need).count() == 10
    assert need.matched_at is not None
    # Every refused donor heard why, in words.
    for kind, exc in results:
        if kind == "refused":
            assert exc.messages == ["This need is fully pledged already. Thank you!"]


def test_it_refuses_the_excess_with_what_remains_when_big_pledges_race(board):
    need = f.published(f.goods_data(board["home"], quantity=10), by=board["vera"])
    people = donors(THREADS)

    results = run_together(
        lambda i: pledges.pledge_goods(need=need, by=people[i], quantity=3), THREADS
    )

    outcome = Counter(kind for kind, _ in results)
    assert outcome == {"ok": 3, "refused": THREADS - 3}, results
    need.refresh_from_db()
    assert need.pledged == 9 == active_sum(need)
    messages = {exc.messages[0] for kind, exc in results if kind == "refused"}
    assert messages == {"Only 1 piece of bedding is still needed."}


def test_it_never_funds_beyond_the_target_however_many_contribute_at_once(board):
    need = f.published(f.funds_data(board["home"], target_fen=1000_00), by=board["vera"])
    people = donors(THREADS)

    results = run_together(
        lambda i: pledges.contribute(
            need=need,
            by=people[i],
            amount_fen=100_00,
            payment_reference=f"T{i}",
            idempotency_key=f"key-{i}",
        ),
        THREADS,
    )

    outcome = Counter(kind for kind, _ in results)
    assert outcome == {"ok": 10, "refused": THREADS - 10}, results
    need.refresh_from_db()
    assert need.pledged == 1000_00 == active_sum(need)
    # Fully funded: the money was released to the household at once.
    assert need.delivered == 1000_00
    # A refused contribution recorded nothing, not even its key.
    assert IdempotentRequest.objects.count() == 10


def test_a_retried_contribution_racing_the_first_counts_once(board):
    need = f.published(f.funds_data(board["home"], target_fen=5000_00), by=board["vera"])
    (dora,) = donors(1)

    # The same request sent eight times at once, as a client retrying on a bad network.
    results = run_together(
        lambda i: pledges.contribute(
            need=need,
            by=dora,
            amount_fen=200_00,
            payment_reference="WX-20261001",
            idempotency_key="retry-me",
        ),
        8,
    )

    assert all(kind == "ok" for kind, _ in results), results
    pledge_ids = {result.pledge.pk for _, result in results}
    assert len(pledge_ids) == 1
    assert sum(not result.replayed for _, result in results) == 1
    need.refresh_from_db()
    assert need.pledged == 200_00 == active_sum(need)
    assert Pledge.objects.filter(need=need).count() == 1


def test_a_retried_contribution_racing_the_first_is_collected_once(board):
    from tongxing.needs.tests.test_payments import Provider

    need = f.published(f.funds_data(board["home"], target_fen=5000_00), by=board["vera"])
    (dora,) = donors(1)
    Provider.reset()
    # A provider slow to answer: the retries arrive while the first is still collecting.
    Provider.during_collect.append(lambda: time.sleep(0.3))

    with override_settings(TONGXING_PAYMENT_PROVIDER="tongxing.needs.tests.test_payments.Provider"):
        results = run_together(
            lambda i: pledges.contribute(
                need=need,
                by=dora,
                amount_fen=200_00,
                payment_reference="",
                idempotency_key="retry-me",
            ),
            8,
        )

    calls = list(Provider.collects)
    Provider.reset()
    assert all(kind == "ok" for kind, _ in results), results
    assert len({result.pledge.pk for _, result in results}) == 1
    assert sum(not result.replayed for _, result in results) == 1
    request = IdempotentRequest.objects.get(user=dora, key="retry-me")
    assert calls == [f"contribution-{request.pk}"]
    need.refresh_from_db()
    assert (need.pledged, need.reserved) == (200_00, 0)
    assert active_sum(need) == 200_00


def test_contributions_spread_over_many_needs_are_all_kept(board):
    needs = [
        f.published(f.funds_data(board["home"], target_fen=300_00), by=board["vera"])
        for _ in range(4)
    ]
    people = donors(THREADS)

    results = run_together(
        lambda i: pledges.contribute(
            need=needs[i % 4],
            by=people[i],
            amount_fen=50_00,
            payment_reference=f"T{i}",
            idempotency_key=f"k{i}",
        ),
        THREADS,
    )

    # 6 contributions of ¥50 reach each ¥300 target exactly: none lost, none refused.
    assert Counter(kind for kind, _ in results) == {"ok": THREADS}, results
    for need in needs:
        need.refresh_from_db()
        assert need.pledged == 300_00 == active_sum(need)
