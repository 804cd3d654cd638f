"""Money through the payment provider: a contribution is collected once however often it
is sent, nothing is collected for one that is refused, and money goes back only once the
return of a contribution has committed.

The provider is an external service, so here it is a test double (`Provider`) that counts
its calls and the keys they carry. Vera (village admin of A1) posts and cancels; Dora and
Olga contribute.
"""

import threading
from typing import ClassVar

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings

from tongxing import daily
from tongxing.needs import selectors
from tongxing.needs.actions import deadlines, pledges, posting
from tongxing.needs.models import IdempotentRequest, Need, Pledge, PledgeStatus, Status
from tongxing.needs.payments import Payment
from tongxing.needs.tests import factories as f


class Provider:
    """A card provider as it behaves: it takes the money once per idempotency key and
    answers a repeat with the first payment (Stripe's Idempotency-Key), and fails when a
    test queues a failure. A queued ValidationError is a refusal (nothing taken); any other
    exception is an answer lost after the money was taken (a dropped connection)."""

    method = "card"
    lock = threading.Lock()
    collects: ClassVar[list[str]] = []  # the key of each call, in order
    refunds: ClassVar[list[str]] = []
    taken: ClassVar[dict[str, Payment]] = {}  # by key: the money it holds
    paid_back: ClassVar[set[str]] = set()
    failures: ClassVar[dict[str, list[Exception]]] = {"collect": [], "refund": []}
    during_collect: ClassVar[list] = []  # what happens elsewhere while it collects

    @classmethod
    def reset(cls) -> None:
        cls.collects.clear()
        cls.refunds.clear()
        cls.taken.clear()
        cls.paid_back.clear()
        cls.failures = {"collect": [], "refund": []}
        cls.during_collect.clear()

    def collect(self, *, amount_fen: int, reference: str, idempotency_key: str) -> Payment:
        with self.lock:
            self.collects.append(idempotency_key)
            failure = self.failures["collect"].pop(0) if self.failures["collect"] else None
        for step in self.during_collect:
            step()
        if isinstance(failure, ValidationError):
            raise failure
        with self.lock:
            payment = self.taken.get(idempotency_key)
            if payment is None:
                payment = self.taken[idempotency_key] = Payment(
                    self.method, f"ch_{len(self.taken) + 1}"
                )
        if failure is not None:
            raise failure
        return payment

    def refund(self, *, amount_fen: int, payment: Payment, idempotency_key: str) -> None:
        with self.lock:
            self.refunds.append(idempotency_key)
            if self.failures["refund"]:
                raise self.failures["refund"].pop(0)
            self.paid_back.add(idempotency_key)


@pytest.fixture
def provider():
    Provider.reset()
    with override_settings(TONGXING_PAYMENT_PROVIDER="tongxing.needs.tests.test_payments.Provider"):
        yield Provider
    Provider.reset()


@pytest.fixture
def home(tree):
    return f.household()


@pytest.fixture
def funds(home, vera, tina):
    """¥1,000 of hospital bills, all or nothing, on the board."""
    return f.published(f.funds_data(home, target_fen=1000_00), by=vera, reviewer=tina)


def give(need: Need, donor, key: str, amount: int = 400_00) -> pledges.PledgeResult:
    return pledges.contribute(
        need=need, by=donor, amount_fen=amount, payment_reference="", idempotency_key=key
    )


def request_key(donor, key: str) -> str:
    """The provider key of a contribution: its claimed request's."""
    return f"contribution-{IdempotentRequest.objects.get(user=donor, key=key).pk}"


def figures(need: Need) -> tuple[int, int, int]:
    need.refresh_from_db()
    return need.pledged, need.reserved, need.delivered


def events_of(need: Need) -> list[str]:
    return [event.action for event in selectors.need_events(need)]


# --- Collecting once ------------------------------------------------------------------------


def test_a_contribution_is_collected_with_the_key_of_its_request(provider, funds, dora):
    result = give(funds, dora, "k-1")

    assert provider.collects == [request_key(dora, "k-1")]
    pledge = result.pledge
    assert (pledge.status, pledge.payment_method, pledge.payment_reference) == (
        PledgeStatus.PLEDGED,
        "card",
        "ch_1",
    )
    assert figures(funds) == (400_00, 0, 0)
    assert events_of(funds).count("need.contributed") == 1


def test_a_retried_contribution_is_collected_once(provider, funds, dora):
    first = give(funds, dora, "k-1")
    again = give(funds, dora, "k-1")

    assert (again.pledge.pk, first.replayed, again.replayed) == (first.pledge.pk, False, True)
    assert provider.collects == [request_key(dora, "k-1")]
    assert figures(funds) == (400_00, 0, 0)


