"""How the needs board writes amounts: yuan for money, the need's own unit for the rest."""

from django import template

from tongxing.needs import amounts
from tongxing.needs.models import Need

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """1234500 → ¥12,345."""
    return amounts.yuan(fen)


@register.filter
def amount(quantity: int | None, need: Need) -> str:
    """A quantity in the need's unit: ¥500, 2 pieces of bedding (2 床), 1 place, 1 wish."""
    return amounts.amount_text(need, quantity)


@register.filter
def count(quantity: int | None, need: Need) -> str:
    """A quantity whose unit is said next to it: ¥500 for money, 1,200 for the rest."""
    return amounts.count_text(need, quantity)
