"""Roster files in and out as background jobs (tongxing/jobs): an import of an uploaded
roster, with its marked copy, and an export of households.

A small file is imported at once, in the request, through the same job (which then keeps
the result and the marked copy for the clerk to fetch); a file of more than
TONGXING_BACKGROUND_ROWS rows, or an export of more households, runs in a thread and the
page follows its progress. Either way the work is done by the registry's actions, as the
job's owner.
"""

import io

from tongxing.access import FULL_EXPORTERS, HOUSEHOLD_EDITORS, REGION_SCOPED_ROLES
from tongxing.accounts.models import User
from tongxing.jobs import actions as jobs
from tongxing.jobs import files
from tongxing.jobs.kinds import Outcome, Progress, runner
from tongxing.jobs.models import Job
from tongxing.registry import actions, roster_columns, selectors
from tongxing.registry.exports import write_marked_copy
from tongxing.registry.models import Member
from tongxing.tabular import RowError, read_table
from tongxing.text import mask_personal_data

IMPORT = "household_import"
EXPORT = "household_export"
MARKED_COPY_NAME = "roster-checked.xlsx"
EXPORT_NAME = "households.xlsx"
# A job keeps the first so many errors for its page (the marked copy has them all).
ERRORS_KEPT = 1000


# --- Importing a roster -------------------------------------------------------------------


def import_roster(*, upload, filename: str, by: User, partial: bool, dry_run: bool) -> Job:
    """Check an uploaded roster as a whole, then import it: at once if it is small (the
    job comes back finished), in the background if it is large (it comes back queued).

    Raises TableError when the file as a whole is refused (size, format, header, rows).
    """
    table = read_table(
        upload,
        filename=filename,
        aliases=roster_columns.COLUMN_ALIASES,
        required=roster_columns.REQUIRED_COLUMNS,
    )
    job = jobs.create_job(
        owner=by,
        kind=IMPORT,
        roles=HOUSEHOLD_EDITORS,
        params={"partial": partial, "dry_run": dry_run},
        upload=upload,
        input_name=filename,
        total=len(table.rows),
    )
    return jobs.run_or_start(job=job, rows=len(table.rows))


@runner(IMPORT)
def run_import(*, job: Job, owner: User, progress: Progress) -> Outcome:
    source = io.BytesIO(files.read_part(job, files.INPUT))
    table = read_table(
        source,
        filename=job.input_name,
        aliases=roster_columns.COLUMN_ALIASES,
        required=roster_columns.REQUIRED_COLUMNS,
    )
    total = len(table.rows)
    progress.begin("reading", total)
    table.rows.on_read = progress.reach

    def prepared(count: int) -> None:
        if progress.stage != "checking":
            progress.begin("checking", total)
        progress.advance(count)

    result = actions.import_households(
        rows=table.rows,
        by=owner,
        partial=job.params.get("partial", False),
        dry_run=job.params.get("dry_run", False),
        progress=prepared,
    )
    marked = None
    if result.errors:
        progress.begin("writing", 0)
        marked = write_marked_copy(
            source,
            result.errors,
            table.columns,
            filename=job.input_name,
            header_row=table.header_row,
            width=table.rows.widest,
        )
    return Outcome(
        result=import_result(result, table.columns), file=marked, filename=MARKED_COPY_NAME
    )


def import_result(result: actions.HouseholdImportResult, columns: dict[str, str]) -> dict:
    """Return an import's result as a job keeps it: the counts, and the first errors with
    their column as the file heads it and any number in their message masked."""
    answer = result.as_dict()
    answer["refused"] = result.refused  # nothing imported for the errors
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


# --- Exporting households -------------------------------------------------------------------


def export_filters(*, query: str = "", village: str = "", status: str = "", flags=()) -> dict:
    return {"query": query, "village": village, "status": status, "flags": list(flags)}


def start_export(*, by: User, filters: dict, full_numbers: bool, reason: str) -> Job:
    """Start an export of the households the filters select, in the background."""
    households = selectors.search_households(by, **search_arguments(filters))
    if full_numbers:
        reason = actions.check_full_export(by=by, households=households, reason=reason)
    job = jobs.create_job(
        owner=by,
        kind=EXPORT,
        roles=FULL_EXPORTERS if full_numbers else REGION_SCOPED_ROLES,
        params={"filters": filters, "full_numbers": full_numbers, "reason": reason},
        total=Member.objects.filter(household__in=households).count(),
    )
    jobs.start_job(job=job)
    return job


def search_arguments(filters: dict) -> dict:
    return {
        "query": filters.get("query", ""),
        "village": filters.get("village", ""),
        "status": filters.get("status", ""),
        "flags": tuple(filters.get("flags", ())),
    }


@runner(EXPORT)
def run_export(*, job: Job, owner: User, progress: Progress) -> Outcome:
    households = selectors.search_households(owner, **search_arguments(job.params["filters"]))
    members = Member.objects.filter(household__in=households).count()
    progress.begin("writing", members)
    full_numbers = job.params.get("full_numbers", False)
    content = actions.export_households(
        households=households,
        by=owner,
        full_numbers=full_numbers,
        reason=job.params.get("reason", ""),
        progress=progress.advance,
    )
    result = {"households": households.count(), "members": members, "full_numbers": full_numbers}
    return Outcome(result=result, file=content, filename=EXPORT_NAME)
