from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tongxing.regions.codes import CodeError, normalize, prefix_of
from tongxing.registry.actions import export_households
from tongxing.registry.models import Household


class Command(BaseCommand):
    help = (
        "Write the households of a region (default: all) and their members to an .xlsx file "
        "with the headers the import reads. ID and phone numbers are masked unless "
        "--full-numbers, which is written to the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument("output", help="the .xlsx file to write")
        parser.add_argument("--region", help="a region code: only the households under it")
        parser.add_argument("--full-numbers", action="store_true")

    def handle(self, *args, output, region, full_numbers, **options):
        if not output.lower().endswith(".xlsx"):
            raise CommandError(_("The output file must end in .xlsx."))
        households = Household.objects.all()
        if region:
            try:
                households = households.filter(
                    village__code__startswith=prefix_of(normalize(region))
                )
            except CodeError as exc:
                raise CommandError(f"--region: {exc}") from exc
        content = export_households(households=households, by=None, full_numbers=full_numbers)
        Path(output).write_bytes(content)
        self.stdout.write(
            _("Wrote %(n)d households to %(file)s.") % {"n": households.count(), "file": output}
        )
