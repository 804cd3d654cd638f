"""How every page writes a count or an amount: with thousands separators, in every language.

Django's own `intcomma` follows the locale, and its Chinese formats group by nothing (30000);
offices, their reports and the board write 30,000 in every language. Never apply it to a
year, a code, an ID or a registry number: those are names, not amounts.
"""

from decimal import Decimal, InvalidOperation


def thousands(value: object) -> str:
    """Return a number with commas between its thousands: 1234567 → 1,234,567.

    Decimals keep their places (Decimal("12345.60") → 12,345.60). Anything that is not a
    number (None, a word) comes back as its text, so a template never fails on it.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return f"{value:,}"
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{number:,f}" if number.is_finite() else str(value)
