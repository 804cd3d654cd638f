"""The registry's pages: households and their members, organisations and people.

Full ID and phone numbers never go into a page that a GET returns: they are shown only in
the answer to the explicit POST of `member_reveal`, which the action writes to the audit log.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tongxing.access import (
    DIRECTORY_EDITORS,
    HOUSEHOLD_EDITORS,
    PERSONAL_DATA_READERS,
    REGION_SCOPED_ROLES,
    allow,
)
from tongxing.audit import events
from tongxing.jobs import actions as jobs_actions
from tongxing.jobs import selectors as jobs_selectors
from tongxing.jobs.models import JobStatus
from tongxing.pages import cleaned, follow_job, read_upload, show_errors, wants_fragment
from tongxing.paging import page_of
from tongxing.regions.selectors import access_region_by_code, regions_visible_to
from tongxing.registry import actions, records, rights, selectors
from tongxing.registry import jobs as registry_jobs
from tongxing.registry.exports import export_organisations
from tongxing.registry.forms import (
    HelperForm,
    HouseholdFilterForm,
    HouseholdForm,
    MemberForm,
    OrganisationFilterForm,
    OrganisationForm,
    PersonAccountForm,
    PersonFilterForm,
    PersonForm,
    flag_choices,
)
from tongxing.registry.models import HardshipCause, Relation
from tongxing.tabular import xlsx_response

PAGE_SIZE = 50
HOUSEHOLD_FIELDS = (
    "registry_number",
    "status",
    "status_since",
    "hardship_causes",
    "disability",
    "serious_illness",
    "left_behind_children",
    "elderly_living_alone",
)
MEMBER_FIELDS = ("name", "relation", "labour_ability", "left_behind_child", "student", "disabled")


# --- Helpers ------------------------------------------------------------------------------


def household_data(user, data: dict) -> records.HouseholdData:
    return records.HouseholdData(
        village=access_region_by_code(user, data["village"]),
        **{name: data[name] for name in HOUSEHOLD_FIELDS},
    )


def member_data(data: dict, *, relation: str | None = None) -> records.MemberData:
    return records.MemberData(
        name=data["name"],
        relation=relation or data["relation"],
        id_number=data["id_number"],
        phone=data["phone"],
        birth_date=data.get("birth_date"),
        sex=data.get("sex", ""),
        labour_ability=data["labour_ability"],
        left_behind_child=data["left_behind_child"],
        student=data["student"],
        disabled=data["disabled"],
    )


def split_head_errors(exc: ValidationError, head_form) -> tuple[ValidationError, ValidationError]:
    """Sort register_household's errors into the household's and the head's."""
    # The head is member 0; a lost race on the unique ID hash comes back as plain "id_number".
    household, head = {}, {}
    for field, messages_ in exc.message_dict.items():
        name = field.removeprefix("members.0.")
        if name != field or (name in head_form.fields and name not in HouseholdForm.base_fields):
            head[name] = messages_
        else:
            household[field] = messages_
    return ValidationError(household), ValidationError(head)


def render_form(request, context: dict):
    """Render a form page: 400 after a refused POST, so that htmx and tests can tell."""
    status = 400 if request.method == "POST" else 200
    return render(request, "registry/form.html", context, status=status)


# --- Households ---------------------------------------------------------------------------


def filtered_households(request, data):
    """Return the filter form, the search text and the households the list's filters select.

    A search for an ID or phone number comes only by POST: in an address (a GET) it is
    refused, with a word on the search field, and selects nothing.
    """
    form = HouseholdFilterForm(data or None, villages=selectors.villages_visible_to(request.user))
    values = cleaned(form)
    query = values.get("q", "")
    if request.method != "POST" and selectors.search_goes_by_post(query):
        form.add_error(
            "q",
            _(
                "Search an ID or phone number with the Search button: it keeps the number "
                "out of the page's address, and so out of logs and the browser's history."
            ),
        )
        return form, query, selectors.households_visible_to(request.user).none()
    households = selectors.search_households(
        request.user,
        query=query,
        village=values.get("village", ""),
        status=values.get("status", ""),
        flags=tuple(values.get("flag", ())),
    )
    return form, query, households


def search_address(form, *, with_search_text: bool = True) -> QueryDict:
    """Return the valid fields of the household search as the query of its address."""
    values = cleaned(form)
    query = QueryDict(mutable=True)
    for name in ("q", "village", "status") if with_search_text else ("village", "status"):
        if values.get(name):
            query[name] = values[name]
    if values.get("flag"):
        query.setlist("flag", values["flag"])
    return query


