import json
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from rich.console import Console

from tongxing.accounts.models import User
from tongxing.progress import progress_display
from tongxing.queries import refresh_statistics
from tongxing.registry.actions import import_households
from tongxing.registry.exports import write_marked_copy
from tongxing.registry.roster_columns import COLUMN_ALIASES, REQUIRED_COLUMNS
from tongxing.tabular import TableError, read_table, rejected_rows_table


class Command(BaseCommand):
    help = (
        "Import households from a roster (.xlsx, .xls or .csv; one row per member, the "
        "household given by its registry number or its head's ID number). Every row is "
        "checked first; with any bad row nothing is imported, unless --partial, which imports "
        "the households whose head's row is good. Importing the same file again changes nothing. "
        "With --user, the import runs with that account's rights, in its region, and the audit "
        "log names it."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--partial", action="store_true", help="import the good households")
        parser.add_argument("--dry-run", action="store_true", help="check only; change nothing")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument(
            "--marked-copy",
            metavar="FILE",
            help="write a copy of the file with the errors marked (ID and phone numbers masked)",
        )
        parser.add_argument(
            "--user", metavar="USERNAME", help="import as this account, within its region"
        )

    def handle(self, *args, file, partial, dry_run, json, marked_copy, user, **options):
        by = None  # the server's administrator: every region
        if user is not None:
            by = User.objects.filter(username=user, is_active=True).first()
            if by is None:
                raise CommandError(_("No account %(name)s.") % {"name": user})
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(file)s") % {"file": file})
        try:
            table = read_table(path, aliases=COLUMN_ALIASES, required=REQUIRED_COLUMNS)
        except TableError as exc:
            raise CommandError(str(exc)) from exc
        try:
            if json:
                result = import_households(rows=table.rows, by=by, partial=partial, dry_run=dry_run)
            else:
                with progress_display(transient=True) as progress:
                    task = progress.add_task(_("Importing roster rows"), total=len(table.rows))
                    result = import_households(
                        rows=table.rows,
                        by=by,
                        partial=partial,
                        dry_run=dry_run,
                        progress=lambda n: progress.advance(task, n),
                    )
        except PermissionDenied:
            raise CommandError(
                _("%(name)s may not import these households: nothing was imported.")
                % {"name": user}
            ) from None
        if result.rows_imported and not dry_run:
            refresh_statistics()  # the planner's view of the rows just loaded
        if marked_copy and result.errors:
            copy = write_marked_copy(
                path,
                result.errors,
                table.columns,
                header_row=table.header_row,
                width=table.rows.widest,
            )
            Path(marked_copy).write_bytes(copy)
        self.report(result, as_json=json, columns=table.columns)
        if result.refused:
            raise CommandError(
                _("%(n)d bad row(s): nothing was imported.") % {"n": result.rows_rejected}
            )

    def report(self, result, *, as_json: bool, columns: dict[str, str]) -> None:
        if as_json:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
            return
        console = Console()
        if result.errors:
            console.print(rejected_rows_table(result.errors, columns))
        summary = (
            _(
                "Households: %(households_created)d new, %(households_updated)d changed. "
                "Members: %(members_created)d new, %(members_updated)d changed, "
                "%(rows_unchanged)d unchanged."
            )
            % result.as_dict()
        )
        if result.dry_run:
            summary = _("Dry run, nothing saved.") + " " + summary
        console.print(summary)
