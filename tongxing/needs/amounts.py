"""How the needs board writes amounts: yuan for money, the need's own unit for the rest, and
every number with its thousands separated (12,345), in every language."""

from django.utils.translation import ngettext

from tongxing.needs.models import Kind, Need
from tongxing.needs.units import quantity_text
from tongxing.numbers import thousands


def yuan(fen: int | None) -> str:
    """Return an amount of fen in yuan: 1234500 → ¥12,345; 1234550 → ¥12,345.50."""
    whole, cents = divmod(fen or 0, 100)
    return f"¥{whole:,}" if not cents else f"¥{whole:,}.{cents:02d}"


def amount_text(need: Need, quantity: int | None) -> str:
    """Return a quantity in the need's unit: ¥500, 2 pieces of bedding (2 床), 1 place, 1 wish."""
    quantity = quantity or 0
    if need.kind == Kind.FUNDS:
        return yuan(quantity)
    if need.kind == Kind.WISH:
        return ngettext("%(n)d wish", "%(n)d wishes", quantity) % {"n": quantity}
    if need.kind == Kind.SERVICE and not need.unit:
        return ngettext("%(count)s place", "%(count)s places", quantity) % {
            "count": thousands(quantity)
        }
    return quantity_text(quantity, need.unit)


def count_text(need: Need, quantity: int | None) -> str:
    """Return the bare number of a quantity (its unit said elsewhere): ¥500 for money, 1,200."""
    if need.kind == Kind.FUNDS:
        return yuan(quantity)
    return thousands(quantity or 0)
