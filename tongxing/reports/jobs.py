"""The report as a job of the jobs app: the page asks for it, it is written at once in the
request, and its file is kept sealed for its owner to fetch (each fetch audited)."""

from django.utils import timezone

from tongxing.access import REGION_SCOPED_ROLES, require_scope
from tongxing.accounts.models import User
from tongxing.jobs import actions as jobs
from tongxing.jobs.kinds import Outcome, Progress, runner
from tongxing.jobs.models import Job
from tongxing.regions.models import Region
from tongxing.reports.generate import generate

REPORT = "annual_report"


def write_report(*, by: User, region: Region, year: int, lang: str, format: str) -> Job:
    """Write the report as the owner's job; it comes back done (with its file) or failed."""
    require_scope(by, REGION_SCOPED_ROLES, region.code)
    job = jobs.create_job(
        owner=by,
        kind=REPORT,
        roles=REGION_SCOPED_ROLES,
        params={"region": region.code, "year": year, "lang": lang, "format": format},
        total=1,
    )
    return jobs.run_job(job=job)


@runner(REPORT)
def run_report(*, job: Job, owner: User, progress: Progress) -> Outcome:
    params = job.params
    # The owner's scope as it stands now, not as it was when the job was asked for.
    require_scope(owner, REGION_SCOPED_ROLES, params["region"])
    progress.begin("writing", 1)
    content, name = generate(
        region=Region.objects.get(code=params["region"]),
        year=params["year"],
        lang=params["lang"],
        format=params["format"],
        today=timezone.localdate(),
    )
    progress.advance(1)
    return Outcome(result={"bytes": len(content)}, file=content, filename=name)
