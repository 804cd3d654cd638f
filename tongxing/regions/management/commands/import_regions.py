import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from rich.console import Console

from tongxing.progress import progress_display
from tongxing.regions.actions import COLUMN_ALIASES, import_regions
from tongxing.tabular import TableError, read_table, rejected_rows_table


class Command(BaseCommand):
    help = (
        "Load a region tree from .csv or .xlsx (columns: code, name, and optionally parent, "
        "level, tags). Every row is checked first; with any bad row nothing is loaded. "
        "Loading the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, file, json: bool, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(file)s") % {"file": file})
        try:
            table = read_table(path, aliases=COLUMN_ALIASES, required=("code", "name"))
        except TableError as exc:
            raise CommandError(str(exc)) from exc
        if json:
            result = import_regions(rows=table.rows, by=None)
        else:
            with progress_display(transient=True) as progress:
                task = progress.add_task(_("Loading regions"), total=len(table.rows))
                result = import_regions(
                    rows=table.rows, by=None, progress=lambda n: progress.advance(task, n)
                )
        self.report(result, as_json=json, columns=table.columns)
        if not result.ok:
            raise CommandError(
                _("%(n)d bad row(s): nothing was loaded.") % {"n": len(result.errors)}
            )

    def report(self, result, *, as_json: bool, columns: dict[str, str]) -> None:
        if as_json:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
            return
        console = Console()
        if result.errors:
            console.print(rejected_rows_table(result.errors, columns))
        else:
            console.print(
                f"Created {result.created}, updated {result.updated}, unchanged {result.unchanged}."
            )
