from django import template

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """An amount in fen as yuan with thousands separators: ¥12,345.60."""
    if fen is None:
        return ""
    return f"¥{int(fen) / 100:,.2f}"
