"""Pages of the needs board: the public board and a need's public page, a donor's pledges,
and the staff's pages (posting, the needs of a region, a need's management, the review
queue, escalations, the review rules), which the household's own account shares.

The public pages show a household as surname and village only. Every change goes through
an action; a refused form comes back with status 400 and its errors beside the fields.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from tongxing import photos, public_cache
from tongxing.access import (
    EVERY_ROLE,
    NEED_POSTERS,
    NEED_READERS,
    NEED_RECEIVERS,
    NEED_REVIEWERS,
    PLEDGERS,
    RULE_EDITORS,
    allow,
    public,
)
from tongxing.needs import rights, selectors
from tongxing.needs.actions import delivery, pledges, posting, review, rules
from tongxing.needs.forms import (
    ERROR_FIELDS,
    ApproveForm,
    ApproveManyForm,
    BannedTermForm,
    BoardFilterForm,
    CollectiveForm,
    ConfirmForm,
    DeliverForm,
    FeedbackForm,
    HouseholdSearchForm,
    NeedForm,
    ReasonForm,
    RegionNeedsFilterForm,
    ReopenForm,
    ValueCapForm,
    WithdrawForm,
    fen,
    pledge_form_for,
)
from tongxing.needs.models import ACTIVE_PLEDGE, CANCELLABLE, Kind, Need, PledgeStatus, Status
from tongxing.numbers import thousands
from tongxing.pages import cleaned, show_errors, wants_fragment
from tongxing.paging import page_of
from tongxing.regions.codes import Level
from tongxing.regions.models import Region
from tongxing.regions.selectors import regions_visible_to
from tongxing.registry import selectors as registry_selectors
from tongxing.registry.models import Household, Relation

PAGE_SIZE = 20
# The board's filters as the selector names them, and the inputs that show their errors.
FILTER_FIELDS = {"min_value_fen": "min_yuan", "max_value_fen": "max_yuan"}
EVENT_LABELS = {
    "created": gettext_lazy("posted"),
    "changed": gettext_lazy("changed"),
    "submitted": gettext_lazy("submitted for review"),
    "published": gettext_lazy("approved and published"),
    "rejected": gettext_lazy("rejected"),
    "cancelled": gettext_lazy("cancelled"),
    "reopened": gettext_lazy("put back on the board"),
    "pledged": gettext_lazy("pledged"),
    "contributed": gettext_lazy("contributed"),
    "matched": gettext_lazy("fully pledged"),
    "funds_released": gettext_lazy("money released to the household"),
    "pledge_withdrawn": gettext_lazy("pledge withdrawn"),
    "delivered": gettext_lazy("marked delivered"),
    "confirmed": gettext_lazy("receipt confirmed"),
    "thanked": gettext_lazy("thanked and rated"),
    "closed": gettext_lazy("closed"),
    "expired": gettext_lazy("expired and escalated"),
    "masked": gettext_lazy("personal data masked"),
}
# What of an event's record the history shows (never the whole snapshot).
EVENT_DETAILS = (
    "reason",
    "override_reason",
    "note",
    "thanks",
    "rating",
    "deadline",
    "remaining",
)


# --- Helpers --------------------------------------------------------------------------------


def place_of(need: Need) -> str:
    """柳塘镇桃李村: the township and the village, as the board writes a place."""
    village = need.village
    township = village.parent.name if village.parent_id else ""
    return f"{township}{village.name}"


# --- The public board -----------------------------------------------------------------------


def board_regions() -> list:
    """The townships with needs on the board, grouped by county, as the select's groups.

    Townships only: a city has hundreds of villages, too many for a phone's select (and
    for the page's time); a village's code still works in the address and the API.
    """
    groups: dict[str, tuple[str, list]] = {}
    for township in selectors.board_townships():
        county = township.parent
        label = county.name if county is not None else ""
        groups.setdefault(label, (label, []))[1].append((township.code, township.name))
    return list(groups.values())


def board_filters(form: BoardFilterForm) -> selectors.BoardFilters:
    """The filters of a valid form; a filter at fault is shown and left out, not obeyed."""
    if not form.is_bound:
        return selectors.BoardFilters()
    form.is_valid()
    for _attempt in range(2):
        data = form.cleaned_data
        filters = selectors.BoardFilters(
            kind=data.get("kind") or "",
            category=data.get("category") or "",
            region=(data.get("region") or "").strip(),
            urgency=data.get("urgency"),
            min_value_fen=fen(data.get("min_yuan")),
            max_value_fen=fen(data.get("max_yuan")),
            deadline_before=data.get("deadline_before"),
            sort=data.get("sort") or "urgency",
            q=data.get("q") or "",
        )
        try:
            return selectors.clean_board_filters(filters)
        except ValidationError as exc:
            # add_error drops the field from cleaned_data: the next round goes without it.
            show_errors(form, exc, FILTER_FIELDS)
    return selectors.BoardFilters()


@public
@public_cache.cached("board")
def board(request):
    """The published needs, filtered and sorted, 20 a page; htmx swaps only the results."""
    form = BoardFilterForm(request.GET or None, regions=board_regions())
    filters = board_filters(form)
    needs = selectors.board_needs(filters)
    more = [field.name for field in form.more_fields()]
    context = {
        "form": form,
        "page": page_of(request, needs, PAGE_SIZE),
        # The less used filters fold away on a phone, unless one is in use or at fault.
        "more_filters": any(request.GET.get(name) for name in more) or bool(form.errors),
    }
    template = "needs/_board_results.html" if wants_fragment(request) else "needs/board.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def render_detail(request, need: Need, *, form=None, status: int = 200):
    user = request.user
    can_pledge = rights.may_pledge(user)
    open_for_pledges = need.open_for_pledges
    if can_pledge and open_for_pledges and form is None:
        form = pledge_form_for(need)
    context = {
        "need": need,
        "place": place_of(need),
        # A refused form stays, with its errors, even when the need has just filled up.
        "form": form if open_for_pledges or (form is not None and form.is_bound) else None,
        "can_pledge": can_pledge,
        "open_for_pledges": open_for_pledges,
        "helpers": need.pledges.filter(status__in=ACTIVE_PLEDGE).count(),
        "may_manage": rights.may_see_record(user, need),
    }
    return render(request, "needs/detail.html", context, status=status)


@public
@public_cache.cached("board")
def detail(request, need_id: int):
    """A need's public page: its story and progress, and for donors the pledge form."""
    try:
        need = selectors.access_public_need(need_id)
    except Http404:
        # Notifications link a need's public page, also when it is a draft or was rejected:
        # who may see it off the board (its staff, its household) gets the staff page.
        if rights.reads_needs(request.user):
            selectors.access_need(request.user, need_id)
            return redirect("needs:manage", need_id)
        raise
    return render_detail(request, need)


