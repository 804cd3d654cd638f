from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxing.progress import progress_display
from tongxing.regions.codes import CodeError, normalize
from tongxing.regions.models import Region
from tongxing.reports.generate import STEPS, check, generate
from tongxing.reports.wording import WordingError


class Command(BaseCommand):
    help = (
        "Write the annual report of a region (default: the top region) for a year, in "
        "Simplified or Traditional Chinese or English, as Word, HTML, Markdown or JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, required=True, help="the year (this year: to today)"
        )
        parser.add_argument("--region", help="a region code (default: the top region)")
        parser.add_argument("--lang", default="zh-hans", help="zh-hans, zh-hant or en")
        parser.add_argument("--format", default="docx", help="docx, html, md or json")
        parser.add_argument("-o", "--output", help="the file to write (default: its own name here)")

    def handle(self, *args, year, region, lang, format, output, **options):
        today = timezone.localdate()
        try:
            check(year=year, lang=lang, format=format, today=today)
            found = self.region_of(region)
            # Three steps, shown as a bar (a province's report takes a few seconds).
            with progress_display(transient=True) as progress:
                task = progress.add_task(_("Writing the report"), total=len(STEPS))

                def step(name: str) -> None:
                    progress.update(task, completed=STEPS.index(name))

                content, name = generate(
                    region=found, year=year, lang=lang, format=format, today=today, step=step
                )
                progress.update(task, completed=len(STEPS))
        except ValidationError as exc:
            raise CommandError(exc.messages[0], returncode=2) from None
        except WordingError as exc:
            raise CommandError(str(exc), returncode=2) from None
        path = Path(output or name)
        path.write_bytes(content)
        self.stdout.write(str(path))

    def region_of(self, code: str | None) -> Region:
        if not code:
            top = Region.objects.filter(parent=None).order_by("code").first()
            if top is None:
                raise CommandError(_("No regions yet: import the region tree first."), returncode=2)
            return top
        try:
            region = Region.objects.filter(code=normalize(code)).first()
        except CodeError:
            region = None
        if region is None:
            raise CommandError(_("No region %(code)s.") % {"code": code}, returncode=2)
        return region
