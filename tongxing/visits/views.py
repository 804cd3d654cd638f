"""The visits' pages: the visit form (made for a phone, kept on the phone while the network
is down), the list of visits with its campaign-day filter, the coverage of a region's
poor households, exportable to Excel, and the campaign days the city office keeps."""

import datetime
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongxing import photos
from tongxing.access import allow
from tongxing.pages import cleaned, show_errors, wants_fragment
from tongxing.paging import page_of
from tongxing.regions.codes import Level
from tongxing.regions.selectors import regions_visible_to
from tongxing.registry import selectors as registry_selectors
from tongxing.tabular import sheet_row, xlsx_response
from tongxing.visits import actions, rights, selectors
from tongxing.visits.forms import CampaignDayForm, CoverageForm, PeriodForm, VisitForm
from tongxing.visits.models import CampaignDay

PAGE_SIZE = 30


def wants_json(request) -> bool:
    """The form's script sends a visit kept on the phone and reads the answer as JSON."""
    return request.headers.get("Accept", "").startswith("application/json")


@allow(rights.VISIT_RECORDERS)
def visit_create(request):
    """Record a visit. The page's script keeps each visit on the phone until the server has
    it, and sends it with its client key: sent twice, it is saved once."""
    user = request.user
    form = VisitForm(request.POST or None, request.FILES or None, user=user)
    status = 200
    if request.method == "POST":
        status = 400
        data = form.visit_data() if form.is_valid() else None
        if data is not None:
            need = form.need_data()
            try:
                if need is None:
                    visit = actions.record_visit(
                        data=data,
                        by=user,
                        photo=form.cleaned_data.get("photo"),
                        client_key=form.cleaned_data.get("client_key", ""),
                    )
                else:
                    visit, _need = actions.raise_need(
                        data=data,
                        need=need,
                        by=user,
                        photo=form.cleaned_data.get("photo"),
                        client_key=form.cleaned_data.get("client_key", ""),
                    )
            except ValidationError as exc:
                show_errors(form, exc, rename=form.error_fields())
            except PermissionDenied:
                form.add_error(None, _("You may not record a visit to this household."))
            else:
                if wants_json(request):
                    return JsonResponse(
                        {"id": visit.pk, "replayed": visit.replayed},
                        status=200 if visit.replayed else 201,
                    )
                if visit.need_id is not None:
                    messages.success(
                        request, _("The visit is saved, and the need is sent for review.")
                    )
                else:
                    messages.success(request, _("The visit is saved."))
                return redirect("visits:list")
        if wants_json(request):
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    context = {
        "form": form,
        "nothing_assigned": registry_selectors.has_nothing_assigned(user),
    }
    return render(request, "visits/visit_form.html", context, status=status)


@allow(rights.VISIT_READERS)
def visit_list(request):
    """The visits of the user's region, newest first, by period, campaign day and purpose."""
    form = PeriodForm(request.GET or None)
    data = cleaned(form)
    visits = selectors.filtered_visits(
        request.user,
        selectors.VisitFilters(
            first=data.get("start"),
            last=data.get("end"),
            campaign=bool(data.get("campaign")),
            purpose=data.get("purpose") or "",
        ),
    )
    context = {
        "form": form,
        "page": page_of(request, visits, PAGE_SIZE),
        "can_record": rights.records_visits(request.user),
        "can_read_coverage": rights.reads_coverage(request.user),
        "can_keep_campaign_days": rights.may_keep_campaign_days(request.user),
    }
    return render(request, "visits/visit_list.html", context)


def _coverage_asked(request):
    """The region and period of a coverage page or export: the user's region by default,
    or one of its townships or villages; another region is 404."""
    region = selectors.coverage_region(request.user, request.GET.get("region") or None)
    regions = (
        regions_visible_to(request.user)
        .filter(Q(level__lt=Level.VILLAGE) | Q(code=request.user.region_id))
        .order_by("code")
    )
    form = CoverageForm(request.GET or None, regions=regions)
    cleaned(form)
    first, last = form.period()
    return form, region, first, last


@allow(rights.COVERAGE_READERS)
def coverage(request):
    form, region, first, last = _coverage_asked(request)
    context = {
        "form": form,
        "region": region,
        "cover": selectors.coverage(region, first, last),
    }
    return render(request, "visits/coverage.html", context)


