import io

import pytest
from django.core.management import CommandError, call_command


def test_it_runs_every_daily_step_and_says_what_each_did(db):
    out = io.StringIO()
    call_command("daily", "--today", "2026-03-01", stdout=out)
    assert out.getvalue().splitlines() == [
        "Completed 0 contributions left half-way; released 0 the provider refused; 0 still wait.",
        "Warned 0 needs about to expire; expired 0.",
        "Paid back 0 returned contributions; 0 refunds still wait.",
        "Deleted 0 background jobs older than 7 days, with their files; "
        "0 jobs that had died with their server marked failed.",
        "Refreshed the query planner's statistics.",
    ]


def test_it_refuses_a_day_that_is_no_date(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("daily", "--today", "yesterday")
