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
    method: str

    def collect(self, *, amount_fen: int, reference: str) -> Payment:
        """Take the money (or record that it was taken); raise ValidationError if not."""

    def refund(self, *, amount_fen: int, payment: Payment) -> None:
        """Give the money back (or record that the office must)."""


class OfflineTransfer:
    """The donor transferred the money themselves and gives the transfer's reference."""

    method = "offline_transfer"

    def collect(self, *, amount_fen: int, reference: str) -> Payment:
        reference = clean_text(reference, max_length=64, field="payment_reference")
        if not reference:
            raise ValidationError(
                {"payment_reference": [_("Give the reference of your transfer.")]}
            )
        return Payment(method=self.method, reference=reference)

    def refund(self, *, amount_fen: int, payment: Payment) -> None:
        # The office returns an offline transfer by hand; the pledge's status records it.
        return None


def payment_provider() -> PaymentProvider:
    return import_string(settings.TONGXING_PAYMENT_PROVIDER)()
