import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from rich.console import Console
from rich.table import Table

from tongxing import demo
from tongxing.daily import run_daily


class Command(BaseCommand):
    help = (
        "Build a fictional city from a seed (the same seed always gives the same city; "
        "running again adds nothing), run the day's daily jobs, print one login per role, "
        "then serve it on 127.0.0.1."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(demo.SCALES), default="city")
        parser.add_argument("--seed", type=int, default=2020)
        parser.add_argument(
            "--year",
            type=int,
            help="the calendar year the records cover, to today if it is this one (default: "
            "this year, so that the dashboard and this year's report show the demo's work)",
        )
        parser.add_argument("--no-serve", action="store_true", help="build, then stop")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, scale, seed, year, no_serve, port, **options):
        this_year = timezone.localdate().year
        # The demo lives in the present: its year is this one, its records reach today.
        year = year or this_year
        if not 2000 <= year <= this_year:
            raise CommandError(
                _("--year must lie between 2000 and %(year)d.") % {"year": this_year}
            )
        if not 1 <= port <= 65535:
            raise CommandError(_("--port must lie between 1 and 65535."))
        console = Console(stderr=True)
        console.print(
            _("Tongxing demo: scale %(scale)s, seed %(seed)d, year %(year)d")
            % {"scale": scale, "seed": seed, "year": year}
        )
        call_command("migrate", verbosity=0, interactive=False)
        ctx = demo.build(seed=seed, scale=scale, year=year, console=console)
        # What the night's `tongxing daily` would have done by today is done: a demo built
        # days ago and served again shows no need whose deadline has passed as open.
        for line in run_daily(timezone.localdate()):
            console.print(line)
        self.print_logins(ctx)
        if not no_serve:
            console.print(
                _("Serving on http://127.0.0.1:%(port)d/ — press Ctrl+C to stop.") % {"port": port}
            )
            # The worker of the background jobs (large imports and exports, a province's
            # report) runs beside the web server, and stops with it.
            worker = subprocess.Popen([sys.executable, "-m", "tongxing", "db_worker"])
            # Stopped by a signal as by Ctrl+C, the server takes its worker with it.
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
            try:
                call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
            finally:
                worker.terminate()
                worker.wait(timeout=30)

    def print_logins(self, ctx: demo.DemoContext) -> None:
        table = Table(title=_("Demo logins (password: %(p)s)") % {"p": demo.DEMO_PASSWORD})
        table.add_column(_("role"))
        table.add_column(_("username"))
        table.add_column(_("region scope"))
        for role, (username, scope) in ctx.logins.items():
            table.add_row(role, username, scope)
        Console().print(table)