@allow(rights.COVERAGE_READERS)
def coverage_export(request):
    """The gaps as a workbook: by village, by cadre, and the households no one visited."""
    from openpyxl import Workbook

    _form, region, first, last = _coverage_asked(request)
    cover = selectors.coverage(region, first, last)
    book = Workbook(write_only=True)
    title = f"{region.name} {first.isoformat()} – {last.isoformat()}"
    sheet = book.create_sheet(_("By village"))
    sheet.append(sheet_row(sheet, [title]))
    sheet.append(
        sheet_row(
            sheet,
            [
                _("Village"),
                _("Poor households"),
                _("Not visited by their cadre"),
                _("Not visited by their township secretary"),
                _("Not visited by anyone"),
            ],
        )
    )
    for gaps in cover.villages:
        sheet.append(
            sheet_row(
                sheet,
                [
                    gaps.village.name,
                    gaps.poor_households,
                    gaps.not_by_cadre,
                    gaps.not_by_township_secretary,
                    gaps.not_by_anyone,
                ],
            )
        )
    sheet = book.create_sheet(_("By cadre"))
    sheet.append(sheet_row(sheet, [title]))
    sheet.append(sheet_row(sheet, [_("Cadre"), _("Registry number"), _("Village")]))
    for gaps in cover.cadres:
        for household in gaps.households:
            sheet.append(
                sheet_row(sheet, [gaps.name, household.registry_number, household.village.name])
            )
    sheet = book.create_sheet(_("Not visited"))
    sheet.append(sheet_row(sheet, [title]))
    sheet.append(sheet_row(sheet, [_("Registry number"), _("Village")]))
    for household in cover.not_by_anyone:
        sheet.append(sheet_row(sheet, [household.registry_number, household.village.name]))
    out = io.BytesIO()
    book.save(out)
    return xlsx_response(out.getvalue(), f"visit-coverage-{region.code}-{last.isoformat()}.xlsx")


@allow(rights.VISIT_READERS)
def visit_photo(request, visit_id: int):
    """A visit's photo, to those who see the visit (its metadata was removed when stored)."""
    visit = selectors.access_visit(request.user, visit_id)
    if not visit.photo:
        raise Http404
    try:
        photo = visit.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    head = photo.read(12)
    photo.seek(0)
    response = FileResponse(
        photo, content_type=photos.content_type(head) or "application/octet-stream"
    )
    # Personal: never kept by a shared cache, nor by the browser past this visit.
    add_never_cache_headers(response)
    response["Cache-Control"] += ", private"
    return response


def _campaign_days_page(request, form, *, status=200, removal_error=""):
    """The page, or for htmx the part it swaps: the days set and the form to set one."""
    context = {
        "form": form,
        "days": CampaignDay.objects.all(),
        "removal_error": removal_error,
    }
    template = "visits/_campaign_days.html" if wants_fragment(request) else None
    return render(request, template or "visits/campaign_days.html", context, status=status)


@allow(rights.CAMPAIGN_DAY_KEEPERS)
def campaign_days(request):
    """The campaign days, for the city office to set, rename and remove. They hold for every
    list of visits and the coverage; a year with none set has 17 October."""
    form = CampaignDayForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                day = actions.set_campaign_day(
                    day=form.cleaned_data["day"], name=form.cleaned_data["name"], by=request.user
                )
            except ValidationError as exc:
                show_errors(form, exc)
            else:
                if wants_fragment(request):
                    return _campaign_days_page(request, CampaignDayForm())
                messages.success(
                    request,
                    _("Campaign day %(day)s is set.") % {"day": day.day.isoformat()},
                )
                return redirect("visits:campaign_days")
        return _campaign_days_page(request, form, status=400)
    return _campaign_days_page(request, form)


@require_POST
@allow(rights.CAMPAIGN_DAY_KEEPERS)
def remove_campaign_day(request, day: str):
    try:
        wanted = datetime.date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    campaign_day = CampaignDay.objects.filter(day=wanted).first()
    if campaign_day is None:
        raise Http404
    try:
        actions.remove_campaign_day(campaign_day=campaign_day, by=request.user)
    except ValidationError as exc:
        if wants_fragment(request):
            return _campaign_days_page(
                request, CampaignDayForm(), status=400, removal_error=" ".join(exc.messages)
            )
        messages.error(request, " ".join(exc.messages))
        return redirect("visits:campaign_days")
    if wants_fragment(request):
        return _campaign_days_page(request, CampaignDayForm())
    messages.success(request, _("Campaign day %(day)s is removed.") % {"day": wanted.isoformat()})
    return redirect("visits:campaign_days")
