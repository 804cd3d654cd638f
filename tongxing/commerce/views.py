"""The pages of consumption assistance: suppliers and their products, sales (list, record,
import, export), procurement attainment, and the public page of the pavilion.

Each page validates, calls one action or selector, and renders; what a page may offer comes
from `rights.py`, and every list is cut to the account's scope by the selectors.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongxing.access import allow, public
from tongxing.commerce import actions, exports, rights, selectors
from tongxing.commerce import jobs as sales_jobs
from tongxing.commerce.forms import (
    CertifyForm,
    ListingForm,
    ProductForm,
    RevokeForm,
    SaleForm,
    SalesFilterForm,
    SalesImportForm,
    SupplierForm,
    TargetForm,
    YearForm,
)
from tongxing.commerce.models import Channel
from tongxing.jobs import actions as jobs_actions
from tongxing.jobs import selectors as jobs_selectors
from tongxing.jobs.models import JobStatus
from tongxing.pages import cleaned, follow_job, read_upload, show_errors, wants_fragment
from tongxing.paging import page_of
from tongxing.registry import selectors as registry_selectors
from tongxing.tabular import xlsx_response

PAGE_SIZE = 50


def _status(request, form) -> int:
    return 400 if request.method == "POST" and form.errors else 200


# --- Suppliers and products -------------------------------------------------------------------


@allow(rights.COMMERCE_READERS)
def supplier_list(request):
    suppliers = (
        selectors.suppliers_visible_to(request.user)
        .annotate(product_count=Count("products", distinct=True))
        .order_by("pk")
    )
    page = page_of(request, suppliers, PAGE_SIZE)
    rows = [
        {
            "supplier": s,
            "name": selectors.seller_name(s, s.head_name),
            "certified": s.certified_today,
        }
        for s in page
    ]
    context = {"page": page, "rows": rows, "can_register": rights.keeps_suppliers(request.user)}
    return render(request, "commerce/supplier_list.html", context)


@allow(rights.SUPPLIER_KEEPERS)
def supplier_create(request):
    form = SupplierForm(
        request.POST or None,
        organisations=selectors.sellers_organisations_visible_to(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        household = None
        number = data["registry_number"].strip()
        if number:
            household = (
                registry_selectors.households_visible_to(request.user)
                .filter(registry_number=number)
                .first()
            )
            if household is None:
                form.add_error("registry_number", _("No household of your region has it."))
        if not form.errors:
            try:
                supplier = actions.register_supplier(
                    organisation=data["organisation"], household=household, by=request.user
                )
            except ValidationError as exc:
                show_errors(form, exc)
            else:
                messages.success(request, _("The supplier is registered."))
                return redirect("commerce:supplier", supplier.pk)
    context = {
        "title": _("Register a supplier"),
        "form": form,
        "submit": _("Register"),
        "cancel": reverse("commerce:suppliers"),
    }
    return render(request, "commerce/form.html", context, status=_status(request, form))


@allow(rights.COMMERCE_READERS)
def supplier_detail(request, supplier_id: int):
    supplier = selectors.access_supplier(request.user, supplier_id)
    today = timezone.localdate()
    products = list(selectors.products_visible_to(request.user).filter(supplier=supplier))
    listed = set(
        selectors.pavilion_products(on=today).filter(supplier=supplier).values_list("pk", flat=True)
    )
    context = {
        "supplier": supplier,
        "name": selectors.seller_name(supplier, supplier.head_name),
        "certified": supplier.certified_today,
        "certifications": selectors.certifications_of(supplier),
        "products": [{"product": p, "listed": p.pk in listed} for p in products],
        "can_certify": rights.may_certify(request.user, supplier),
        "can_record": rights.may_record_for(request.user, supplier),
        "can_list": rights.may_keep_pavilion(request.user, supplier),
        "certify_form": CertifyForm(initial={"certified_on": today}),
        "revoke_form": RevokeForm(initial={"revoked_on": today}),
        "product_form": ProductForm(),
        "listing_form": ListingForm(initial={"day": today}, auto_id=False),
    }
    return render(request, "commerce/supplier_detail.html", context)


def _back_to(supplier_id: int):
    return redirect("commerce:supplier", supplier_id)


def _refused(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@require_POST
@allow(rights.CERTIFIERS)
def supplier_certify(request, supplier_id: int):
    supplier = selectors.access_supplier(request.user, supplier_id)
    form = CertifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the criterion and the date."))
        return _back_to(supplier.pk)
    try:
        actions.certify_supplier(
            supplier=supplier,
            criterion=form.cleaned_data["criterion"],
            certified_on=form.cleaned_data["certified_on"],
            by=request.user,
        )
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The supplier is certified."))
    return _back_to(supplier.pk)


@require_POST
@allow(rights.CERTIFIERS)
def supplier_revoke(request, supplier_id: int):
    supplier = selectors.access_supplier(request.user, supplier_id)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date and the reason."))
        return _back_to(supplier.pk)
    try:
        actions.revoke_certification(
            supplier=supplier,
            revoked_on=form.cleaned_data["revoked_on"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The certification is revoked."))
    return _back_to(supplier.pk)


@allow(rights.SALES_RECORDERS)
def product_create(request, supplier_id: int):
    supplier = selectors.access_supplier(request.user, supplier_id)
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_product(
                supplier=supplier,
                name=data["name"],
                category=data["category"],
                unit=data["unit"],
                price_fen=form.price_fen(),
                certified_on=data["certified_on"],
                by=request.user,
            )
        except ValidationError as exc:
            show_errors(form, exc, rename={"price_fen": "price"})
        else:
            messages.success(request, _("The product is added."))
            return _back_to(supplier.pk)
    context = {
        "title": _("Add a product"),
        "form": form,
        "submit": _("Add the product"),
        "cancel": reverse("commerce:supplier", args=[supplier.pk]),
    }
    return render(request, "commerce/form.html", context, status=_status(request, form))


@require_POST
@allow(rights.PAVILION_KEEPERS)
def product_listing(request, product_id: int):
    product = selectors.access_product(request.user, product_id)
    form = ListingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date."))
        return _back_to(product.supplier_id)
    day = form.cleaned_data["day"]
    try:
        if request.POST.get("unlist"):
            actions.unlist_from_pavilion(product=product, listed_until=day, by=request.user)
        else:
            actions.list_in_pavilion(product=product, listed_from=day, by=request.user)
    except ValidationError as exc:
        _refused(request, exc)
    return _back_to(product.supplier_id)


# --- Sales ------------------------------------------------------------------------------------


def _filtered_sales(request):
    form = SalesFilterForm(request.GET or None)
    data = cleaned(form)
    seller = request.GET.get("seller", "")
    event = request.GET.get("event", "")
    sales = selectors.search_sales(
        request.user,
        channel=data.get("channel") or "",
        month=data.get("month") or "",
        seller=_id(seller),
        event=_id(event),
    )
    return form, sales


def _id(text: str) -> int | None:
    """A record's id typed in the address (?seller=12), else no filter."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


