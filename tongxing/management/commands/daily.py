import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxing.daily import run_daily


class Command(BaseCommand):
    help = (
        "Do what must happen once a day: warn of needs about to expire and expire those past "
        "their deadline, delete the background jobs of imports and exports older than a week "
        "with their files, then refresh the query planner's statistics. Run it daily from "
        "cron or a systemd timer; running it twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day to run as (YYYY-MM-DD); default today")

    def handle(self, *args, today, **options):
        day = timezone.localdate()
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(_("--today: give a date as YYYY-MM-DD.")) from exc
        for line in run_daily(day):
            self.stdout.write(line)
