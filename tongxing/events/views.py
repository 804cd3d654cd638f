"""Pages of events, exemplars, stories, publicity and the policy library.

Every page opens to the roles that read it and reads through the region-scoped selectors;
every change goes through an action, whose refusal comes back beside the form's fields
with status 400. A file is served only to those who read its record.
"""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongxing.access import REGION_SCOPED_ROLES, Role, allow
from tongxing.events import forms, rights, selectors
from tongxing.events.actions import events as event_actions
from tongxing.events.actions import exemplars as exemplar_actions
from tongxing.events.actions import publicity as publicity_actions
from tongxing.events.models import EventKind, NominationStatus, PolicyCategory, ReviewStatus
from tongxing.pages import cleaned, show_errors
from tongxing.paging import page_of
from tongxing.regions.selectors import regions_visible_to
from tongxing.registry import selectors as registry_selectors
from tongxing.registry.models import Member
from tongxing.tabular import TableError

PAGE_SIZE = 20
EVENT_READERS = rights.EVENT_READERS
EVENT_WRITERS = rights.EVENT_EDITORS | {Role.ORG_REP}


def _refused(request, template: str, context: dict):
    return render(request, template, context, status=400)


# --- Events ---------------------------------------------------------------------------------


@allow(EVENT_READERS)
def event_list(request):
    form = forms.EventFilterForm(request.GET or None)
    data = cleaned(form)
    events = selectors.search_events(
        request.user,
        kind=data.get("kind") or "",
        topic=data.get("topic") or "",
        year=data.get("year"),
    )
    return render(
        request,
        "events/list.html",
        {
            "form": form,
            "page": page_of(request, events, PAGE_SIZE),
            "can_record": rights.records_events(request.user),
        },
    )


def _event_form(request, data=None, initial=None):
    return forms.EventForm(
        data,
        initial=initial,
        regions=selectors.regions_for_events(request.user),
        organisations=selectors.organisations_for_events(request.user).order_by("name"),
    )


def _event_data(request, form) -> event_actions.EventData:
    data = form.cleaned_data
    user = request.user
    sites = []
    for row in range(forms.SITE_ROWS):
        code = data.get(f"site_region_{row}")
        if code:
            sites.append(
                (selectors.region_for_events(user, code), data.get(f"site_address_{row}") or "")
            )
    return event_actions.EventData(
        kind=data["kind"],
        title=data["title"],
        topic=data.get("topic") or "",
        starts_on=data["starts_on"],
        ends_on=data.get("ends_on"),
        region=selectors.region_for_events(user, data["region"]),
        sites=sites,
        organisers=[
            selectors.access_organisation_for_events(user, int(pk)) for pk in data["organisers"]
        ],
        participating=[
            selectors.access_organisation_for_events(user, int(pk)) for pk in data["participating"]
        ],
    )


@allow(EVENT_WRITERS)
def event_create(request):
    form = _event_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = event_actions.create_event(data=_event_data(request, form), by=request.user)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The event is recorded."))
            return redirect("events:detail", event.pk)
    context = {"form": form, "editing": None}
    if request.method == "POST":
        return _refused(request, "events/event_form.html", context)
    return render(request, "events/event_form.html", context)