@allow(rights.COMMERCE_READERS)
def sale_list(request):
    form, sales = _filtered_sales(request)
    totals = {
        row["channel"]: row
        for row in sales.order_by()
        .values("channel")
        .annotate(amount=Sum("amount_fen"), n=Count("pk"))
    }
    page = page_of(request, sales, PAGE_SIZE)
    context = {
        "form": form,
        "page": page,
        "rows": [{"sale": s, "seller": selectors.seller_name(s.seller, s.head_name)} for s in page],
        "totals": [
            {"label": label, "amount": totals[value]["amount"], "count": totals[value]["n"]}
            for value, label in Channel.choices
            if value in totals
        ],
        "can_record": rights.records_sales(request.user),
        "query": request.GET.urlencode(),
    }
    return render(request, "commerce/sale_list.html", context)


@allow(rights.SALES_RECORDERS)
def sale_create(request):
    sellers = selectors.suppliers_visible_to(request.user)
    form = SaleForm(
        request.POST or None,
        sellers=sellers,
        buyers=selectors.budget_units_visible_to(request.user),
        fairs=selectors.fairs_for_sales(request.user),
        initial={"sold_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_sale(
                seller=data["seller"],
                channel=data["channel"],
                sold_on=data["sold_on"],
                amount_fen=form.amount_fen(),
                orders=data["orders"] or 0,
                quantity=data["quantity"] or 0,
                buyer=data["buyer"],
                event=data["event"],
                by=request.user,
            )
        except ValidationError as exc:
            show_errors(form, exc, rename={"amount_fen": "amount"})
        else:
            messages.success(request, _("The sale is recorded."))
            return redirect("commerce:sales")
    context = {
        "title": _("Record a sale"),
        "form": form,
        "submit": _("Record the sale"),
        "cancel": reverse("commerce:sales"),
    }
    return render(request, "commerce/form.html", context, status=_status(request, form))


def _render_import_job(request, job, template: str, extra: dict | None = None):
    """A sales import's job: its progress while it runs (the part the page polls), its
    result when done."""
    result = job.result or {}
    context = {**jobs_selectors.job_state(job), "result": result, **(extra or {})}
    if wants_fragment(request) and request.method == "GET":
        template = "commerce/_sale_import_job.html"
    failed = job.status == JobStatus.FAILED or not result.get("ok", True)
    status = 400 if request.method == "POST" and failed else 200
    response = render(request, template, context, status=status)
    add_never_cache_headers(response)
    return response


@allow(rights.SALES_RECORDERS)
def sale_import(request):
    """Upload a sales file: checked row by row, imported whole or not at all; a large file
    is imported in the background and the page follows it."""
    form = SalesImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = read_upload(
            form,
            lambda upload: sales_jobs.import_sales_file(
                upload=upload,
                filename=upload.name,
                by=request.user,
                dry_run=form.cleaned_data["dry_run"],
            ),
        )
        if job is not None:
            if not job.finished:
                return follow_job(request, "commerce:sale_import_job", job)
            return _render_import_job(request, job, "commerce/sale_import.html", {"form": form})
    status = 400 if form.errors else 200
    return render(request, "commerce/sale_import.html", {"form": form}, status=status)


@allow(rights.SALES_RECORDERS)
def sale_import_job(request, job_id: int):
    """Follow a sales import in the background; its result when done."""
    job = jobs_selectors.access_job(request.user, job_id, kind=sales_jobs.IMPORT)
    job = jobs_actions.settle_stale(job=job)
    return _render_import_job(request, job, "commerce/sale_import_job.html")


@allow(rights.COMMERCE_READERS)
def sale_export(request):
    _form, sales = _filtered_sales(request)
    return xlsx_response(exports.export_sales(sales), "sales.xlsx")


# --- Procurement ------------------------------------------------------------------------------


@allow(rights.COMMERCE_READERS)
def procurement(request):
    year = cleaned(YearForm(request.GET or None)).get("year") or timezone.localdate().year
    budget_units = selectors.budget_units_visible_to(request.user)
    form = TargetForm(request.POST or None, budget_units=budget_units, initial={"year": year})
    can_set = rights.sets_targets(request.user)
    if request.method == "POST":
        if not can_set:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.set_procurement_target(
                    budget_unit=data["budget_unit"],
                    year=data["year"],
                    canteen_spending_fen=form.spending_fen(),
                    reserved_share_bp=form.share_bp(),
                    by=request.user,
                )
            except ValidationError as exc:
                show_errors(
                    form,
                    exc,
                    rename={
                        "canteen_spending_fen": "canteen_spending",
                        "reserved_share_bp": "reserved_share",
                    },
                )
            else:
                messages.success(request, _("The target is set."))
                return redirect(f"{reverse('commerce:procurement')}?year={data['year']}")
    context = {
        "year": year,
        "rows": selectors.procurement_attainment(request.user, year),
        "form": form if can_set else None,
    }
    return render(request, "commerce/procurement.html", context, status=_status(request, form))


# --- The public pavilion ----------------------------------------------------------------------


@public
def pavilion(request):
    """The special-products pavilion today: products and who sells them, no personal data."""
    products = selectors.pavilion_products(on=timezone.localdate())
    page = page_of(request, products, PAGE_SIZE)
    rows = [{"product": p, "seller": selectors.seller_name(p.supplier, p.head_name)} for p in page]
    return render(request, "commerce/pavilion.html", {"page": page, "rows": rows})
