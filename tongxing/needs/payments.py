"""How money reaches a need. This version records offline transfers (a bank or WeChat
transfer to the office's account, with its reference); a payment provider can implement
the same interface later and be named in settings.TONGXING_PAYMENT_PROVIDER."""

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from tongxing.text import clean_text


@dataclass(frozen=True)
class Payment:
    method: str
    reference: str


class PaymentProvider(Protocol):
    """What a provider does with money. Each call carries an idempotency key, the same
    every time the same collection or refund is tried again (a retry after a crash, the
    daily retry of refunds): a provider moves the money once per key and answers a repeat
    with the first result (Stripe's Idempotency-Key)."""

    method: str

    def collect(self, *, amount_fen: int, reference: str, idempotency_key: str) -> Payment:
        """Take the money (or record that it was taken); raise ValidationError if it was
        refused. Any other exception means the outcome is unknown: the same key is sent
        again when the request is retried."""

    def refund(self, *, amount_fen: int, payment: Payment, idempotency_key: str) -> None:
        """Give the money back (or record that the office must); raise if it failed (the
        refund stays pending and is tried again with the same key)."""


class OfflineTransfer:
    """The donor transferred the money themselves and gives the transfer's reference.

    Nothing moves through it, so it has nothing to count twice: it ignores the keys.
    """

    method = "offline_transfer"

    def collect(self, *, amount_fen: int, reference: str, idempotency_key: str) -> Payment:
        reference = clean_text(reference, max_length=64, field="payment_reference")
        if not reference:
            raise ValidationError(
                {"payment_reference": [_("Give the reference of your transfer.")]}
            )
        return Payment(method=self.method, reference=reference)

    def refund(self, *, amount_fen: int, payment: Payment, idempotency_key: str) -> None:
        # The office returns an offline transfer by hand; the pledge's status records it.
        return None


def payment_provider() -> PaymentProvider:
    return import_string(settings.TONGXING_PAYMENT_PROVIDER)()
