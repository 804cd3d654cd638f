"""`{% load numbers %}`: `{{ n|thousands }}` writes a count with thousands separators."""

from django import template

from tongxing import numbers

register = template.Library()


@register.filter
def thousands(value) -> str:
    """30000 → 30,000 (in every language); never for a year, code, ID or registry number."""
    return numbers.thousands(value)
