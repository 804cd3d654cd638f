"""Background jobs: created by a request, run by a worker after the request's transaction
commits, watched by polling, their files fetched by the owner.

A job is a row of ours (its owner, roles, parameters, status, result, sealed files) and a
task of Django's task framework (`tasks.run_background_job`), which the database backend
keeps in a table of the same database: the embedded default needs no other server, only a
worker process beside the web server (`tongxing db_worker`; `tongxing demo` starts one).
A worker runs one job at a time, so two imports never fight over SQLite's one write lock
and the machine's memory; more workers run more at once. A running job writes a heartbeat
to its progress file; a job whose worker died with it (a restart, a crash) stops beating,
and whoever looks at it next, or the daily sweep, marks it failed (`settle_stale`). A job
that waits for a worker waits: it is not stale, and its page says it waits its turn.

Each job runs as its owner and re-checks the owner's rights: its runner calls the app's
actions with `by=owner`, and before that the owner must still be active and hold one of
the job's roles.
"""

import datetime
import logging
import threading
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from tongxing.accounts.models import User
from tongxing.audit.log import record
from tongxing.jobs import files, rights
from tongxing.jobs.kinds import RUNNERS, Outcome, Progress
from tongxing.jobs.models import UNFINISHED, Job, JobStatus
from tongxing.jobs.selectors import heartbeat_of
from tongxing.personal_data import DataKeyError
from tongxing.tabular import TableError
from tongxing.text import clean_text

logger = logging.getLogger(__name__)

# A job whose heartbeat is older than this has died with its process.
STALE_AFTER = datetime.timedelta(minutes=2)
HEARTBEAT_SECONDS = 2.0
INPUT_NAME_LENGTH = Job._meta.get_field("input_name").max_length


def create_job(
    *,
    owner: User,
    kind: str,
    roles,
    params: dict | None = None,
    upload=None,
    input_name: str = "",
    total: int = 0,
) -> Job:
    """Record a job of the owner, with the file it will work on sealed beside it.

    `roles` are those the owner must hold now and still hold when it runs and when its
    file is fetched. The job waits (queued) until `start_job` or `run_job`.
    """
    if not rights.may_hold(owner, roles):
        raise PermissionDenied
    if kind not in RUNNERS:
        raise ValueError(f"No runner for jobs of kind {kind!r}.")
    # A file's name is shown on the job's page: one too long is refused, never cut.
    input_name = clean_text(input_name, max_length=INPUT_NAME_LENGTH, field="file")
    with transaction.atomic():
        job = Job.objects.create(
            owner=owner,
            kind=kind,
            roles=sorted(roles),
            params=params or {},
            total=total,
            input_name=input_name,
        )
        job.directory = files.new_directory(job.pk)
        job.file_key = files.new_key()
        job.save(update_fields=["directory", "file_key"])
        # No audit event of its own: what the job does is audited by the actions it calls,
        # and each fetch of its file by `open_job_file`.
    waiting = Progress()
    waiting.total = total
    files.write_progress(job.directory, waiting.as_dict())
    if upload is not None:
        files.write_part(job, files.INPUT, _read_upload(upload))
    return job


def _read_upload(upload) -> bytes:
    if isinstance(upload, bytes):
        return upload
    upload.seek(0)
    return b"".join(upload.chunks()) if hasattr(upload, "chunks") else upload.read()


def start_job(*, job: Job) -> None:
    """Hand the job to a worker once the current transaction commits."""
    from tongxing.jobs.tasks import run_background_job  # the task imports these actions

    transaction.on_commit(lambda: run_background_job.enqueue(job.pk))


class Tracker(Progress):
    """A running job's progress, written to its progress file by a thread of its own every
    few seconds: the heartbeat by which a job that died with its process is found."""

    def __init__(self, directory: str) -> None:
        super().__init__()
        self.directory = directory
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._beat, daemon=True)
            self._thread.start()

    def _beat(self) -> None:
        while not self._stopped.is_set():
            self.write()
            self._stopped.wait(HEARTBEAT_SECONDS)

    def write(self) -> None:
        try:
            files.write_progress(self.directory, self.as_dict())
        except OSError:
            logger.warning("Cannot write the progress of job %s.", self.directory)

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()
        self.write()


def run_or_start(*, job: Job, rows: int) -> Job:
    """A file's job: run here if it is small (it comes back finished), handed to the worker
    if it has more than TONGXING_BACKGROUND_ROWS rows (it comes back queued)."""
    if rows > settings.TONGXING_BACKGROUND_ROWS:
        start_job(job=job)
        return job
    return run_job(job=job)