@allow(REGION_SCOPED_ROLES)
def household_list(request):
    """List the households of the user's region, searched and filtered, 50 a page.

    The search form posts, so that an ID or phone number never stands in an address. A
    search without one is answered with its address all the same: a plain POST is sent on
    to it (303), htmx gets the results and the address to show, so the search can be
    bookmarked, paged and gone back to. A search with one is answered in place, uncached,
    and leaves the address as it was.
    """
    posted = request.method == "POST"
    form, query, households = filtered_households(request, request.POST if posted else request.GET)
    kept_out = posted and selectors.search_goes_by_post(query)
    # What of the search an address may carry: everything but a number kept out (a number
    # refused in a GET has left the form's valid fields already).
    address = search_address(form, with_search_text=not kept_out)
    url = reverse("registry:households") + (f"?{address.urlencode()}" if address else "")
    if posted and not kept_out and not wants_fragment(request):
        return HttpResponseRedirect(url, status=303)
    context = {
        "form": form,
        "page": page_of(request, households, PAGE_SIZE),
        "can_edit": rights.may_edit_households(request.user),
        "can_export_full": rights.may_export_full(request.user),
        "export_query": address.urlencode(),
        "nothing_assigned": selectors.has_nothing_assigned(request.user),
    }
    if posted:
        # The pager's links carry the search, unless no address may.
        context["page_query"] = False if kept_out else address
    if wants_fragment(request):
        response = render(request, "registry/_household_results.html", context)
        if posted:
            response["HX-Push-Url"] = "false" if kept_out else url
    else:
        status = 400 if form.has_error("q") else 200
        response = render(request, "registry/household_list.html", context, status=status)
    if kept_out:
        add_never_cache_headers(response)
    patch_vary_headers(response, ("HX-Request",))
    return response


@allow(REGION_SCOPED_ROLES)
def household_detail(request, household_id: int):
    household = selectors.access_household(request.user, household_id)
    members = sorted(household.members.all(), key=lambda m: m.relation != Relation.HEAD)
    context = {
        "household": household,
        "head": next((m for m in members if m.relation == Relation.HEAD), None),
        "members": members,
        "causes": [
            HardshipCause(c).label for c in household.hardship_causes if c in HardshipCause.values
        ],
        "flags": [label for flag, label in flag_choices() if getattr(household, flag)],
        "history": household.status_changes.select_related("recorded_by"),
        "helpers": selectors.helpers_of(household),
        "may_reveal": rights.may_see_personal_data(request.user, household),
        "can_edit": rights.may_edit_households(request.user),
        "log_url": events.history_url(request.user, "registry.household", household.pk),
    }
    return render(request, "registry/household_detail.html", context)


@allow(HOUSEHOLD_EDITORS)
def household_create(request):
    """Register a household and its head in one form; the other members come after."""
    form = HouseholdForm(request.POST or None, villages=selectors.villages_visible_to(request.user))
    head_form = MemberForm(request.POST or None, prefix="head", head=True)
    if request.method == "POST" and all([form.is_valid(), head_form.is_valid()]):
        try:
            household = actions.register_household(
                data=household_data(request.user, form.cleaned_data),
                members=[member_data(head_form.cleaned_data, relation=Relation.HEAD)],
                by=request.user,
            )
        except ValidationError as exc:
            household_errors, head_errors = split_head_errors(exc, head_form)
            show_errors(form, household_errors)
            show_errors(head_form, head_errors)
        else:
            messages.success(
                request,
                _("Household %(number)s registered.") % {"number": household.registry_number},
            )
            return redirect("registry:household", household.pk)
    return render_form(
        request,
        {
            "title": _("New household"),
            "sections": [(_("Household"), form), (_("Head of household"), head_form)],
            "submit": _("Register the household"),
            "cancel": reverse("registry:households"),
        },
    )


