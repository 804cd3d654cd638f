"""The file a background job made, fetched by its owner (each fetch is audited)."""

from django.http import Http404

from tongxing.accounts.access import allow
from tongxing.jobs import actions, selectors
from tongxing.jobs.api import OWNERS, xlsx_response
from tongxing.jobs.files import JobFileError


@allow(*OWNERS)
def download(request, job_id: int):
    job = selectors.access_job(request.user, job_id)
    try:
        content, filename = actions.open_job_file(job=job, by=request.user)
    except JobFileError:
        raise Http404 from None
    return xlsx_response(content, filename)
