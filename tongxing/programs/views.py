"""The programme pages: the list, a programme's page (targets and helpers, coverage, money
per township and per helper with the gaps marked, exchanges and labour activities, which
offices and organisations record there) with the city office's pairing editor, the page
where offices and organisations record pledges and disbursements, the office's one review
of what an organisation recorded, and the Excel export.

Each view validates its form, calls one action or selector, and renders; a refused action
shows its errors on the form's fields with a 400.
"""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongxing import photos
from tongxing.access import allow
from tongxing.pages import cleaned, read_upload, show_errors, wants_fragment
from tongxing.paging import page_of
from tongxing.programs import actions, forms, imports, rights, selectors
from tongxing.programs.exports import export_programme
from tongxing.programs.models import Kind, Programme, Review
from tongxing.programs.rights import (
    PROGRAMME_READERS,
    PROGRAMME_RUNNERS,
    RECORD_KEEPERS,
    RECORDERS,
)
from tongxing.registry.selectors import organisations_visible_to
from tongxing.tabular import xlsx_response

MONEY = {"amount": "amount_fen", "pairing": "pairing"}
# The programmes whose pairings send people (teachers, staff): paired schools and units.
EXCHANGE_KINDS = frozenset({Kind.SCHOOL_PAIRING, Kind.DESIGNATED_UNIT})


@allow(PROGRAMME_READERS)
def programme_list(request):
    programmes = selectors.programmes_visible_to(request.user).select_related("region")
    context = {
        "page": page_of(request, programmes.order_by("-starts_on", "pk"), 50),
        "may_create": rights.runs_programmes(request.user),
    }
    return render(request, "programs/programme_list.html", context)


