import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tongxing.needs.actions.deadlines import sweep
from tongxing.queries import refresh_statistics


class Command(BaseCommand):
    help = (
        "Warn the posters of needs that expire within three days, and expire the needs past "
        "their deadline without a full match: all-or-nothing contributions are returned (or "
        "moved where the donor agreed), and the need is escalated to the office. Run daily; "
        "running it twice changes nothing. It also refreshes the query planner's statistics."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day to sweep as (YYYY-MM-DD); default today")

    def handle(self, *args, today, **options):
        day = None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(_("--today: give a date as YYYY-MM-DD.")) from exc
        result = sweep(today=day)
        refresh_statistics()  # the day's new needs and pledges, for tomorrow's queries
        self.stdout.write(
            _("Warned %(warned)d needs about to expire; expired %(expired)d.")
            % {"warned": result.warned, "expired": result.expired}
        )
