import datetime
import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxing.indicators import engine
from tongxing.indicators.catalogue import INDICATORS, indicator_of
from tongxing.indicators.forms import LEVELS
from tongxing.regions.codes import CodeError, Level, normalize
from tongxing.regions.models import Region


def day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("Give a date as YYYY-MM-DD."), returncode=2) from None


class Command(BaseCommand):
    help = (
        "Print every indicator of the catalogue for a region (default: everywhere) and a "
        "period (default: this year to today). Codes whose records are not kept yet print "
        "as not recorded, never as 0."
    )

    def add_arguments(self, parser):
        parser.add_argument("--region", help="a region code (default: everywhere)")
        period = parser.add_mutually_exclusive_group()
        period.add_argument("--year", type=int, help="a year (this year: to today)")
        period.add_argument("--from", dest="start", help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", help="last day, YYYY-MM-DD")
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument(
            "--by",
            choices=list(LEVELS),
            help="one row of figures for each city, township or village of the region",
        )

    def handle(self, *args, region, year, start, end, json: bool, by: str | None, **options):
        prefix = self.prefix_of(region)
        if year is not None and end is not None:
            raise CommandError(_("Give a year or a range of days, not both."), returncode=2)
        try:
            period = engine.period_of(
                year=year,
                start=day(start) if start else None,
                end=day(end) if end else None,
                today=timezone.localdate(),
            )
        except ValidationError as exc:
            raise CommandError(exc.messages[0], returncode=2) from None
        if by is not None:
            self.print_by(prefix, period, LEVELS[by], json)
            return
        figures = engine.compute(prefix, period.start, period.end)
        trainings = engine.trainings(prefix, period.start, period.end)
        if json:
            self.stdout.write(dumps(engine.as_json(figures, trainings)))
            return
        for code, item in engine.as_json(figures, trainings).items():
            self.stdout.write(f"{code}\t{item['display']}\t{indicator_of(code).label}")

    def print_by(self, prefix: str, period, level: Level, json: bool) -> None:
        """Each region of the level: JSON {region code: {code: …}}, or a tab-separated
        table (a row per region, a column per code) for a spreadsheet."""
        table = engine.compute_by(prefix, period.start, period.end, level)
        if json:
            self.stdout.write(dumps({code: engine.as_json(f) for code, f in table.items()}))
            return
        self.stdout.write("\t".join(["region", *(i.code for i in INDICATORS)]))
        for code, figures in table.items():
            shown = (engine.display(i, figures[i.code]) for i in INDICATORS)
            self.stdout.write("\t".join([code, *shown]))

    def prefix_of(self, code: str | None) -> str:
        if not code:
            return ""
        try:
            region = Region.objects.filter(code=normalize(code)).first()
        except CodeError:
            region = None
        if region is None:
            raise CommandError(_("No region %(code)s.") % {"code": code}, returncode=2)
        return region.prefix


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
