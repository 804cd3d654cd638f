"""`{% load commerce_tags %}`: `{{ fen|yuan }}` writes an amount in fen as ¥1,234.50."""

from django import template

register = template.Library()


@register.filter
def yuan(fen) -> str:
    if fen is None or fen == "":
        return "—"
    whole, cents = divmod(int(fen), 100)
    return f"¥{whole:,}" if not cents else f"¥{whole:,}.{cents:02d}"


@register.filter
def percent_bp(bp) -> str:
    """Basis points as a percentage with two decimals: 3000 → 30.00%."""
    return "—" if bp is None else f"{int(bp) / 100:.2f}%"
