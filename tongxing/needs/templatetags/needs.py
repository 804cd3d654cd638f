"""How the needs board writes amounts (yuan for money, the need's own unit for the rest),
and how the review card shows the personal data found in a need's public text."""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from tongxing.needs import amounts, public_text
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


@register.filter
def marked(need: Need, field: str) -> SafeString:
    """A public field of a need, escaped, with each piece of personal data that the check
    found in it (`need.public_findings`, see selectors) wrapped in <mark>; the story keeps
    its line breaks."""
    text = getattr(need, field) or ""
    findings = (getattr(need, "public_findings", None) or {}).get(field, [])
    parts = []
    for piece, finding in public_text.segments(text, findings):
        if finding is not None:
            parts.append(
                format_html(
                    '<mark class="personal-data" data-kind="{}" title="{}">{}</mark>',
                    finding.kind,
                    finding.label,
                    piece,
                )
            )
        else:
            escaped = str(conditional_escape(piece))
            parts.append(escaped.replace("\n", "<br>") if field == "story" else escaped)
    # Every part is escaped above: the user's text never reaches the page unescaped.
    return mark_safe("".join(parts))


@register.filter
def public_findings_list(need: Need) -> list[tuple[str, object]]:
    """(the field's name, the finding) for each piece of personal data in a need's text."""
    found = getattr(need, "public_findings", None) or {}
    return [
        (str(public_text.FIELD_LABELS[field]), finding)
        for field, findings in found.items()
        for finding in findings
    ]