def test_a_contribution_to_a_full_need_never_reaches_the_provider(provider, funds, dora, olga):
    give(funds, dora, "k-1", amount=1000_00)

    with pytest.raises(ValidationError) as refused:
        give(funds, olga, "k-1", amount=100_00)

    assert refused.value.messages == ["This need is fully pledged already. Thank you!"]
    assert provider.collects == [request_key(dora, "k-1")]
    assert not IdempotentRequest.objects.filter(user=olga).exists()


def test_a_contribution_past_the_deadline_never_reaches_the_provider(provider, funds, dora):
    Need.objects.filter(pk=funds.pk).update(deadline=f.in_days(-1))

    with pytest.raises(ValidationError) as refused:
        give(funds, dora, "k-1")

    assert refused.value.messages == ["This need's deadline has passed."]
    assert provider.collects == []
    assert (Pledge.objects.count(), IdempotentRequest.objects.count()) == (0, 0)
    assert figures(funds) == (0, 0, 0)


def test_a_refused_payment_leaves_nothing_reserved_and_may_be_sent_again(provider, funds, dora):
    provider.failures["collect"].append(ValidationError("The card was declined."))

    with pytest.raises(ValidationError) as refused:
        give(funds, dora, "k-1")

    assert refused.value.message_dict == {"payment_reference": ["The card was declined."]}
    assert figures(funds) == (0, 0, 0)
    assert (Pledge.objects.count(), IdempotentRequest.objects.count()) == (0, 0)
    declined = provider.collects[0]

    # Sent again (another card, the same key): a new request, with a key of its own, for the
    # provider would answer the first key with its refusal again.
    result = give(funds, dora, "k-1")

    assert result.replayed is False
    assert provider.collects == [declined, request_key(dora, "k-1")]
    assert declined != provider.collects[1]
    assert figures(funds) == (400_00, 0, 0)


def test_a_contribution_cut_off_after_the_reservation_completes_when_sent_again(
    provider, funds, dora, olga
):
    provider.failures["collect"].append(ConnectionError("connection reset"))

    with pytest.raises(ConnectionError):
        give(funds, dora, "k-1")

    # Reserved, not given: it counts nowhere yet, but no one else can take it.
    pledge = Pledge.objects.get()
    assert pledge.status == PledgeStatus.RESERVED
    assert figures(funds) == (0, 400_00, 0)
    assert selectors.impact_of(dora).money_fen == 0
    with pytest.raises(ValidationError) as refused:
        give(funds, olga, "o-1", amount=700_00)
    assert refused.value.message_dict == {"amount_fen": ["Only ¥600 is still needed."]}

    result = give(funds, dora, "k-1")

    assert (result.pledge.pk, result.replayed, result.pledge.status) == (
        pledge.pk,
        False,
        PledgeStatus.PLEDGED,
    )
    key = request_key(dora, "k-1")
    assert provider.collects == [key, key]  # the same key: the provider took the money once
    assert list(provider.taken) == [key]
    assert figures(funds) == (400_00, 0, 0)
    assert selectors.impact_of(dora).money_fen == 400_00
    assert events_of(funds).count("need.contributed") == 1
    assert give(funds, dora, "k-1").replayed is True
    assert len(provider.collects) == 2


def abandon(pledge: Pledge) -> None:
    """Let the time pass after which a reservation counts as abandoned."""
    earlier = pledge.created_at - deadlines.ABANDONED_AFTER - pledges.COLLECT_LEASE
    Pledge.objects.filter(pk=pledge.pk).update(created_at=earlier)


def test_a_contribution_cut_off_and_never_sent_again_is_completed_by_the_daily_step(
    provider, funds, dora
):
    provider.failures["collect"].append(ConnectionError("connection reset"))
    with pytest.raises(ConnectionError):
        give(funds, dora, "k-1")
    pledge = Pledge.objects.get()
    today = f.in_days(0)
    # Young, it is left to the donor's own retry.
    assert daily.finish_contributions(today) == (
        "Completed 0 contributions left half-way; released 0 the provider refused; 0 still wait."
    )
    abandon(pledge)

    assert daily.finish_contributions(today) == (
        "Completed 1 contributions left half-way; released 0 the provider refused; 0 still wait."
    )
    key = request_key(dora, "k-1")
    assert provider.collects == [key, key] and list(provider.taken) == [key]
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.PLEDGED
    assert figures(funds) == (400_00, 0, 0)
    assert events_of(funds).count("need.contributed") == 1
    # Once done, neither the step again nor the donor's late retry collects anything more.
    daily.finish_contributions(today)
    assert give(funds, dora, "k-1").replayed is True
    assert len(provider.collects) == 2


