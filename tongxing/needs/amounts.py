"""How the needs board writes amounts: yuan for money, the need's own unit for the rest."""

from django.utils.translation import ngettext

from tongxing.needs.models import Kind, Need


def yuan(fen: int | None) -> str:
    """Return an amount of fen in yuan: 1234500 → ¥12,345; 1234550 → ¥12,345.50."""
    whole, cents = divmod(fen or 0, 100)
    return f"¥{whole:,}" if not cents else f"¥{whole:,}.{cents:02d}"


def amount_text(need: Need, quantity: int | None) -> str:
    """Return a quantity in the need's unit: ¥500, 2 床, 1 place, 1 wish."""
    quantity = quantity or 0
    if need.kind == Kind.FUNDS:
        return yuan(quantity)
    if need.kind == Kind.WISH:
        return ngettext("%(n)d wish", "%(n)d wishes", quantity) % {"n": quantity}
    if need.kind == Kind.SERVICE and not need.unit:
        return ngettext("%(n)d place", "%(n)d places", quantity) % {"n": quantity}
    return f"{quantity} {need.unit}".strip()
