"""`{% load event_tags %}`: `{{ fen|yuan }}` writes an amount of fen as yuan."""

from django import template

from tongxing.audit.events import yuan as yuan_text

register = template.Library()


@register.filter
def yuan(fen) -> str:
    return yuan_text(fen) if isinstance(fen, int) else "—"