@allow(EVENT_WRITERS)
def event_edit(request, event_id: int):
    event = selectors.access_event(request.user, event_id)
    if not rights.may_record_event(request.user, event):
        raise Http404
    initial = {
        "kind": event.kind,
        "title": event.title,
        "topic": event.topic,
        "starts_on": event.starts_on,
        "ends_on": event.ends_on,
        "region": event.region_id,
        "organisers": [
            str(link.organisation_id) for link in event.organisations.filter(role="organiser")
        ],
        "participating": [
            str(link.organisation_id) for link in event.organisations.filter(role="participant")
        ],
    }
    for row, site in enumerate(event.sites.all()[: forms.SITE_ROWS]):
        initial[f"site_region_{row}"] = site.region_id
        initial[f"site_address_{row}"] = site.address
    form = _event_form(request, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            event_actions.change_event(
                event=event, data=_event_data(request, form), by=request.user
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The event is changed."))
            return redirect("events:detail", event.pk)
    context = {"form": form, "editing": event}
    if request.method == "POST":
        return _refused(request, "events/event_form.html", context)
    return render(request, "events/event_form.html", context)


def _detail_context(request, event, **forms_given) -> dict:
    user = request.user
    may_record = rights.may_record_event(user, event)
    context = {
        "event": event,
        "sites": event.sites.select_related("region"),
        "organisations": event.organisations.select_related("organisation"),
        "prizes": event.prizes.select_related("person", "member", "organisation"),
        "attendees": event.attendances.select_related("member__household__village"),
        "gains": event.income_gains.select_related("household"),
        "may_record": may_record,
        "is_contest": event.kind == EventKind.CONTEST,
    }
    if may_record:
        context["outcomes_form"] = forms_given.get("outcomes_form") or forms.OutcomesForm(
            initial={
                name: getattr(event, name)
                for name in ("participants", "registered_attendees", "viewers", "orders")
                + ("people_served",)
            }
        )
        context["attendance_form"] = forms_given.get("attendance_form") or forms.AttendanceForm()
        context["file_form"] = forms_given.get("file_form") or forms.AttendanceFileForm()
        context["gain_form"] = forms_given.get("gain_form") or forms.GainForm()
        context["prize_form"] = forms_given.get("prize_form") or _prize_form(request)
    context["row_errors"] = forms_given.get("row_errors") or []
    return context


def _prize_form(request, data=None):
    return forms.PrizeForm(
        data,
        organisations=selectors.organisations_for_events(request.user).order_by("name"),
        people=registry_selectors.people_visible_to(request.user).order_by("name")[:500],
    )


@allow(EVENT_READERS)
def event_detail(request, event_id: int):
    event = selectors.access_event(request.user, event_id)
    return render(request, "events/detail.html", _detail_context(request, event))


def _recordable(request, event_id: int):
    event = selectors.access_event(request.user, event_id)
    if not rights.may_record_event(request.user, event):
        raise Http404
    return event


@require_POST
@allow(EVENT_WRITERS)
def event_outcomes(request, event_id: int):
    event = _recordable(request, event_id)
    form = forms.OutcomesForm(request.POST)
    if form.is_valid():
        try:
            event_actions.record_outcomes(event=event, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The outcomes are recorded."))
            return redirect("events:detail", event.pk)
    event.refresh_from_db()
    return _refused(
        request, "events/detail.html", _detail_context(request, event, outcomes_form=form)
    )


@require_POST
@allow(EVENT_WRITERS)
def event_attendance(request, event_id: int):
    """Add the members the ID numbers name to the attendance list: every line matched, or
    nothing added."""
    event = _recordable(request, event_id)
    form = forms.AttendanceForm(request.POST)
    row_errors: list[str] = []
    if form.is_valid():
        lines = form.cleaned_data["id_numbers"].splitlines()
        members, row_errors = selectors.members_by_id_numbers(request.user, lines)
        if not row_errors:
            present = list(Member.objects.filter(pk__in=event.attendances.values("member_id")))
            event_actions.set_attendance(event=event, members=present + members, by=request.user)
            messages.success(request, _("The attendance list is kept."))
            return redirect("events:detail", event.pk)
    if row_errors:
        # The numbers typed are not shown again in full: the messages name them masked.
        form = forms.AttendanceForm()
    context = _detail_context(request, event, attendance_form=form, row_errors=row_errors)
    return _refused(request, "events/detail.html", context)


@require_POST
@allow(EVENT_WRITERS)
def event_attendance_file(request, event_id: int):
    """Add the attendees of a spreadsheet: every row good, or nothing added and each fault
    named by row and column."""
    event = _recordable(request, event_id)
    form = forms.AttendanceFileForm(request.POST, request.FILES)
    row_errors: list[str] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = event_actions.import_attendance(
                event=event, source=upload, filename=upload.name, by=request.user
            )
        except TableError as exc:
            form.add_error("file", str(exc))
        else:
            if result.ok:
                messages.success(
                    request,
                    _("%(n)s attendees are on the list.") % {"n": len(result.members)},
                )
                return redirect("events:detail", event.pk)
            row_errors = [
                _("Row %(row)s, %(column)s: %(message)s")
                % {
                    "row": error.row,
                    "column": result.columns.get(error.column, error.column),
                    "message": error.message,
                }
                for error in result.errors
            ]
    context = _detail_context(request, event, file_form=form, row_errors=row_errors)
    return _refused(request, "events/detail.html", context)


@require_POST
@allow(EVENT_WRITERS)
def event_gain(request, event_id: int):
    event = _recordable(request, event_id)
    form = forms.GainForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        household = None
        if data.get("registry_number"):
            household = selectors.household_by_number(request.user, data["registry_number"])
            if household is None:
                form.add_error("registry_number", _("No household of your region has this number."))
        if household is not None or not data.get("registry_number"):
            try:
                event_actions.record_income_gain(
                    event=event,
                    amount_fen=int(data["amount_yuan"] * Decimal(100)),
                    recorded_on=data["recorded_on"],
                    household=household,
                    by=request.user,
                )
            except ValidationError as exc:
                show_errors(
                    form, exc, rename={"amount_fen": "amount_yuan", "household": "registry_number"}
                )
            else:
                messages.success(request, _("The income gain is recorded."))
                return redirect("events:detail", event.pk)
    return _refused(request, "events/detail.html", _detail_context(request, event, gain_form=form))


@require_POST
@allow(EVENT_WRITERS)
def event_prize(request, event_id: int):
    event = _recordable(request, event_id)
    form = _prize_form(request, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        user = request.user
        organisation = (
            selectors.access_organisation_for_events(user, int(data["organisation"]))
            if data.get("organisation")
            else None
        )
        person = (
            registry_selectors.people_visible_to(user).filter(pk=int(data["person"])).first()
            if data.get("person")
            else None
        )
        try:
            event_actions.award_prize(
                event=event, prize=data["prize"], organisation=organisation, person=person, by=user
            )
        except ValidationError as exc:
            show_errors(form, exc, rename={"winner": "organisation"})
        else:
            messages.success(request, _("The prize is recorded."))
            return redirect("events:detail", event.pk)
    return _refused(request, "events/detail.html", _detail_context(request, event, prize_form=form))


# --- Exemplars ------------------------------------------------------------------------------


def _nomination_form(request, data=None):
    user = request.user
    return forms.NominationForm(
        data,
        categories=selectors.categories_visible_to(user).order_by("-year", "id"),
        people=registry_selectors.people_visible_to(user).order_by("name")[:500],
        organisations=registry_selectors.organisations_visible_to(user).order_by("name")[:500],
    )


def _exemplars_context(request, **given) -> dict:
    user = request.user
    filters = forms.NominationFilterForm(request.GET or None)
    nominations = selectors.nominations_visible_to(user).order_by("-id")
    status = cleaned(filters).get("status")
    if status:
        nominations = nominations.filter(status=status)
    return {
        "categories": selectors.categories_visible_to(user).order_by("-year", "id"),
        "filters": filters,
        "page": page_of(request, nominations, PAGE_SIZE),
        "keeps_awards": rights.keeps_awards(user),
        "nominates": rights.nominates(user),
        "defaults_form": given.get("defaults_form") or forms.DefaultsForm(),
        "nomination_form": given.get("nomination_form") or _nomination_form(request),
        "decision_form": forms.DecisionForm(),
        "decision_errors": given.get("decision_errors") or {},
        "nominated": NominationStatus.NOMINATED,
    }


@allow(REGION_SCOPED_ROLES)
def exemplars(request):
    return render(request, "events/exemplars.html", _exemplars_context(request))


@require_POST
@allow(rights.AWARD_KEEPERS)
def award_defaults(request):
    form = forms.DefaultsForm(request.POST)
    if form.is_valid():
        exemplar_actions.create_default_categories(
            year=form.cleaned_data["year"], region=request.user.region, by=request.user
        )
        messages.success(request, _("The award categories of the year are there."))
        return redirect("events:exemplars")
    return _refused(
        request, "events/exemplars.html", _exemplars_context(request, defaults_form=form)
    )


@require_POST
@allow(rights.NOMINATORS)
def nominate(request):
    user = request.user
    form = _nomination_form(request, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        household = None
        if data.get("registry_number"):
            household = selectors.household_by_number(user, data["registry_number"])
            if household is None:
                form.add_error("registry_number", _("No household of your region has this number."))
        if not form.errors:
            try:
                exemplar_actions.nominate(
                    category=selectors.access_category(user, int(data["category"])),
                    reason=data["reason"],
                    household=household,
                    person=(
                        registry_selectors.people_visible_to(user)
                        .filter(pk=int(data["person"]))
                        .first()
                        if data.get("person")
                        else None
                    ),
                    organisation=(
                        registry_selectors.access_organisation(user, int(data["organisation"]))
                        if data.get("organisation")
                        else None
                    ),
                    by=user,
                )
            except ValidationError as exc:
                show_errors(form, exc, rename={"nominee": "category"})
            else:
                messages.success(request, _("The nomination is recorded."))
                return redirect("events:exemplars")
    return _refused(
        request, "events/exemplars.html", _exemplars_context(request, nomination_form=form)
    )


@require_POST
@allow(rights.AWARD_KEEPERS)
def decide(request, nomination_id: int):
    nomination = selectors.access_nomination(request.user, nomination_id)
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        try:
            exemplar_actions.decide_nomination(
                nomination=nomination,
                selected=form.cleaned_data["decision"] == NominationStatus.SELECTED,
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            errors = {nomination.pk: exc.messages}
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect("events:exemplars")
    else:
        errors = {nomination.pk: [e for errs in form.errors.values() for e in errs]}
    return _refused(
        request, "events/exemplars.html", _exemplars_context(request, decision_errors=errors)
    )


# --- Stories --------------------------------------------------------------------------------


def _stories_context(request, **given) -> dict:
    user = request.user
    stories = selectors.stories_visible_to(user).order_by("-submitted_on", "-id")
    return {
        "page": page_of(request, stories, PAGE_SIZE),
        "sends": rights.sends_stories(user),
        "reviews": rights.reviews_stories(user),
        "form": given.get("form")
        or forms.StoryForm(regions=regions_visible_to(user).order_by("code")),
        "review_form": forms.StoryReviewForm(),
        "review_errors": given.get("review_errors") or {},
        "submitted": ReviewStatus.SUBMITTED,
    }


@allow(REGION_SCOPED_ROLES)
def stories(request):
    return render(request, "events/stories.html", _stories_context(request))


@require_POST
@allow(rights.STORY_SENDERS)
def story_submit(request):
    user = request.user
    form = forms.StoryForm(request.POST, regions=regions_visible_to(user).order_by("code"))
    if form.is_valid():
        data = form.cleaned_data
        try:
            exemplar_actions.submit_story(
                campaign=data["campaign"],
                title=data["title"],
                author=data["author"],
                text=data["text"],
                region=selectors.region_for_events(user, data["region"]),
                by=user,
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The story is sent."))
            return redirect("events:stories")
    return _refused(request, "events/stories.html", _stories_context(request, form=form))


@require_POST
@allow(rights.STORY_REVIEWERS)
def story_review(request, story_id: int):
    story = selectors.access_story(request.user, story_id)
    form = forms.StoryReviewForm(request.POST)
    if form.is_valid():
        try:
            exemplar_actions.review_story(
                story=story,
                accepted=form.cleaned_data["accept"] == "yes",
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            errors = {story.pk: exc.messages}
        else:
            messages.success(request, _("The story is reviewed."))
            return redirect("events:stories")
    else:
        errors = {story.pk: [e for errs in form.errors.values() for e in errs]}
    return _refused(request, "events/stories.html", _stories_context(request, review_errors=errors))


# --- Publicity and policies -----------------------------------------------------------------


def _publicity_context(request, **given) -> dict:
    user = request.user
    items = selectors.publicity_visible_to(user).order_by("-published_on", "-id")
    return {
        "page": page_of(request, items, PAGE_SIZE),
        "edits": rights.edits_publicity(user),
        "form": given.get("form")
        or forms.PublicityForm(regions=regions_visible_to(user).order_by("code")),
    }


@allow(REGION_SCOPED_ROLES)
def publicity(request):
    return render(request, "events/publicity.html", _publicity_context(request))


@require_POST
@allow(rights.PUBLICITY_EDITORS)
def publicity_add(request):
    user = request.user
    form = forms.PublicityForm(
        request.POST, request.FILES, regions=regions_visible_to(user).order_by("code")
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            publicity_actions.record_publicity(
                title=data["title"],
                outlet=data["outlet"],
                outlet_level=data["outlet_level"],
                published_on=data["published_on"],
                link=data["link"],
                file=data.get("file"),
                region=selectors.region_for_events(user, data["region"]),
                by=user,
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The publicity item is recorded."))
            return redirect("events:publicity")
    return _refused(request, "events/publicity.html", _publicity_context(request, form=form))


@allow(REGION_SCOPED_ROLES)
def publicity_file(request, item_id: int):
    item = selectors.access_publicity(request.user, item_id)
    return _file(item.file)


def _policies_context(request, **given) -> dict:
    user = request.user
    documents = selectors.policies_visible_to(user).select_related("compendium")
    by_category = []
    for value, label in PolicyCategory.choices:
        listed = [d for d in documents if d.category == value]
        if listed:
            by_category.append((label, listed))
    regions = regions_visible_to(user).order_by("code")
    compendia = selectors.compendia_visible_to(user).order_by("-year")
    return {
        "by_category": by_category,
        "compendia": compendia,
        "edits": rights.edits_publicity(user),
        "form": given.get("form") or forms.PolicyForm(regions=regions, compendia=compendia),
        "compendium_form": given.get("compendium_form") or forms.CompendiumForm(regions=regions),
        "publish_form": forms.PublishForm(),
        "publish_errors": given.get("publish_errors") or {},
    }


@allow(REGION_SCOPED_ROLES)
def policies(request):
    return render(request, "events/policies.html", _policies_context(request))


@require_POST
@allow(rights.PUBLICITY_EDITORS)
def policy_add(request):
    user = request.user
    compendia = selectors.compendia_visible_to(user).order_by("-year")
    form = forms.PolicyForm(
        request.POST,
        request.FILES,
        regions=regions_visible_to(user).order_by("code"),
        compendia=compendia,
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            publicity_actions.add_policy(
                title=data["title"],
                category=data["category"],
                issuing_body=data["issuing_body"],
                in_force_from=data["in_force_from"],
                in_force_until=data.get("in_force_until"),
                compendium=(
                    selectors.access_compendium(user, int(data["compendium"]))
                    if data.get("compendium")
                    else None
                ),
                file=data.get("file"),
                region=selectors.region_for_events(user, data["region"]),
                by=user,
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The policy document is added."))
            return redirect("events:policies")
    return _refused(request, "events/policies.html", _policies_context(request, form=form))


@require_POST
@allow(rights.PUBLICITY_EDITORS)
def compendium_add(request):
    user = request.user
    form = forms.CompendiumForm(request.POST, regions=regions_visible_to(user).order_by("code"))
    if form.is_valid():
        data = form.cleaned_data
        try:
            publicity_actions.create_compendium(
                year=data["year"],
                title=data["title"],
                region=selectors.region_for_events(user, data["region"]),
                by=user,
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The compendium is started."))
            return redirect("events:policies")
    return _refused(
        request, "events/policies.html", _policies_context(request, compendium_form=form)
    )


@require_POST
@allow(rights.PUBLICITY_EDITORS)
def compendium_publish(request, compendium_id: int):
    compendium = selectors.access_compendium(request.user, compendium_id)
    form = forms.PublishForm(request.POST)
    if form.is_valid():
        try:
            publicity_actions.publish_compendium(
                compendium=compendium,
                published_on=form.cleaned_data["published_on"],
                by=request.user,
            )
        except ValidationError as exc:
            errors = {compendium.pk: exc.messages}
        else:
            messages.success(request, _("The compendium is published."))
            return redirect("events:policies")
    else:
        errors = {compendium.pk: [e for errs in form.errors.values() for e in errs]}
    return _refused(
        request, "events/policies.html", _policies_context(request, publish_errors=errors)
    )


@allow(REGION_SCOPED_ROLES)
def policy_file(request, document_id: int):
    document = selectors.access_policy(request.user, document_id)
    return _file(document.file)


def _file(field):
    if not field:
        raise Http404
    return FileResponse(
        field.open("rb"), as_attachment=True, filename=field.name.rsplit("/", 1)[-1]
    )
