"""What must happen once a day, in order, for `tongxing daily` (cron or a systemd timer).

Each step is a function of the day that does its work through its app's actions and
returns a line saying what it did. Steps are idempotent: running the day twice changes
nothing the first run did not.
"""

import datetime
from collections.abc import Callable

from django.utils.translation import gettext as _

from tongxing.needs.actions import sweep
from tongxing.queries import refresh_statistics


def sweep_needs(today: datetime.date) -> str:
    result = sweep(today=today)
    return _("Warned %(warned)d needs about to expire; expired %(expired)d.") % {
        "warned": result.warned,
        "expired": result.expired,
    }


def refresh_planner_statistics(today: datetime.date) -> str:
    refresh_statistics()  # the day's new rows, for tomorrow's queries
    return _("Refreshed the query planner's statistics.")


# The last step reads what the others changed.
STEPS: list[Callable[[datetime.date], str]] = [sweep_needs, refresh_planner_statistics]


def run_daily(today: datetime.date) -> list[str]:
    return [step(today) for step in STEPS]
