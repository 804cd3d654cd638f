"""The annual report's page: staff choose a region of theirs (their own by default, or one
below it down to the townships; any code of their scope is taken), a year,
a language and a format; the report is written at once (a spinner on the button meanwhile),
or for a region larger than a city by the worker, on a page that follows its progress; its
file is fetched through the jobs app, by its owner only."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from tongxing.access import REGION_SCOPED_ROLES, allow
from tongxing.jobs import actions as jobs_actions
from tongxing.jobs import selectors as jobs_selectors
from tongxing.pages import follow_job, show_errors, wants_fragment
from tongxing.regions.codes import Level
from tongxing.regions.models import Region
from tongxing.regions.selectors import access_region_by_code, regions_visible_to
from tongxing.reports.forms import FORMAT_CHOICES, ReportForm
from tongxing.reports.generate import check
from tongxing.reports.jobs import REPORT, write_report


@allow(REGION_SCOPED_ROLES)
def report_page(request):
    user = request.user
    today = timezone.localdate()
    # Their own region, and those of their scope down to the townships.
    deepest = max(user.region.level, Level.TOWNSHIP) if user.region_id else Level.TOWNSHIP
    regions = list(regions_visible_to(user).filter(level__lte=deepest).order_by("code"))
    if not regions:
        raise PermissionDenied  # a staff account with no region sees none
    job = None
    if request.method == "POST":
        form = ReportForm(request.POST, regions=regions)
        if form.is_valid():
            data = form.cleaned_data
            region = access_region_by_code(user, data["region"])  # 404 outside the scope
            try:
                check(year=data["year"], lang=data["lang"], format=data["format"], today=today)
                job = write_report(
                    by=user,
                    region=region,
                    year=data["year"],
                    lang=data["lang"],
                    format=data["format"],
                )
            except ValidationError as exc:
                show_errors(form, exc)
            if job is not None and not job.finished:
                return follow_job(request, "reports:job", job)
    else:
        initial = {
            "region": user.region_id,
            "year": today.year,
            "lang": request.LANGUAGE_CODE,
            "format": "docx",
        }
        form = ReportForm(initial=initial, regions=regions)
    context = {"form": form, "job": job}
    return render(request, "reports/page.html", context, status=400 if form.errors else 200)


@allow(REGION_SCOPED_ROLES)
def report_job(request, job_id: int):
    """Follow a report the worker writes; its file, when done (the owner's only)."""
    job = jobs_selectors.access_job(request.user, job_id, kind=REPORT)
    job = jobs_actions.settle_stale(job=job)
    template = "reports/_job.html" if wants_fragment(request) else "reports/job.html"
    params = job.params
    context = {
        **jobs_selectors.job_state(job),
        # What was asked for, in words: the region's name (the job's own record, not input).
        "region": Region.objects.filter(code=params["region"]).first(),
        "language": dict(settings.LANGUAGES).get(params["lang"], ""),
        "format": dict(FORMAT_CHOICES).get(params["format"], ""),
    }
    response = render(request, template, context)
    add_never_cache_headers(response)
    return response