@require_POST
@allow(PLEDGERS)
def pledge(request, need_id: int):
    """Pledge goods, take a wish, or contribute; the form's key makes a resubmit count once."""
    need = selectors.access_public_need(need_id)
    form = pledge_form_for(need, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if need.kind == Kind.FUNDS:
                result = pledges.contribute(
                    need=need,
                    by=request.user,
                    amount_fen=fen(data["amount_yuan"]),
                    payment_reference=data["payment_reference"],
                    consent_to_move=data.get("consent_to_move", False),
                    idempotency_key=data["idempotency_key"],
                )
            else:
                result = pledges.pledge_goods(
                    need=need,
                    by=request.user,
                    quantity=data.get("quantity"),
                    deliver_by=data.get("deliver_by"),
                    note=data.get("note", ""),
                    idempotency_key=data["idempotency_key"],
                )
        except ValidationError as exc:
            show_errors(
                form,
                exc,
                {"quantity": "amount_yuan", "amount_fen": "amount_yuan"}
                if need.kind == Kind.FUNDS
                else None,
            )
        else:
            if result.replayed:
                messages.info(request, _("This pledge was already recorded: it counts once."))
            else:
                messages.success(request, _("Thank you! Your pledge is recorded."))
            return redirect("needs:my_pledges")
    need.refresh_from_db()
    return render_detail(request, need, form=form, status=400)


# --- A donor's pledges ----------------------------------------------------------------------


def render_my_pledges(request, *, status: int = 200):
    pledges = selectors.pledges_of(request.user).select_related("need__village__parent")
    context = {
        "page": page_of(request, pledges, PAGE_SIZE),
        "impact": selectors.impact_of(request.user),
        "public_statuses": selectors.PUBLIC_STATUSES,
    }
    return render(request, "needs/my_pledges.html", context, status=status)


@allow(PLEDGERS)
def my_pledges(request):
    """The donor's pledges and contributions, the households' thanks, and their impact."""
    return render_my_pledges(request)


@require_POST
@allow(PLEDGERS)
def pledge_deliver(request, pledge_id: int):
    pledge_ = selectors.access_pledge(request.user, pledge_id)
    form = DeliverForm(request.POST)
    form.is_valid()
    try:
        delivery.deliver_pledge(
            pledge=pledge_, by=request.user, note=form.cleaned_data.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return render_my_pledges(request, status=400)
    messages.success(request, _("Marked delivered. The household will confirm receipt."))
    return redirect("needs:my_pledges")


@require_POST
@allow(PLEDGERS)
def pledge_withdraw(request, pledge_id: int):
    pledge_ = selectors.access_pledge(request.user, pledge_id)
    form = WithdrawForm(request.POST)
    form.is_valid()
    try:
        pledges.withdraw_pledge(
            pledge=pledge_, by=request.user, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return render_my_pledges(request, status=400)
    messages.success(request, _("Your pledge is withdrawn."))
    return redirect("needs:my_pledges")


@allow(EVERY_ROLE)
def pledge_photo(request, pledge_id: int):
    """The photo of a delivery, to the pledge's donor and to staff who see its need."""
    pledge_ = selectors.access_pledge(request.user, pledge_id)
    if not pledge_.evidence:
        raise Http404
    try:
        photo = pledge_.evidence.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    head = photo.read(12)
    photo.seek(0)
    kind = photos.content_type(head) or "application/octet-stream"
    response = FileResponse(photo, content_type=kind)
    # Personal: never kept by a shared cache, nor by the browser past this visit.
    add_never_cache_headers(response)
    response["Cache-Control"] += ", private"
    return response


# --- Staff: posting and editing -----------------------------------------------------------


def own_household(user) -> Household | None:
    return registry_selectors.household_of_account(user)


def left_behind_children(household: Household | None) -> list:
    if household is None:
        return []
    return list(household.members.filter(left_behind_child=True).order_by("pk"))


def villages_in_scope(user):
    return (
        regions_visible_to(user)
        .filter(level=Level.VILLAGE)
        .select_related("parent")
        .order_by("code")
    )


def chosen_target(request) -> tuple[Household | None, Region | None]:
    """The household (or the village, for a collective need) the poster chose."""
    user = request.user
    if rights.is_household(user):
        return own_household(user), None
    household_id = request.GET.get("household", "")
    if household_id.isdigit():
        return registry_selectors.access_household(user, int(household_id)), None
    code = request.GET.get("village", "")
    if code:
        village = villages_in_scope(user).filter(code=code).first()
        if village is None:
            raise Http404
        return None, village
    return None, None


def head_name(household: Household | None) -> str:
    if household is None:
        return ""
    head = household.members.filter(relation=Relation.HEAD).values_list("name", flat=True)
    return head.first() or ""


def render_picker(request):
    """The first step of posting: every household of the poster's region, 20 at a time, found
    by the head's name or the registry number as one types.

    A search is a POST, so that a full ID number typed into it (which finds the household
    too) never lands in a URL or an access log. "Show more" posts the next page, whose rows
    htmx appends to the table; without JavaScript it opens that page.
    """
    user = request.user
    posted = request.method == "POST"
    search = HouseholdSearchForm(request.POST if posted else None)
    query = cleaned(search).get("q", "") if posted else ""
    households = registry_selectors.search_households(user, query=query)
    number = (request.POST if posted else request.GET).get("page")
    page = page_of(request, households, PAGE_SIZE, number=number)
    context = {
        "search": search,
        "query": query,
        "page": page,
        "pick": True,
        "collective": CollectiveForm(villages=villages_in_scope(user)),
        "nothing_assigned": registry_selectors.has_nothing_assigned(user),
    }
    if wants_fragment(request):
        more = posted and "page" in request.POST
        template = "registry/_household_rows.html" if more else "needs/_household_picker.html"
        return render(request, template, context)
    return render(request, "needs/pick_household.html", context)


@allow(NEED_POSTERS)
def need_create(request):
    """Post a need for a household of one's region (or one's own), or for a whole village."""
    user = request.user
    household, village = chosen_target(request)
    if household is None and village is None:
        if rights.is_household(user):
            return render(request, "needs/no_household.html", status=403)
        return render_picker(request)
    form = NeedForm(request.POST or None, children=left_behind_children(household))
    if request.method == "POST" and form.is_valid():
        values = form.action_values()
        data = posting.NeedData(**values, household=household, village=village)
        try:
            need = posting.create_need(
                data=data,
                by=user,
                submit=request.POST.get("then") == "submit",
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except ValidationError as exc:
            show_errors(form, exc, ERROR_FIELDS[values["kind"]])
        else:
            if need.status == Status.SUBMITTED:
                messages.success(request, _("The need is sent to the township for review."))
            else:
                messages.success(request, _("The need is saved as a draft."))
            return redirect("needs:manage", need.pk)
    context = {
        "form": form,
        "household": household,
        "village": household.village if household else village,
        "head_name": head_name(household) if not rights.is_household(user) else "",
        "title": _("Post a need"),
        "cancel": reverse("needs:region"),
    }
    return render(request, "needs/need_form.html", context, status=_form_status(request))


def _form_status(request) -> int:
    return 400 if request.method == "POST" else 200


@allow(NEED_POSTERS)
def need_edit(request, need_id: int):
    """Change a draft or a rejected need (and send it for review again)."""
    need = selectors.access_need(request.user, need_id)
    if not rights.may_edit(request.user, need):
        raise PermissionDenied
    if need.status not in (Status.DRAFT, Status.REJECTED):
        messages.error(request, _("Only a draft or a rejected need can be changed."))
        return redirect("needs:manage", need.pk)
    household = need.household
    form = NeedForm(
        request.POST or None,
        initial=NeedForm.initial_of(need),
        children=left_behind_children(household),
    )
    if request.method == "POST" and form.is_valid():
        values = form.action_values()
        data = posting.NeedData(
            **values, household=household, village=None if household else need.village
        )
        try:
            # One transaction: a refused submission leaves the draft as it was.
            with transaction.atomic():
                need = posting.update_need(need=need, data=data, by=request.user)
                if request.POST.get("then") == "submit":
                    need = posting.submit_need(need=need, by=request.user)
        except ValidationError as exc:
            show_errors(form, exc, ERROR_FIELDS[values["kind"]])
        else:
            messages.success(request, _("Changes saved."))
            return redirect("needs:manage", need.pk)
    context = {
        "form": form,
        "need": need,
        "household": household,
        "village": need.village,
        "head_name": head_name(household) if not rights.is_household(request.user) else "",
        "title": _("Edit the need"),
        "cancel": reverse("needs:manage", args=[need.pk]),
    }
    return render(request, "needs/need_form.html", context, status=_form_status(request))


# --- Staff: the needs of a region, and one need -------------------------------------------


@allow(NEED_READERS)
def region_needs(request):
    """The needs of the user's region (or a household's own), by status, kind and title."""
    form = RegionNeedsFilterForm(request.GET or None)
    data = cleaned(form)
    needs = selectors.needs_visible_to(request.user).select_related("village__parent")
    if data.get("q"):
        needs = needs.filter(title__contains=data["q"])
    if data.get("status"):
        needs = needs.filter(status=data["status"])
    if data.get("kind"):
        needs = needs.filter(kind=data["kind"])
    context = {
        "form": form,
        "page": page_of(request, needs, PAGE_SIZE),
        "can_post": rights.posts_needs(request.user),
        "can_review": rights.reviews_needs(request.user),
        "nothing_assigned": registry_selectors.has_nothing_assigned(request.user),
    }
    return render(request, "needs/region.html", context)


def describe(event) -> dict:
    """An event of the need's log as the history shows it: who, when, what, and details."""
    action = event.action.removeprefix("need.")
    after = event.after or {}
    # A new deadline is news when the need is reopened; elsewhere it is just the snapshot's.
    keys = [key for key in EVENT_DETAILS if key != "deadline" or action == "reopened"]
    details = [str(after[key]) for key in keys if after.get(key) not in (None, "")]
    findings = after.get("rule_findings") if action == "submitted" else None
    details += [finding.get("message", "") for finding in findings or ()]
    if after.get("photo"):
        details.append(_("with a photo"))
    if after.get("on_behalf"):
        details.append(_("on the household's behalf"))
    return {
        "at": event.at,
        "actor": event.actor,
        "label": EVENT_LABELS.get(action, action),
        "details": details,
    }


def render_manage(request, need: Need, *, forms: dict | None = None, status: int = 200):
    user = request.user
    may_edit = rights.may_edit(user, need)
    may_review = rights.may_review(user, need)
    may_act = rights.may_act_for_household(user, need)
    waiting_for_review = may_review and need.status == Status.SUBMITTED
    sees_households = rights.sees_households(user)
    own = rights.reviews_own_need(user, need)
    selectors.with_public_text_findings([need])
    pledges = list(selectors.pledges_of_need(need))
    for line in pledges:
        waiting = line.status in (PledgeStatus.PLEDGED, PledgeStatus.DELIVERED)
        money_not_released = need.kind == Kind.FUNDS and line.status == PledgeStatus.PLEDGED
        line.can_confirm = may_act and waiting and not money_not_released
        line.can_thank = (
            may_act and line.status == PledgeStatus.CONFIRMED and not hasattr(line, "feedback")
        )
    forms = {
        "cancel": ReasonForm(prefix="cancel"),
        "reopen": ReopenForm(),
        "approve": ApproveForm(),
        "reject": ReasonForm(prefix="reject"),
        **(forms or {}),
    }
    context = {
        "need": need,
        "place": place_of(need),
        "head_name": head_name(need.household) if sees_households else "",
        "may_see_household": sees_households and need.household_id,
        "can_edit": may_edit and need.status in (Status.DRAFT, Status.REJECTED),
        "can_submit": may_edit and need.status in (Status.DRAFT, Status.REJECTED),
        "can_cancel": may_edit and need.status in CANCELLABLE,
        "can_review": waiting_for_review and not own,
        "reviewed_by_another": waiting_for_review and own,
        "can_reopen": may_review and need.status == Status.EXPIRED,
        "pledges": pledges,
        "events": [describe(event) for event in selectors.need_events(need)],
        "forms": forms,
        "public": need.status in selectors.PUBLIC_STATUSES,
    }
    return render(request, "needs/manage.html", context, status=status)


@allow(NEED_READERS)
def manage(request, need_id: int):
    """A need as its region's staff (or its household) see it: everything, and the buttons."""
    need = selectors.access_need(request.user, need_id)
    return render_manage(request, need)


@require_POST
@allow(NEED_POSTERS)
def need_submit(request, need_id: int):
    need = selectors.access_need(request.user, need_id)
    try:
        posting.submit_need(need=need, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return render_manage(request, need, status=400)
    messages.success(request, _("The need is sent to the township for review."))
    return redirect("needs:manage", need.pk)


@require_POST
@allow(NEED_POSTERS)
def need_cancel(request, need_id: int):
    need = selectors.access_need(request.user, need_id)
    form = ReasonForm(request.POST, prefix="cancel")
    if form.is_valid():
        try:
            posting.cancel_need(need=need, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The need is cancelled."))
            return redirect("needs:manage", need.pk)
    if need.status not in CANCELLABLE:
        messages.error(request, " ".join(form.non_field_errors()))
    return render_manage(request, need, forms={"cancel": form}, status=400)


@require_POST
@allow(NEED_REVIEWERS)
def need_reopen(request, need_id: int):
    need = selectors.access_need(request.user, need_id)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            review.reopen_need(need=need, by=request.user, deadline=form.cleaned_data["deadline"])
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The need is back on the board."))
            if request.POST.get("from") == "escalated":
                return redirect("needs:escalated")
            return redirect("needs:manage", need.pk)
    if need.status != Status.EXPIRED:
        messages.error(request, " ".join(form.non_field_errors()))
    if request.POST.get("from") == "escalated":
        return render_escalated(request, forms={need.pk: form}, status=400)
    return render_manage(request, need, forms={"reopen": form}, status=400)


@require_POST
@allow(NEED_REVIEWERS)
def need_review(request, need_id: int):
    """Approve (with a reason when the rules flag it) or reject (with a reason)."""
    need = selectors.access_need(request.user, need_id)
    approve = request.POST.get("decision") == "approve"
    form = ApproveForm(request.POST) if approve else ReasonForm(request.POST, prefix="reject")
    origin = request.POST.get("from", "")
    asked = request.POST.get("confirmed") == "yes"
    own = rights.reviews_own_need(request.user, need)  # refused below, with no question
    if approve and not asked and need.status == Status.SUBMITTED and not own:
        # Nothing goes public on one tap: first say what the public will see, and ask.
        if form.is_valid():
            return render_publish_confirmation(
                request,
                [need],
                override_reason=form.cleaned_data["override_reason"],
                origin=origin,
            )
        if wants_fragment(request):
            context = {
                "need": need,
                "approve_form": form,
                "reject_form": ReasonForm(prefix="reject", auto_id=f"id_{need.pk}_%s"),
                "from": origin,
            }
            return render(request, "needs/_review_forms.html", context, status=400)
    if form.is_valid():
        try:
            review.review_need(
                need=need,
                by=request.user,
                approve=approve,
                reason=form.cleaned_data.get("reason", ""),
                override_reason=form.cleaned_data.get("override_reason", ""),
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            if approve:
                messages.success(request, _("“%(title)s” is published.") % {"title": need.title})
            else:
                messages.success(request, _("“%(title)s” is rejected.") % {"title": need.title})
            if request.POST.get("from") == "manage":
                return redirect("needs:manage", need.pk)
            return redirect("needs:review")
    if need.status != Status.SUBMITTED or own:
        # Not in the queue (reviewed meanwhile, or one's own): its form is not shown, so say
        # it above.
        messages.error(request, " ".join(form.non_field_errors()))
    name = "approve" if approve else "reject"
    if request.POST.get("from") == "manage":
        return render_manage(request, need, forms={name: form}, status=400)
    return render_queue(request, forms={need.pk: {name: form}}, status=400)


# --- Staff: confirming receipt and thanking -----------------------------------------------


def pledge_for_household(request, pledge_id: int):
    pledge_ = selectors.access_pledge(request.user, pledge_id)
    if not rights.may_act_for_household(request.user, pledge_.need):
        raise PermissionDenied
    return pledge_


@allow(NEED_RECEIVERS)
def pledge_confirm(request, pledge_id: int):
    """Confirm receipt: the household itself, or staff for it with a photo or a note."""
    pledge_ = pledge_for_household(request, pledge_id)
    on_behalf = not rights.is_household(request.user)
    form = ConfirmForm(request.POST or None, request.FILES or None, on_behalf=on_behalf)
    if request.method == "POST" and form.is_valid():
        try:
            delivery.confirm_pledge(
                pledge=pledge_,
                by=request.user,
                note=form.cleaned_data["note"],
                evidence=form.cleaned_data.get("evidence"),
            )
        except ValidationError as exc:
            show_errors(form, exc, {"confirmation_note": "note"})
        else:
            messages.success(request, _("Receipt confirmed. The donor is told."))
            return redirect("needs:manage", pledge_.need_id)
    context = {
        "pledge": pledge_,
        "need": pledge_.need,
        "form": form,
        "title": _("Confirm receipt"),
        "submit": _("Confirm receipt"),
        "multipart": True,
    }
    return render(request, "needs/pledge_form.html", context, status=_form_status(request))


@allow(NEED_RECEIVERS)
def pledge_thank(request, pledge_id: int):
    """Thank the donor and rate the help, 1 to 5."""
    pledge_ = pledge_for_household(request, pledge_id)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            delivery.give_feedback(
                pledge=pledge_,
                by=request.user,
                rating=form.cleaned_data["rating"],
                thanks=form.cleaned_data["thanks"],
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Your thanks are sent to the donor."))
            return redirect("needs:manage", pledge_.need_id)
    context = {
        "pledge": pledge_,
        "need": pledge_.need,
        "form": form,
        "title": _("Thank the donor"),
        "submit": _("Send the thanks"),
    }
    return render(request, "needs/pledge_form.html", context, status=_form_status(request))


# --- Reviewers: the queue, escalations, the rules -----------------------------------------


def render_publish_confirmation(
    request, needs: list[Need], *, override_reason: str = "", origin: str = ""
):
    """Ask before publishing: each need as the public board will show it, what the review
    rules find in it now, and a button that publishes (htmx puts it in place of the buttons
    it came from; without JavaScript it is a page of its own)."""
    selectors.with_public_text_findings(needs)
    for need in needs:
        need.board_place = place_of(need)
        need.findings_now = selectors.review_findings(need)
    single = len(needs) == 1
    if single:
        action = reverse("needs:review_need", args=[needs[0].pk])
    else:
        action = reverse("needs:review_approve_many")
    if origin == "manage" and single:
        back = reverse("needs:manage", args=[needs[0].pk])
    else:
        back = reverse("needs:review")
    context = {
        "needs": needs,
        "single": single,
        "action": action,
        "back": back,
        "override_reason": override_reason,
        "from": origin,
        # Personal data in a need's public text: no button publishes it (the action refuses).
        "blocked": any(need.public_findings for need in needs),
    }
    if wants_fragment(request):
        return render(request, "needs/_confirm_publish.html", context)
    return render(request, "needs/confirm_publish.html", context)


def render_queue(request, *, forms: dict | None = None, status: int = 200):
    forms = forms or {}
    needs = list(selectors.review_queue(request.user).select_related("village__parent")[:100])
    selectors.with_public_text_findings(needs)
    for need in needs:
        mine = forms.get(need.pk, {})
        need.approve_form = mine.get("approve") or ApproveForm(auto_id=f"id_{need.pk}_%s")
        need.reject_form = mine.get("reject") or ReasonForm(
            prefix="reject", auto_id=f"id_{need.pk}_%s"
        )
        need.board_place = place_of(need)
    context = {"needs": needs, "total": selectors.review_queue(request.user).count()}
    return render(request, "needs/review_queue.html", context, status=status)


@allow(NEED_REVIEWERS)
def review_queue(request):
    """Needs waiting for review, oldest first, with what the rules found in each."""
    return render_queue(request)


@require_POST
@allow(NEED_REVIEWERS)
def review_approve_many(request):
    """Approve the needs ticked in the queue: first a confirmation that lists them, then all
    of them are published, or none (each refusal named with its need)."""
    form = ApproveManyForm(request.POST, queue=selectors.review_queue(request.user))
    if not form.is_valid():
        for message in form.errors.get("need", []):
            messages.error(request, message)
        return render_queue(request, status=400)
    needs = list(form.cleaned_data["need"].select_related("village__parent"))
    if request.POST.get("confirmed") != "yes":
        return render_publish_confirmation(request, needs)
    try:
        published = review.review_needs(needs=needs, by=request.user, approve=True)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return render_queue(request, status=400)
    count = len(published)
    messages.success(
        request,
        ngettext("%(n)s need is published.", "%(n)s needs are published.", count)
        % {"n": thousands(count)},
    )
    return redirect("needs:review")


def render_escalated(request, *, forms: dict | None = None, status: int = 200):
    forms = forms or {}
    page = page_of(
        request,
        selectors.escalated_needs(request.user).select_related("village__parent"),
        PAGE_SIZE,
    )
    for need in page:
        need.reopen_form = forms.get(need.pk) or ReopenForm(auto_id=f"id_{need.pk}_%s")
        need.board_place = place_of(need)
    return render(request, "needs/escalated.html", {"page": page}, status=status)


@allow(NEED_REVIEWERS)
def escalated(request):
    """Needs that expired unmatched in the user's region: the office's queue."""
    return render_escalated(request)


def rules_region(user) -> Region:
    if user.region_id is None:
        raise PermissionDenied
    return user.region


@allow(RULE_EDITORS)
def review_rules(request):
    """The city's value caps by category and its banned words."""
    region = rules_region(request.user)
    which = request.POST.get("form") if request.method == "POST" else None
    cap_form = ValueCapForm(request.POST if which == "cap" else None, prefix="cap")
    term_form = BannedTermForm(request.POST if which == "term" else None, prefix="term")
    if which == "cap" and cap_form.is_valid():
        try:
            rules.set_value_cap(
                region=region,
                category=cap_form.cleaned_data["category"],
                cap_fen=fen(cap_form.cleaned_data["cap_yuan"]),
                by=request.user,
            )
        except ValidationError as exc:
            show_errors(cap_form, exc, {"cap_fen": "cap_yuan"})
        else:
            messages.success(request, _("The value cap is saved."))
            return redirect("needs:rules")
    elif which == "term" and term_form.is_valid():
        try:
            rules.add_banned_term(
                region=region,
                term=term_form.cleaned_data["term"],
                note=term_form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            show_errors(term_form, exc)
        else:
            messages.success(request, _("The word is added."))
            return redirect("needs:rules")
    # The rules of the region and of the regions above it all apply to its needs.
    caps, terms = selectors.rules_in_force(region.code)
    context = {
        "region": region,
        "caps": caps,
        "terms": terms,
        "cap_form": cap_form,
        "term_form": term_form,
    }
    status = 400 if which in ("cap", "term") else 200
    return render(request, "needs/rules.html", context, status=status)


@require_POST
@allow(RULE_EDITORS)
def review_rule_term_remove(request, term_id: int):
    region = rules_region(request.user)
    banned = selectors.rules_in_force(region.code)[1].filter(region=region, pk=term_id).first()
    if banned is None:
        raise Http404
    rules.remove_banned_term(banned=banned, by=request.user)
    messages.success(request, _("“%(term)s” is no longer flagged.") % {"term": banned.term})
    return redirect("needs:rules")
