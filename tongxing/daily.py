"""What must happen once a day, in order, for `tongxing daily` (cron or a systemd timer).

Each step is a function of the day that does its work through its app's actions and
returns a line saying what it did. Steps are idempotent: running the day twice changes
nothing the first run did not.
"""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.utils.translation import gettext as _

from tongxing.jobs.actions import sweep_jobs
from tongxing.needs.actions.deadlines import complete_contributions, complete_refunds, sweep
from tongxing.queries import refresh_statistics


def sweep_needs(today: datetime.date) -> str:
    result = sweep(today=today)
    return _("Warned %(warned)d needs about to expire; expired %(expired)d.") % {
        "warned": result.warned,
        "expired": result.expired,
    }


def finish_contributions(today: datetime.date) -> str:
    # A contribution whose request stopped after reserving its amount holds room on the
    # need: collected here with its own provider key (counted once), or released.
    done, released, waiting = complete_contributions()
    return _(
        "Completed %(done)d contributions left half-way; released %(released)d the provider "
        "refused; %(waiting)d still wait."
    ) % {"done": done, "released": released, "waiting": waiting}


def retry_refunds(today: datetime.date) -> str:
    # A returned contribution is paid back as its return commits; if the provider failed
    # then, the refund waited, and is tried again here with the same key (paid once).
    done, waiting = complete_refunds()
    return _("Paid back %(done)d returned contributions; %(waiting)d refunds still wait.") % {
        "done": done,
        "waiting": waiting,
    }


def clear_old_jobs(today: datetime.date) -> str:
    # The files of imports and exports (marked copies, exports with full numbers) live a
    # week; the moment is now, not the day given, for they are counted in real time.
    stale, deleted = sweep_jobs()
    return _(
        "Deleted %(deleted)d background jobs older than %(days)d days, with their files; "
        "%(stale)d jobs that had died with their server marked failed."
    ) % {"deleted": deleted, "days": settings.TONGXING_JOB_FILE_DAYS, "stale": stale}


def refresh_planner_statistics(today: datetime.date) -> str:
    refresh_statistics()  # the day's new rows, for tomorrow's queries
    return _("Refreshed the query planner's statistics.")


# The last step reads what the others changed.
STEPS: list[Callable[[datetime.date], str]] = [
    finish_contributions,
    sweep_needs,
    retry_refunds,
    clear_old_jobs,
    refresh_planner_statistics,
]


def run_daily(today: datetime.date) -> list[str]:
    return [step(today) for step in STEPS]
