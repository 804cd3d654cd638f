"""Background jobs through the API: where a job stands, and the file it made."""

import datetime

from django.http import Http404
from django.urls import reverse
from ninja import Router, Schema

from tongxing.access import REGION_SCOPED_ROLES, allow
from tongxing.jobs import actions, selectors
from tongxing.jobs.files import JobFileError
from tongxing.jobs.models import Job
from tongxing.tabular import xlsx_response

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: int
    kind: str
    status: str
    stage: str
    done: int
    total: int
    result: dict | None
    error: str
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    status_url: str
    download_url: str | None


def job_out(job: Job) -> dict:
    """Return a job as the API shows it, its progress read where it is kept."""
    progress = selectors.progress_of(job)
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "stage": progress.stage,
        "done": progress.done,
        "total": progress.total,
        "result": job.result,
        "error": job.error,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "status_url": reverse("api:job", args=[job.pk]),
        "download_url": reverse("api:job_download", args=[job.pk]) if job.has_file else None,
    }


@router.get("/jobs/{job_id}", response=JobOut, url_name="job", summary="Where my job stands")
@allow(REGION_SCOPED_ROLES)
def get_job(request, job_id: int):
    job = actions.settle_stale(job=selectors.access_job(request.user, job_id))
    return job_out(job)


@router.get(
    "/jobs/{job_id}/download",
    url_name="job_download",
    summary="The file my finished job made (.xlsx); each download is audited",
)
@allow(REGION_SCOPED_ROLES)
def download_job_file(request, job_id: int):
    return job_file_response(request, job_id)


def job_file_response(request, job_id: int):
    """The job's file to its owner, its fetch audited; 404 when it is gone (after a week)."""
    job = selectors.access_job(request.user, job_id)
    try:
        content, filename = actions.open_job_file(job=job, by=request.user)
    except JobFileError:
        raise Http404 from None
    return xlsx_response(content, filename)
