"""The report as a job of the jobs app: the page asks for it; a region's report is written
at once in the request, a region of more than TONGXING_BACKGROUND_HOUSEHOLDS households'
(a province's) by the worker, its progress on the page; either way its file is kept
sealed for its owner to fetch (each fetch audited)."""

from django.conf import settings
from django.utils import timezone

from tongxing.access import REGION_SCOPED_ROLES, require_scope
from tongxing.accounts.models import User
from tongxing.jobs import actions as jobs
from tongxing.jobs.kinds import Outcome, Progress, runner
from tongxing.jobs.models import Job
from tongxing.regions.models import Region
from tongxing.registry.selectors import household_count_under
from tongxing.reports.generate import STEPS, generate

REPORT = "annual_report"


def write_report(*, by: User, region: Region, year: int, lang: str, format: str) -> Job:
    """Write the report as the owner's job: it comes back done (with its file) or failed,
    or, for a region larger than a city, queued for the worker."""
    require_scope(by, REGION_SCOPED_ROLES, region.code)
    job = jobs.create_job(
        owner=by,
        kind=REPORT,
        roles=REGION_SCOPED_ROLES,
        params={"region": region.code, "year": year, "lang": lang, "format": format},
        total=len(STEPS),
    )
    if household_count_under(region.prefix) > settings.TONGXING_BACKGROUND_HOUSEHOLDS:
        jobs.start_job(job=job)
        return job
    return jobs.run_job(job=job)


@runner(REPORT)
def run_report(*, job: Job, owner: User, progress: Progress) -> Outcome:
    params = job.params
    # The owner's scope as it stands now, not as it was when the job was asked for.
    require_scope(owner, REGION_SCOPED_ROLES, params["region"])

    def step(name: str) -> None:
        progress.begin(name, len(STEPS))
        progress.reach(STEPS.index(name))

    content, name = generate(
        region=Region.objects.get(code=params["region"]),
        year=params["year"],
        lang=params["lang"],
        format=params["format"],
        today=timezone.localdate(),
        step=step,
    )
    progress.reach(len(STEPS))
    return Outcome(result={"bytes": len(content)}, file=content, filename=name)