@allow(PROGRAMME_RUNNERS)
def programme_create(request):
    form = forms.ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            programme = actions.create_programme(
                kind=data["kind"],
                name=data["name"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                region=request.user.region,
                by=request.user,
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("%(name)s started.") % {"name": programme.name})
            return redirect("programs:programme", programme.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "title": _("New programme")}
    return render(request, "programs/programme_form.html", context, status=status)


# --- A programme's page and its editor ---------------------------------------------------------


def _editor_forms(request, programme: Programme, bound: dict | None = None) -> dict:
    pairings = (
        selectors.pairings_visible_to(request.user)
        .filter(programme=programme, until__isnull=True)
        .select_related("helper", "target__region", "target__organisation")
    )
    targets = programme.targets.select_related("region", "organisation")
    helpers = organisations_visible_to(request.user).order_by("name")
    made = {
        "tag_form": forms.TagForm(),
        "target_form": forms.TargetForm(),
        "pair_form": forms.PairForm(targets=targets, helpers=helpers),
        "end_form": forms.EndForm(pairings=pairings),
        "change_form": forms.ChangeForm(pairings=pairings, helpers=helpers),
        "programme_form": forms.ProgrammeChangeForm(
            initial={
                "name": programme.name,
                "starts_on": programme.starts_on,
                "ends_on": programme.ends_on,
            }
        ),
        "pairing_import_form": forms.ImportForm(),
        "disbursement_import_form": forms.ImportForm(),
    }
    made.update(bound or {})
    return made


def _programme_context(request, programme: Programme) -> dict:
    # Coverage on a day of the reader's choice (?on=YYYY-MM-DD), today by default.
    day_form = forms.DayForm(request.GET or None)
    today = cleaned(day_form).get("on") or timezone.localdate()
    targets = list(
        selectors.targets_visible_to(request.user)
        .filter(programme=programme)
        .select_related("region", "organisation")
    )
    pairings = list(
        selectors.pairings_visible_to(request.user)
        .filter(programme=programme)
        .select_related("helper", "target__region")
        .order_by("since", "pk")
    )
    helping: dict[int, list] = defaultdict(list)
    helpers: dict[int, dict] = {}
    for pairing in pairings:
        if pairing.active_on(today):
            helping[pairing.target_id].append(pairing)
            entry = helpers.setdefault(pairing.helper_id, {"helper": pairing.helper, "targets": []})
            entry["targets"].append(pairing.target)
    rows = [{"target": t, "pairings": helping.get(t.pk, [])} for t in targets]
    by_helper = selectors.money_by(request.user, programme, by="helper")
    names = {p.helper_id: p.helper.name for p in pairings}
    by_township = selectors.money_by(request.user, programme, by="township")
    township_names = selectors.township_names(list(by_township))
    return {
        "programme": programme,
        "today": today,
        "day_form": day_form,
        "rows": rows,
        "covered": sum(1 for row in rows if row["pairings"]),
        "helpers": sorted(helpers.values(), key=lambda h: h["helper"].name),
        "history": [p for p in pairings if not p.active_on(today)],
        "money_by_township": [
            (township_names.get(code, code), money) for code, money in sorted(by_township.items())
        ],
        "money_by_helper": sorted(
            ((names.get(pk, f"#{pk}"), money) for pk, money in by_helper.items()),
            key=lambda item: item[0],
        ),
        "may_run": rights.may_run(request.user, programme)
        and request.user.has_role(*PROGRAMME_RUNNERS),
        "exchanges": selectors.exchanges_visible_to(request.user)
        .filter(pairing__programme=programme)
        .select_related(
            "pairing__helper", "pairing__target__region", "pairing__target__organisation"
        )
        .order_by("exchanged_on", "pk"),
        "labour_activities": selectors.labour_activities_visible_to(request.user)
        .filter(target__programme=programme)
        .select_related("target__region", "target__organisation", "pairing__helper")
        .order_by("held_on", "pk"),
        # The offices record for any visible pairing or partner region, a rep for its own.
        "may_record": request.user.has_role(*RECORDERS),
        "organisation": rights.organisation_of(request.user),
        "sends_people": programme.kind in EXCHANGE_KINDS,
        "is_labour": programme.kind == Kind.LABOUR_COOPERATION,
    }


def _record_forms(request, programme: Programme, bound: dict | None = None) -> dict:
    pairings = (
        selectors.pairings_visible_to(request.user)
        .filter(programme=programme)
        .select_related("helper", "target__region", "target__organisation")
    )
    targets = (
        selectors.targets_visible_to(request.user)
        .filter(programme=programme)
        .select_related("region", "organisation")
    )
    made = {
        "exchange_form": forms.ExchangeForm(pairings=pairings),
        "labour_form": forms.LabourForm(targets=targets),
    }
    made.update(bound or {})
    return made


def _render_programme(request, programme: Programme, bound: dict | None = None, status=200):
    context = _programme_context(request, programme)
    if context["may_run"]:
        context.update(_editor_forms(request, programme, bound))
        context.setdefault(
            "programme_form",
            forms.ProgrammeChangeForm(
                initial={
                    "name": programme.name,
                    "starts_on": programme.starts_on,
                    "ends_on": programme.ends_on,
                }
            ),
        )
    if context["may_record"]:
        context.update(_record_forms(request, programme, bound))
    return render(request, "programs/programme.html", context, status=status)


@allow(PROGRAMME_READERS)
def programme_page(request, programme_id: int):
    programme = selectors.access_programme(request.user, programme_id)
    return _render_programme(request, programme)


def _after(request, programme: Programme, form_name: str, form, run, anchor: str = "") -> object:
    """Run the action of a valid form and go back to the programme (at the anchor's
    section: on a phone the form lies far down the page), or show the page again with the
    form's errors."""
    if form.is_valid():
        try:
            message = run(form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, message)
            url = reverse("programs:programme", args=[programme.pk])
            return redirect(f"{url}#{anchor}" if anchor else url)
    return _render_programme(request, programme, {form_name: form}, status=400)


@require_POST
@allow(PROGRAMME_RUNNERS)
def add_targets(request, programme_id: int):
    programme = selectors.access_programme(request.user, programme_id)
    if "tag" in request.POST:
        form = forms.TagForm(request.POST)

        def run(data):
            added = actions.add_targets_by_tag(
                programme=programme, tag=data["tag"], by=request.user
            )
            return _("%(count)s villages added.") % {"count": len(added)}

        return _after(request, programme, "tag_form", form, run)
    form = forms.TargetForm(request.POST)

    def run_one(data):
        region = selectors.target_region(request.user, programme, data["region"])
        target = actions.add_target(programme=programme, region=region, by=request.user)
        return _("%(name)s added.") % {"name": str(target)}

    return _after(request, programme, "target_form", form, run_one)


@require_POST
@allow(PROGRAMME_RUNNERS)
def pair(request, programme_id: int):
    programme = selectors.access_programme(request.user, programme_id)
    form = forms.PairForm(
        request.POST,
        targets=programme.targets.select_related("region", "organisation"),
        helpers=organisations_visible_to(request.user).order_by("name"),
    )

    def run(data):
        target = selectors.access_target(request.user, data["target"])
        helper = selectors.helper_for(request.user, data["helper"])
        pairing = actions.pair(target=target, helper=helper, since=data["since"], by=request.user)
        return _("Paired: %(pairing)s.") % {"pairing": str(pairing)}

    return _after(request, programme, "pair_form", form, run)


def _open_pairings(request, programme):
    return (
        selectors.pairings_visible_to(request.user)
        .filter(programme=programme, until__isnull=True)
        .select_related("helper", "target__region", "target__organisation")
    )


@require_POST
@allow(PROGRAMME_RUNNERS)
def end_pairing(request, programme_id: int):
    programme = selectors.access_programme(request.user, programme_id)
    form = forms.EndForm(request.POST, pairings=_open_pairings(request, programme))

    def run(data):
        pairing = selectors.access_pairing(request.user, data["pairing"])
        actions.end_pairing(pairing=pairing, until=data["until"], by=request.user)
        return _("The pairing %(pairing)s ends on %(day)s.") % {
            "pairing": str(pairing),
            "day": data["until"].isoformat(),
        }

    return _after(request, programme, "end_form", form, run)


@require_POST
@allow(PROGRAMME_RUNNERS)
def change_pairing(request, programme_id: int):
    programme = selectors.access_programme(request.user, programme_id)
    form = forms.ChangeForm(
        request.POST,
        pairings=_open_pairings(request, programme),
        helpers=organisations_visible_to(request.user).order_by("name"),
    )

    def run(data):
        pairing = selectors.access_pairing(request.user, data["pairing"])
        helper = selectors.helper_for(request.user, data["helper"])
        new = actions.change_pairing(pairing=pairing, on=data["on"], helper=helper, by=request.user)
        return _("From %(day)s: %(pairing)s.") % {"day": new.since.isoformat(), "pairing": new}

    return _after(request, programme, "change_form", form, run)


@allow(PROGRAMME_READERS)
def programme_export(request, programme_id: int):
    programme = selectors.access_programme(request.user, programme_id)
    context = _programme_context(request, programme)
    return xlsx_response(export_programme(context), f"programme-{programme.pk}.xlsx")


# --- Recording pledges and disbursements; the office's review ---------------------------------


def _money_pairings(request):
    return (
        selectors.pairings_visible_to(request.user)
        .filter(until__isnull=True)
        .select_related("helper", "target__region", "target__organisation")
        .order_by("programme_id", "pk")
    )


def _record_page(request, pledge_form=None, disbursement_form=None, status=200):
    pairings = _money_pairings(request)
    context = {
        "pledge_form": pledge_form or forms.PledgeForm(pairings=pairings),
        "disbursement_form": disbursement_form or forms.DisbursementForm(pairings=pairings),
        "pledges": selectors.pledges_visible_to(request.user)
        .select_related("pairing__helper", "pairing__target__region")
        .order_by("-pk")[:20],
        "disbursements": selectors.disbursements_visible_to(request.user)
        .select_related("pairing__helper", "pairing__target__region")
        .prefetch_related("evidence")
        .order_by("-pk")[:20],
        "organisation": rights.organisation_of(request.user),
        # Exchanges and labour activities are recorded on their programme's page.
        "people_programmes": selectors.programmes_visible_to(request.user)
        .filter(kind__in=EXCHANGE_KINDS | {Kind.LABOUR_COOPERATION})
        .order_by("name", "pk")[:50],
    }
    return render(request, "programs/record.html", context, status=status)


@allow(RECORDERS)
def record(request):
    return _record_page(request)


@require_POST
@allow(RECORDERS)
def record_pledge(request):
    form = forms.PledgeForm(request.POST, pairings=_money_pairings(request))
    if form.is_valid():
        data = form.cleaned_data
        try:
            pledge = actions.record_pledge(
                pairing=selectors.access_pairing(request.user, data["pairing"]),
                amount_fen=forms.fen(data["amount"]),
                purpose=data["purpose"],
                pledged_on=data["pledged_on"],
                by=request.user,
            )
        except ValidationError as exc:
            show_errors(form, exc, rename=MONEY)
        else:
            messages.success(request, _pending_or_recorded(pledge))
            return redirect("programs:record")
    return _record_page(request, pledge_form=form, status=400)


@require_POST
@allow(RECORDERS)
def record_disbursement(request):
    form = forms.DisbursementForm(request.POST, request.FILES, pairings=_money_pairings(request))
    if form.is_valid():
        data = form.cleaned_data
        try:
            disbursement = actions.record_disbursement(
                pairing=selectors.access_pairing(request.user, data["pairing"]),
                kind=data["kind"],
                amount_fen=forms.fen(data["amount"]),
                description=data["description"],
                disbursed_on=data["disbursed_on"],
                evidence=request.FILES.getlist("evidence"),
                excess_reason=data["excess_reason"],
                by=request.user,
            )
        except ValidationError as exc:
            show_errors(form, exc, rename=MONEY)
        else:
            messages.success(request, _pending_or_recorded(disbursement))
            return redirect("programs:record")
    return _record_page(request, disbursement_form=form, status=400)


def _pending_or_recorded(item) -> str:
    if item.status == Review.PENDING:
        return _("Recorded; it counts once the office has reviewed it.")
    return _("Recorded.")


@allow(RECORD_KEEPERS)
def review(request):
    """The one review page of what organisations recorded: pledges, disbursements,
    exchanges and labour activities."""
    queue = selectors.review_queue(request.user)
    context = {
        "pledges": queue.pledges,
        "disbursements": queue.disbursements.prefetch_related("evidence"),
        "exchanges": queue.exchanges,
        "labour_activities": queue.labour_activities,
    }
    return render(request, "programs/review.html", context)


def _review(request, item, kind: str, act):
    """Accept or reject; htmx gets the item back in place, a plain form the page again."""
    form = forms.ReviewForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            item = act(accept=form.cleaned_data["accept"], note=form.cleaned_data["note"])
        except ValidationError as exc:
            errors = exc.messages
    else:
        errors = [e for field_errors in form.errors.values() for e in field_errors]
    if wants_fragment(request):
        context = {"item": item, "kind": kind, "errors": errors}
        return render(request, "programs/_review_item.html", context, status=400 if errors else 200)
    for message in errors:
        messages.error(request, message)
    if not errors:
        messages.success(request, _("Reviewed."))
    return redirect(reverse("programs:review"))


@require_POST
@allow(RECORD_KEEPERS)
def review_pledge(request, pledge_id: int):
    pledge = selectors.access_pledge(request.user, pledge_id)
    return _review(
        request,
        pledge,
        "pledge",
        lambda **kw: actions.review_pledge(pledge=pledge, by=request.user, **kw),
    )


@require_POST
@allow(RECORD_KEEPERS)
def review_disbursement(request, disbursement_id: int):
    item = selectors.access_disbursement(request.user, disbursement_id)
    return _review(
        request,
        item,
        "disbursement",
        lambda **kw: actions.review_disbursement(disbursement=item, by=request.user, **kw),
    )


@require_POST
@allow(RECORD_KEEPERS)
def review_exchange(request, exchange_id: int):
    item = selectors.access_exchange(request.user, exchange_id)
    return _review(
        request,
        item,
        "exchange",
        lambda **kw: actions.review_exchange(exchange=item, by=request.user, **kw),
    )


@require_POST
@allow(RECORD_KEEPERS)
def review_labour_activity(request, activity_id: int):
    item = selectors.access_labour_activity(request.user, activity_id)
    return _review(
        request,
        item,
        "labour",
        lambda **kw: actions.review_labour_activity(activity=item, by=request.user, **kw),
    )


@allow(PROGRAMME_READERS)
def evidence_photo(request, evidence_id: int):
    """A disbursement's photo, to the staff who see the disbursement and its helper's rep."""
    evidence = selectors.access_evidence(request.user, evidence_id)
    try:
        photo = evidence.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    kind = photos.content_type(photo.read(12)) or "application/octet-stream"
    photo.seek(0)
    response = FileResponse(photo, content_type=kind)
    add_never_cache_headers(response)
    response["Cache-Control"] += ", private"
    return response


def _import_view(request, programme_id: int, *, read, write, form_name: str):
    programme = selectors.access_programme(request.user, programme_id)
    form = forms.ImportForm(request.POST, request.FILES)
    result = None
    if form.is_valid():
        parsed = read_upload(
            form, lambda upload: read(upload, programme=programme, by=request.user)
        )
        if parsed is not None:
            result = write(programme=programme, parsed=parsed, by=request.user)
            if result.ok:
                messages.success(
                    request, _("%(count)s rows imported.") % {"count": result.imported}
                )
                return redirect("programs:programme", programme.pk)
    bound = {form_name: form, "import_errors": result.errors if result else []}
    return _render_programme(request, programme, bound, status=400)


@require_POST
@allow(PROGRAMME_RUNNERS)
def import_pairings(request, programme_id: int):
    return _import_view(
        request,
        programme_id,
        read=imports.read_pairings,
        write=actions.import_pairings,
        form_name="pairing_import_form",
    )


@require_POST
@allow(PROGRAMME_RUNNERS)
def import_disbursements(request, programme_id: int):
    return _import_view(
        request,
        programme_id,
        read=imports.read_disbursements,
        write=actions.import_disbursements,
        form_name="disbursement_import_form",
    )


@require_POST
@allow(PROGRAMME_RUNNERS)
def programme_edit(request, programme_id: int):
    programme = selectors.access_programme(request.user, programme_id)
    form = forms.ProgrammeChangeForm(request.POST)

    def run(data):
        actions.edit_programme(
            programme=programme,
            name=data["name"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            by=request.user,
        )
        return _("Saved.")

    return _after(request, programme, "programme_form", form, run)


@require_POST
@allow(RECORDERS)
def record_exchange(request, programme_id: int):
    programme = selectors.access_programme(request.user, programme_id)
    form = forms.ExchangeForm(
        request.POST,
        pairings=selectors.pairings_visible_to(request.user).filter(programme=programme),
    )

    def run(data):
        exchange = actions.record_exchange(
            pairing=selectors.access_pairing(request.user, data["pairing"]),
            people=data["people"],
            exchanged_on=data["exchanged_on"],
            direction=data["direction"],
            note=data["note"],
            by=request.user,
        )
        return _pending_or_recorded(exchange)

    return _after(request, programme, "exchange_form", form, run, anchor="exchanges")


@require_POST
@allow(RECORDERS)
def record_labour_activity(request, programme_id: int):
    programme = selectors.access_programme(request.user, programme_id)
    form = forms.LabourForm(
        request.POST,
        targets=selectors.targets_visible_to(request.user).filter(programme=programme),
    )

    def run(data):
        activity = actions.record_labour_activity(
            target=selectors.access_target(request.user, data["target"]),
            kind=data["kind"],
            held_on=data["held_on"],
            people_placed=data["people_placed"],
            note=data["note"],
            by=request.user,
        )
        return _pending_or_recorded(activity)

    return _after(request, programme, "labour_form", form, run, anchor="labour")
