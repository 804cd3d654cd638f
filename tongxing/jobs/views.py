"""The file a background job made, fetched by its owner (each fetch is audited)."""

from tongxing.accounts.access import allow
from tongxing.jobs.api import OWNERS, job_file_response


@allow(*OWNERS)
def download(request, job_id: int):
    return job_file_response(request, job_id)
