"""Reads of background jobs: only the owner sees a job (404 for anyone else)."""

import datetime

from django.http import Http404
from django.utils import timezone

from tongxing.accounts.models import User
from tongxing.jobs import files
from tongxing.jobs.kinds import STAGES, Progress
from tongxing.jobs.models import Job


def access_job(user: User, job_id: int, *, kind: str | None = None) -> Job:
    jobs = Job.objects.filter(owner_id=user.pk) if user.is_authenticated else Job.objects.none()
    if kind is not None:
        jobs = jobs.filter(kind=kind)
    try:
        return jobs.get(pk=job_id)
    except Job.DoesNotExist:
        raise Http404 from None


def progress_of(job: Job) -> Progress:
    """Return where the job stands: from its progress file while it runs, else its row."""
    progress = Progress()
    state = files.read_progress(job.directory) if not job.finished else None
    if state:
        progress.stage = state.get("stage", "")
        progress.done = int(state.get("done", 0))
        progress.total = int(state.get("total", 0))
    else:
        progress.stage = "" if job.finished else "queued"
        progress.done, progress.total = job.done, job.total
    return progress


def job_state(job: Job) -> dict:
    """What a job's page shows of it: the job, its progress, and its stage in words
    (the template `jobs/_progress.html` shows them while it runs)."""
    progress = progress_of(job)
    return {"job": job, "progress": progress, "stage": STAGES.get(progress.stage, "")}


def heartbeat_of(job: Job) -> datetime.datetime:
    """Return when the job last showed it was alive."""
    state = files.read_progress(job.directory) if job.directory else None
    if state and "beat" in state:
        return datetime.datetime.fromtimestamp(float(state["beat"]), tz=datetime.UTC)
    return job.started_at or job.created_at or timezone.now()