@allow(HOUSEHOLD_EDITORS)
def household_edit(request, household_id: int):
    household = selectors.access_household(request.user, household_id)
    initial = {name: getattr(household, name) for name in HOUSEHOLD_FIELDS}
    form = HouseholdForm(
        request.POST or None,
        initial={**initial, "village": household.village_id},
        villages=selectors.villages_visible_to(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_household(
                household=household,
                data=household_data(request.user, form.cleaned_data),
                by=request.user,
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("registry:household", household.pk)
    return render_form(
        request,
        {
            "title": _("Edit household %(number)s") % {"number": household.registry_number},
            "sections": [(None, form)],
            "submit": _("Save"),
            "cancel": reverse("registry:household", args=[household.pk]),
        },
    )


# --- Members ------------------------------------------------------------------------------


@allow(HOUSEHOLD_EDITORS)
def member_create(request, household_id: int):
    household = selectors.access_household(request.user, household_id)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = actions.add_member(
                household=household, data=member_data(form.cleaned_data), by=request.user
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("%(name)s added.") % {"name": member.name})
            return redirect("registry:household", household.pk)
    return render_form(
        request,
        {
            "title": _("Add a member to %(number)s") % {"number": household.registry_number},
            "sections": [(None, form)],
            "submit": _("Add the member"),
            "cancel": reverse("registry:household", args=[household.pk]),
        },
    )


@allow(HOUSEHOLD_EDITORS)
def member_edit(request, member_id: int):
    member = selectors.access_member(request.user, member_id)
    initial = {name: getattr(member, name) for name in MEMBER_FIELDS}
    if not member.id_number_masked:
        # With an ID number on file, its birth date and sex stand; empty inputs keep them.
        initial.update(birth_date=member.birth_date, sex=member.sex)
    form = MemberForm(request.POST or None, initial=initial, on_file=member)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_member(
                member=member, data=member_data(form.cleaned_data), by=request.user
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("registry:household", member.household_id)
    return render_form(
        request,
        {
            "title": _("Edit %(name)s") % {"name": member.name},
            "sections": [(None, form)],
            "submit": _("Save"),
            "cancel": reverse("registry:household", args=[member.household_id]),
        },
    )


@require_POST
@allow(PERSONAL_DATA_READERS)
def member_reveal(request, member_id: int):
    """Show a member's full numbers on explicit request; the action audits the viewing."""
    member = selectors.access_member(request.user, member_id)
    numbers = actions.reveal_member(member=member, by=request.user)
    template = (
        "registry/_numbers.html" if wants_fragment(request) else "registry/member_numbers.html"
    )
    response = render(request, template, {"member": member, "numbers": numbers})
    add_never_cache_headers(response)
    return response


@allow(HOUSEHOLD_EDITORS)
def helper_create(request, household_id: int):
    household = selectors.access_household(request.user, household_id)
    form = HelperForm(request.POST or None, people=selectors.people_visible_to(request.user))
    if request.method == "POST" and form.is_valid():
        person = selectors.access_person(request.user, int(form.cleaned_data["person"]))
        try:
            actions.assign_helper(
                person=person,
                household=household,
                since=form.cleaned_data["since"],
                by=request.user,
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("%(name)s assigned.") % {"name": person.name})
            return redirect("registry:household", household.pk)
    return render_form(
        request,
        {
            "title": _("Assign a helper to %(number)s") % {"number": household.registry_number},
            "sections": [(None, form)],
            "submit": _("Assign"),
            "cancel": reverse("registry:household", args=[household.pk]),
        },
    )


# --- Organisations and people -------------------------------------------------------------


@allow(REGION_SCOPED_ROLES)
def organisation_list(request):
    form = OrganisationFilterForm(request.GET or None)
    data = cleaned(form)
    organisations = selectors.search_organisations(
        request.user, query=data.get("q", ""), kind=data.get("kind", "")
    )
    page = page_of(request, organisations, PAGE_SIZE)
    context = {
        "form": form,
        "page": page,
        "can_edit": rights.may_edit_directory(request.user),
        "tab": "organisations",
    }
    return render(request, "registry/organisation_list.html", context)


def organisation_form(request, **kwargs) -> OrganisationForm:
    regions = regions_visible_to(request.user).order_by("code")
    return OrganisationForm(request.POST or None, regions=regions, **kwargs)


@allow(DIRECTORY_EDITORS)
def organisation_create(request):
    form = organisation_form(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organisation = actions.create_organisation(
                name=data["name"],
                kind=data["kind"],
                credit_code=data["credit_code"],
                region=access_region_by_code(request.user, data["region"]),
                by=request.user,
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("%(name)s added.") % {"name": organisation.name})
            return redirect("registry:organisations")
    return render_form(
        request,
        {
            "title": _("New organisation"),
            "sections": [(None, form)],
            "submit": _("Add the organisation"),
            "cancel": reverse("registry:organisations"),
        },
    )


@allow(DIRECTORY_EDITORS)
def organisation_edit(request, organisation_id: int):
    organisation = selectors.access_organisation(request.user, organisation_id)
    initial = {
        "name": organisation.name,
        "kind": organisation.kind,
        "credit_code": organisation.credit_code,
        "region": organisation.region_id,
    }
    form = organisation_form(request, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_organisation(
                organisation=organisation,
                name=data["name"],
                kind=data["kind"],
                credit_code=data["credit_code"],
                region=access_region_by_code(request.user, data["region"]),
                by=request.user,
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("registry:organisations")
    return render_form(
        request,
        {
            "title": _("Edit %(name)s") % {"name": organisation.name},
            "sections": [(None, form)],
            "submit": _("Save"),
            "cancel": reverse("registry:organisations"),
        },
    )


@allow(REGION_SCOPED_ROLES)
def person_list(request):
    form = PersonFilterForm(request.GET or None)
    data = cleaned(form)
    people = selectors.search_people(request.user, position=data.get("position", ""))
    page = page_of(request, people, PAGE_SIZE)
    context = {
        "form": form,
        "page": page,
        "can_edit": rights.may_edit_directory(request.user),
        "tab": "people",
    }
    return render(request, "registry/person_list.html", context)


@allow(DIRECTORY_EDITORS)
def person_create(request):
    accounts = selectors.linkable_accounts(request.user)
    form = PersonForm(
        request.POST or None,
        regions=regions_visible_to(request.user).order_by("code"),
        organisations=selectors.organisations_visible_to(request.user),
        accounts=accounts,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = None
        if data["organisation"]:
            organisation = selectors.access_organisation(request.user, int(data["organisation"]))
        try:
            person = actions.create_person(
                name=data["name"],
                position=data["position"],
                region=access_region_by_code(request.user, data["region"]),
                organisation=organisation,
                phone=data["phone"],
                account=accounts.get(pk=data["account"]) if data["account"] else None,
                by=request.user,
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("%(name)s added.") % {"name": person.name})
            return redirect("registry:people")
    return render_form(
        request,
        {
            "title": _("New person"),
            "sections": [(None, form)],
            "submit": _("Add the person"),
            "cancel": reverse("registry:people"),
        },
    )


@allow(DIRECTORY_EDITORS)
def person_account(request, person_id: int):
    """Choose the account a person of the directory logs in with (or none)."""
    person = selectors.access_person(request.user, person_id)
    accounts = selectors.linkable_accounts(request.user, person)
    initial = {"account": str(person.account_id or "")}
    form = PersonAccountForm(request.POST or None, accounts=accounts, initial=initial)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["account"]
        try:
            actions.link_person_account(
                person=person,
                account=accounts.get(pk=chosen) if chosen else None,
                by=request.user,
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("%(name)s's login is saved.") % {"name": person.name})
            return redirect("registry:people")
    return render_form(
        request,
        {
            "title": _("Login of %(name)s") % {"name": person.name},
            "sections": [(None, form)],
            "submit": _("Save"),
            "cancel": reverse("registry:people"),
        },
    )


# --- Roster files: import and export ----------------------------------------------------------


class RosterImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Roster (.xlsx, .xls or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )
    partial = forms.BooleanField(
        label=gettext_lazy("Import the good households even if other rows are wrong"),
        required=False,
    )
    dry_run = forms.BooleanField(label=gettext_lazy("Only check, import nothing"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "At most %(mb)s MB and %(rows)s rows; a file of more than %(background)s rows is "
            "imported in the background."
        ) % {
            "mb": f"{settings.TONGXING_UPLOAD_MAX_MB:,}",
            "rows": f"{settings.TONGXING_IMPORT_MAX_ROWS:,}",
            "background": f"{settings.TONGXING_BACKGROUND_ROWS:,}",
        }


def job_context(job) -> dict:
    """Return what a job's page shows: its progress while it runs, its result when done."""
    result = job.result or {}
    return {
        **jobs_selectors.job_state(job),
        "result": result,
        "errors": [(e["row"], e["header"], e["message"]) for e in result.get("errors", ())],
    }


def render_job(request, job, template: str, extra: dict | None = None) -> HttpResponse:
    context = {**job_context(job), **(extra or {})}
    if wants_fragment(request) and request.method == "GET":
        template = "registry/_job.html"  # the part the page polls
    failed = job.status == JobStatus.FAILED or context["result"].get("refused", False)
    status = 400 if request.method == "POST" and failed else 200
    response = render(request, template, context, status=status)
    add_never_cache_headers(response)
    return response


@allow(HOUSEHOLD_EDITORS)
def household_import(request):
    """Upload a roster: every row checked, the result as a table, the file marked; a large
    file goes on in the background and the page follows it."""
    form = RosterImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = read_upload(
            form,
            lambda upload: registry_jobs.import_roster(
                upload=upload,
                filename=upload.name,
                by=request.user,
                partial=form.cleaned_data["partial"],
                dry_run=form.cleaned_data["dry_run"],
            ),
        )
        if job is not None:
            if not job.finished:
                return follow_job(request, "registry:household_import_job", job)
            return render_job(request, job, "registry/import.html", {"form": form})
    status = 400 if form.errors else 200
    return render(request, "registry/import.html", {"form": form}, status=status)


@allow(HOUSEHOLD_EDITORS)
def household_import_job(request, job_id: int):
    """Follow an import in the background; its result, and the marked copy, when done."""
    job = jobs_selectors.access_job(request.user, job_id, kind=registry_jobs.IMPORT)
    job = jobs_actions.settle_stale(job=job)
    return render_job(request, job, "registry/job.html")


class ExportForm(forms.Form):
    full_numbers = forms.BooleanField(
        label=gettext_lazy("With the full ID and phone numbers"), required=False
    )
    reason = forms.CharField(
        label=gettext_lazy("Why the full numbers are needed"),
        required=False,
        max_length=actions.EXPORT_REASON_MAX,
        help_text=gettext_lazy("Kept in the audit log with the export."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I will keep the file safe, give it to no one who may not see these numbers, "
            "and delete it when the work is done."
        ),
        required=False,
    )

    def __init__(self, *args, may_export_full: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_export_full:
            for name in ("full_numbers", "reason", "confirm"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if data.get("full_numbers"):
            if not data.get("reason", "").strip():
                self.add_error("reason", _("Say why the full ID and phone numbers are needed."))
            if not data.get("confirm"):
                self.add_error("confirm", _("Confirm that you will keep the file safe."))
        return data


def export_filters(request) -> dict:
    """Return the household list's filters (from the query string) as an export keeps them."""
    form = HouseholdFilterForm(
        request.GET or None, villages=selectors.villages_visible_to(request.user)
    )
    data = cleaned(form)
    return registry_jobs.export_filters(
        query=data.get("q", ""),
        village=data.get("village", ""),
        status=data.get("status", ""),
        flags=data.get("flag", ()),
    )


@allow(REGION_SCOPED_ROLES)
def household_export(request):
    """Export the households of the list's filters as an .xlsx roster: masked, or with full
    numbers for the offices that may, with a reason and a confirmation. A large export
    runs in the background and its page offers the file when it is ready."""
    filters = export_filters(request)
    households = selectors.search_households(
        request.user, **registry_jobs.search_arguments(filters)
    )
    may_full = rights.may_export_full(request.user)
    if request.POST.get("full_numbers") and not may_full:
        raise PermissionDenied
    initial = {"full_numbers": may_full and request.GET.get("full") == "1"}
    # A bare POST is a masked export: the form is bound even with nothing in it.
    data = request.POST if request.method == "POST" else None
    form = ExportForm(data, initial=initial, may_export_full=may_full)
    count = households.count()
    if request.method == "POST" and form.is_valid():
        full = form.cleaned_data.get("full_numbers", False)
        reason = form.cleaned_data.get("reason", "")
        try:
            if count > settings.TONGXING_BACKGROUND_ROWS:
                job = registry_jobs.start_export(
                    by=request.user, filters=filters, full_numbers=full, reason=reason
                )
                return follow_job(request, "registry:household_export_job", job)
            content = actions.export_households(
                households=households, by=request.user, full_numbers=full, reason=reason
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            return xlsx_response(content, registry_jobs.EXPORT_NAME)
    context = {"form": form, "count": count, "background": settings.TONGXING_BACKGROUND_ROWS}
    return render(request, "registry/export.html", context, status=400 if form.errors else 200)


@allow(REGION_SCOPED_ROLES)
def household_export_job(request, job_id: int):
    """Follow an export in the background; the link to its file when it is ready."""
    job = jobs_selectors.access_job(request.user, job_id, kind=registry_jobs.EXPORT)
    job = jobs_actions.settle_stale(job=job)
    return render_job(request, job, "registry/job.html")


@allow(REGION_SCOPED_ROLES)
def organisation_export(request):
    """Download the organisations of the list's filters as an .xlsx file."""
    form = OrganisationFilterForm(request.GET or None)
    data = cleaned(form)
    organisations = selectors.search_organisations(
        request.user, query=data.get("q", ""), kind=data.get("kind", "")
    )
    return xlsx_response(export_organisations(organisations), "organisations.xlsx")
