from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tongxing.progress import progress_display
from tongxing.regions.codes import CodeError, normalize, prefix_of
from tongxing.registry.actions import export_households
from tongxing.registry.models import Household, Member


class Command(BaseCommand):
    help = (
        "Write the households of a region (default: all) and their members to an .xlsx file "
        "with the headers the import reads. ID and phone numbers are masked unless "
        "--full-numbers, which needs a --reason and is written with it to the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument("output", help="the .xlsx file to write")
        parser.add_argument("--region", help="a region code: only the households under it")
        parser.add_argument("--full-numbers", action="store_true")
        parser.add_argument("--reason", default="", help="why the full numbers are needed")

    def handle(self, *args, output, region, full_numbers, reason, **options):
        if not output.lower().endswith(".xlsx"):
            raise CommandError(_("The output file must end in .xlsx."))
        if full_numbers and not reason.strip():
            raise CommandError(
                _("--full-numbers needs --reason: say why the full numbers are needed.")
            )
        households = Household.objects.all()
        if region:
            try:
                households = households.filter(
                    village__code__startswith=prefix_of(normalize(region))
                )
            except CodeError as exc:
                raise CommandError(f"--region: {exc}") from exc
        members = Member.objects.filter(household__in=households).count()
        try:
            with progress_display(transient=True) as progress:
                task = progress.add_task(_("Writing members"), total=members)
                content = export_households(
                    households=households,
                    by=None,
                    full_numbers=full_numbers,
                    reason=reason,
                    progress=lambda n: progress.advance(task, n),
                )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        Path(output).write_bytes(content)
        self.stdout.write(
            _("Wrote %(n)d households to %(file)s.") % {"n": households.count(), "file": output}
        )
