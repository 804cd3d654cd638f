"""The one task of the task framework: run a background job in a worker process."""

import logging

from django_tasks import task

from tongxing.jobs.actions import Tracker, run_job
from tongxing.jobs.models import Job

logger = logging.getLogger(__name__)


@task()
def run_background_job(job_id: int) -> None:
    """Run the queued job, its heartbeat written by a thread of its own meanwhile."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        logger.warning("Background job %s is gone: nothing to run.", job_id)
        return
    tracker = Tracker(job.directory)
    tracker.start()
    try:
        run_job(job=job, tracker=tracker)
    finally:
        tracker.stop()
