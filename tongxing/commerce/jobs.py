"""Sales files as background jobs (tongxing/jobs), as the registry imports rosters.

A small file is imported at once, in the request, through the same job (which keeps the
result for the page); a file of more than TONGXING_BACKGROUND_ROWS rows is imported by the
jobs' worker while the page follows its progress, so that no request waits for it. Either
way the work is `imports.import_sales`, run as the job's owner: the owner's rights (an
org_rep: its own organisation's sales only) are checked again when the job runs.
"""

import hashlib
import io

from tongxing.accounts.models import User
from tongxing.commerce import rights
from tongxing.commerce.imports import SalesImportResult, import_sales, read_sales_table
from tongxing.jobs import actions as jobs
from tongxing.jobs import files
from tongxing.jobs.kinds import Outcome, Progress, runner
from tongxing.jobs.models import Job
from tongxing.tabular import RowError
from tongxing.text import mask_personal_data

IMPORT = "sales_import"
# A job keeps the first so many errors for its page (the file names the rest by row).
ERRORS_KEPT = 1000


def import_sales_file(*, upload, filename: str, by: User, dry_run: bool) -> Job:
    """Check an uploaded sales file's header, then import it: at once if it is small (the
    job comes back finished), in the background if it is large (it comes back queued).

    Raises TableError when the file as a whole is refused (size, format, header).
    """
    table = read_sales_table(upload, filename=filename)
    job = jobs.create_job(
        owner=by,
        kind=IMPORT,
        roles=rights.SALES_RECORDERS,
        params={"dry_run": dry_run},
        upload=upload,
        input_name=filename,
        total=len(table.rows),
    )
    return jobs.run_or_start(job=job, rows=len(table.rows))


@runner(IMPORT)
def run_import(*, job: Job, owner: User, progress: Progress) -> Outcome:
    content = files.read_part(job, files.INPUT)
    table = read_sales_table(io.BytesIO(content), filename=job.input_name)
    total = len(table.rows)
    progress.begin("checking", total)
    dry_run = job.params.get("dry_run", False)
    result = import_sales(
        rows=table.rows,
        by=owner,
        # The file's digest, as the command and the API record it.
        batch=hashlib.sha256(content).hexdigest(),
        dry_run=dry_run,
        progress=progress.advance,
        saving=lambda: progress.begin("saving", 0),
    )
    return Outcome(result=import_result(result, table.columns, dry_run=dry_run))


def import_result(result: SalesImportResult, columns: dict[str, str], *, dry_run: bool) -> dict:
    """Return an import's result as a job keeps it: the counts, and the first errors with
    their column as the file heads it and any number in their message masked."""
    answer = result.as_dict()
    answer["dry_run"] = dry_run
    answer["error_count"] = len(result.errors)
    answer["error_rows"] = len({error.row for error in result.errors})
    answer["errors"] = [error_dict(error, columns) for error in result.errors[:ERRORS_KEPT]]
    return answer


def error_dict(error: RowError, columns: dict[str, str]) -> dict:
    return {
        "row": error.row,
        "column": error.column,
        "header": columns.get(error.column, error.column),
        "message": mask_personal_data(error.message),
    }
