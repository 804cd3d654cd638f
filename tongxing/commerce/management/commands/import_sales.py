import hashlib
import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from rich.console import Console

from tongxing.accounts.models import User
from tongxing.commerce.imports import import_sales, read_sales_table
from tongxing.progress import progress_display
from tongxing.queries import refresh_statistics
from tongxing.tabular import TableError, rejected_rows_table


class Command(BaseCommand):
    help = (
        "Import sales from a platform's or an enterprise's spreadsheet (.xlsx, .xls or .csv; "
        "one row per sale: date, seller or its credit code, channel, amount in yuan, and "
        "optionally orders, quantity, buyer, order number, and the fair (its number or exact "
        "title; required for the fair channels)). Every row is checked first; "
        "with any bad row nothing is imported. Importing the same file again changes nothing. "
        "With --user, the import runs with that account's rights, and the audit log names it."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check only; change nothing")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument("--user", metavar="USERNAME", help="import as this account")

    def handle(self, *args, file, dry_run, json, user, **options):
        by = None  # the server's administrator: every region
        if user is not None:
            by = User.objects.filter(username=user, is_active=True).first()
            if by is None:
                raise CommandError(_("No account %(name)s.") % {"name": user})
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(file)s") % {"file": file})
        try:
            table = read_sales_table(path)
        except TableError as exc:
            raise CommandError(str(exc)) from exc
        batch = _digest(path)
        try:
            if json:
                result = import_sales(rows=table.rows, by=by, batch=batch, dry_run=dry_run)
            else:
                with progress_display(transient=True) as progress:
                    task = progress.add_task(_("Importing sales rows"), total=len(table.rows))
                    result = import_sales(
                        rows=table.rows,
                        by=by,
                        batch=batch,
                        dry_run=dry_run,
                        progress=lambda n: progress.advance(task, n),
                    )
        except PermissionDenied:
            raise CommandError(
                _("%(name)s may not import these sales: nothing was imported.") % {"name": user}
            ) from None
        except ValidationError as exc:  # changed by someone else while it was checked
            raise CommandError(" ".join(exc.messages)) from None
        if result.rows_imported:
            refresh_statistics()
        if json:
            self.stdout.write(_json(result.as_dict()))
        else:
            if result.errors:
                Console(stderr=True).print(rejected_rows_table(result.errors, table.columns))
            else:
                self.stdout.write(
                    _("%(read)d rows read: %(new)d sales imported, %(old)d already on file.")
                    % {
                        "read": result.rows_read,
                        "new": result.rows_imported,
                        "old": result.rows_on_file,
                    }
                )
        if result.errors:
            raise CommandError(
                _("%(n)d bad row(s): nothing was imported.")
                % {"n": len({e.row for e in result.errors})}
            )


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
