"""The file a background job made, fetched by its owner (each fetch is audited)."""

from tongxing.access import REGION_SCOPED_ROLES, allow
from tongxing.jobs.api import job_file_response


@allow(REGION_SCOPED_ROLES)
def download(request, job_id: int):
    return job_file_response(request, job_id)