def run_job(*, job: Job, tracker: Tracker | None = None) -> Job:
    """Run a queued job here and now; return it finished, done or failed.

    Pages call it directly for small work (the job then only keeps the result and the
    file), the worker's task (`tasks.run_background_job`) for large, and tests for both.
    """
    claimed = Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    job.refresh_from_db()
    if not claimed:
        return job  # another thread has it, or it was settled already
    own_tracker = tracker is None
    tracker = tracker or Tracker(job.directory)
    tracker.start()
    tracker.begin("starting", job.total)
    try:
        owner = User.objects.get(pk=job.owner_id)  # as the owner is now, not as it was
        if not rights.may_hold(owner, job.roles):
            raise PermissionDenied
        outcome: Outcome = RUNNERS[job.kind](job=job, owner=owner, progress=tracker)
        if outcome.file is not None:
            files.write_part(job, files.OUTPUT, outcome.file)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.DONE,
            result=outcome.result,
            output_name=outcome.filename if outcome.file is not None else "",
            done=job.total or tracker.total,
            total=job.total or tracker.total,
            finished_at=timezone.now(),
        )
    except Exception as exc:  # a job that fails is told, never left running
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=_failure(exc, job), finished_at=timezone.now()
        )
    finally:
        files.delete_part(job, files.INPUT)  # the upload, with its full numbers, goes now
        if own_tracker:
            tracker.stop()
    job.refresh_from_db()
    return job


def _failure(exc: Exception, job: Job) -> str:
    """Say why a job failed, in words for its owner; log what only the server should see."""
    if isinstance(exc, TableError):
        return str(exc)
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, PermissionDenied):
        return _("You may no longer do this: your account's role or region has changed.")
    if isinstance(exc, files.JobFileError | DataKeyError):
        return _("The file of this job can no longer be read: start it again.")
    logger.exception("Background job %s (%s) failed.", job.pk, job.kind)
    return _("The job failed on the server; the error has been logged.")


def settle_stale(*, job: Job, now: datetime.datetime | None = None) -> Job:
    """Mark the job failed if it is running and its heartbeat has stopped (a job waiting
    for a worker is not stale: it waits its turn)."""
    now = now or timezone.now()
    if job.status == JobStatus.RUNNING and now - heartbeat_of(job) > STALE_AFTER:
        updated = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED,
            error=_("The server stopped before the job finished: start it again."),
            finished_at=now,
        )
        if updated:
            files.delete_part(job, files.INPUT)
        job.refresh_from_db()
    return job


def open_job_file(*, job: Job, by: User) -> tuple[bytes, str]:
    """Return the file a job made, for its owner only, and write the fetch to the audit log."""
    if not rights.may_fetch(by, job):
        raise PermissionDenied
    if not job.has_file:
        raise files.JobFileError("This job has no file.")
    content = files.read_part(job, files.OUTPUT)
    with transaction.atomic():
        record(
            actor=by,
            action="job.download",
            target=job,
            region_code=by.region_id or "",
            after={"kind": job.kind, "file": job.output_name, "bytes": len(content)},
        )
    return content, job.output_name


def sweep_jobs(*, now: datetime.datetime | None = None) -> tuple[int, int]:
    """Settle the jobs that died with their worker and delete, with their files, the jobs
    finished more than TONGXING_JOB_FILE_DAYS days ago; return the two counts.

    Also deletes the marked copies of rosters that Tongxing once kept, unsealed and for
    ever, under var/import-reports/.
    """
    now = now or timezone.now()
    stale = 0
    for job in Job.objects.filter(status__in=UNFINISHED):
        stale += settle_stale(job=job, now=now).status == JobStatus.FAILED
    cutoff = now - datetime.timedelta(days=settings.TONGXING_JOB_FILE_DAYS)
    old = Job.objects.filter(created_at__lt=cutoff).exclude(status__in=UNFINISHED)
    for job in old.only("directory"):
        files.delete_all(job)
    # The task framework's own rows of those jobs go with them.
    DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    with transaction.atomic():
        deleted, _by_model = old.delete()
        if deleted:
            record(
                actor=None,
                action="job.delete_old",
                target="jobs.job",
                after={"jobs": deleted, "days": settings.TONGXING_JOB_FILE_DAYS},
            )
    _delete_legacy_reports()
    return stale, deleted


def _delete_legacy_reports() -> None:
    folder = Path(settings.BASE_DIR) / "var" / "import-reports"
    if folder.is_dir():
        for path in folder.glob("*.xlsx"):
            path.unlink(missing_ok=True)
