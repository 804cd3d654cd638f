"""The annual report's page: staff choose a region of theirs (their own by default, or one
below it down to the townships; any code of their scope is taken), a year,
a language and a format; the report is written at once (a spinner on the button meanwhile)
and its file is fetched through the jobs app, by its owner only."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils import timezone

from tongxing.access import REGION_SCOPED_ROLES, allow
from tongxing.pages import show_errors
from tongxing.regions.codes import Level
from tongxing.regions.selectors import access_region_by_code, regions_visible_to
from tongxing.reports.forms import ReportForm
from tongxing.reports.generate import check
from tongxing.reports.jobs import write_report


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