def test_an_abandoned_contribution_the_provider_refuses_is_released(provider, funds, dora):
    provider.failures["collect"].append(ConnectionError("connection reset"))
    with pytest.raises(ConnectionError):
        give(funds, dora, "k-1")
    abandon(Pledge.objects.get())
    provider.failures["collect"].append(ValidationError("The card was declined."))

    assert daily.finish_contributions(f.in_days(0)) == (
        "Completed 0 contributions left half-way; released 1 the provider refused; 0 still wait."
    )
    assert Pledge.objects.count() == 0 and IdempotentRequest.objects.count() == 0
    assert figures(funds) == (0, 0, 0)


def test_a_contribution_whose_provider_is_still_down_waits(provider, funds, dora):
    provider.failures["collect"] += [ConnectionError("reset"), ConnectionError("down")]
    with pytest.raises(ConnectionError):
        give(funds, dora, "k-1")
    abandon(Pledge.objects.get())

    assert daily.finish_contributions(f.in_days(0)) == (
        "Completed 0 contributions left half-way; released 0 the provider refused; 1 still wait."
    )
    assert figures(funds) == (0, 400_00, 0)


# --- Money goes back after the commit -------------------------------------------------------


def test_money_goes_back_only_once_the_return_commits(
    provider, funds, dora, vera, django_capture_on_commit_callbacks
):
    pledge = give(funds, dora, "k-1").pledge

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        posting.cancel_need(need=funds, by=vera, reason="已由民政救助解决")
        raise RuntimeError("something after the cancellation failed")

    assert (callbacks, provider.refunds) == ([], [])
    pledge.refresh_from_db()
    funds.refresh_from_db()
    assert (pledge.status, funds.status, funds.pledged) == (
        PledgeStatus.PLEDGED,
        Status.PUBLISHED,
        400_00,
    )

    with django_capture_on_commit_callbacks(execute=True):
        posting.cancel_need(need=funds, by=vera, reason="已由民政救助解决")

    pledge.refresh_from_db()
    assert (pledge.status, pledge.refunded_at is not None) == (PledgeStatus.RETURNED, True)
    assert provider.refunds == [f"refund-{pledge.pk}"]
    assert events_of(funds)[-2:] == ["need.cancelled", "need.refunded"]


def test_a_failed_refund_waits_and_the_daily_step_pays_it_back_once(
    provider, funds, dora, vera, django_capture_on_commit_callbacks
):
    pledge = give(funds, dora, "k-1").pledge
    provider.failures["refund"] += [ConnectionError("down"), ConnectionError("still down")]

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = posting.cancel_need(need=funds, by=vera, reason="已由民政救助解决")

    assert cancelled.status == Status.CANCELLED
    pledge.refresh_from_db()
    assert (pledge.status, pledge.refund_pending) == (PledgeStatus.RETURNED, True)
    today = f.in_days(0)
    assert daily.retry_refunds(today) == (
        "Paid back 0 returned contributions; 1 refunds still wait."
    )
    assert daily.retry_refunds(today) == (
        "Paid back 1 returned contributions; 0 refunds still wait."
    )
    assert daily.retry_refunds(today) == (
        "Paid back 0 returned contributions; 0 refunds still wait."
    )

    key = f"refund-{pledge.pk}"
    assert (provider.refunds, provider.paid_back) == ([key, key, key], {key})
    pledge.refresh_from_db()
    assert pledge.refund_pending is False
    assert events_of(funds).count("need.refunded") == 1


def test_a_need_cancelled_while_the_money_is_collected_gives_it_back(
    provider, funds, dora, vera, django_capture_on_commit_callbacks
):
    provider.during_collect.append(
        lambda: posting.cancel_need(need=funds, by=vera, reason="已由民政救助解决")
    )

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as late:
        give(funds, dora, "k-1")

    assert late.value.messages == [
        "This need closed while your money was being paid: it goes back to you."
    ]
    pledge = Pledge.objects.get()
    assert (pledge.status, pledge.payment_reference, pledge.refund_pending) == (
        PledgeStatus.RETURNED,
        "ch_1",
        False,
    )
    assert provider.refunds == [f"refund-{pledge.pk}"]
    assert figures(funds) == (0, 0, 0)
    assert events_of(funds)[-2:] == ["need.contribution_late", "need.refunded"]
    # Sent again, it is the same contribution, returned: nothing is collected anew.
    again = give(funds, dora, "k-1")
    assert (again.replayed, again.pledge.pk, len(provider.collects)) == (True, pledge.pk, 1)
