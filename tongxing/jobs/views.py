"""The file a background job made, fetched by its owner (each fetch is audited)."""

from tongxing.accounts.access import allow
from tongxing.accounts.models import REGION_SCOPED_ROLES
from tongxing.jobs.api import job_file_response


@allow(REGION_SCOPED_ROLES)
def download(request, job_id: int):
    return job_file_response(request, job_id)
