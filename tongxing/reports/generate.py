"""Asking for a report: its year, language and format checked first (before anything is
read or written), then the report built and written. The command and the page both come
here; the caller finds the region within its scope."""

import datetime
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tongxing.indicators import engine
from tongxing.reports import document, formats
from tongxing.reports.wording import LANGUAGES


def check(*, year: int, lang: str, format: str, today: datetime.date) -> engine.Period:
    """The period of the year (to today, if it is this year); a ValidationError names every
    field at fault (year, lang, format)."""
    errors = {}
    try:
        period = engine.period_of(year=year, today=today)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if lang not in LANGUAGES:
        errors["lang"] = [_("Give a language: zh-hans, zh-hant or en.")]
    if format not in formats.FORMATS:
        errors["format"] = [_("Give a format: docx, html, md or json.")]
    if errors:
        raise ValidationError(errors)
    return period


# What writing a report goes through, in order, for its progress.
STEPS = ("figures", "wording", "writing")


def generate(
    *,
    region,
    year: int,
    lang: str,
    format: str,
    today: datetime.date,
    step: Callable[[str], None] = lambda name: None,
) -> tuple[bytes, str]:
    """The report of the region's year: its bytes and its file name. `step` is told each
    of STEPS as it begins."""
    period = check(year=year, lang=lang, format=format, today=today)
    report = document.build(
        region=region, year=year, start=period.start, end=period.end, lang=lang, step=step
    )
    step("writing")
    return formats.write(report, format), formats.filename(report, format)
