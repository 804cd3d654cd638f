"""Consumption assistance through the API, under /api/v1/commerce/: suppliers and their
certification, products and the pavilion, sales (listed, recorded, imported) and budget
units' procurement targets with their attainment.

Every list is cut to the caller's region (an organisation's representative: its own
organisation). A household seller is named as the public pages name households, by its
head's surname and stars and its village; no ID or phone number is in any answer. The
pavilion's list is public.
"""

import datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from tongxing.access import allow, public
from tongxing.commerce import actions, rights, selectors
from tongxing.commerce import jobs as commerce_jobs
from tongxing.commerce.models import Category, Channel, Criterion
from tongxing.jobs.api import JobOut, job_out
from tongxing.jobs.models import JobStatus
from tongxing.paging import Pages
from tongxing.registry import selectors as registry_selectors
from tongxing.tabular import read_upload_for_api

router = Router(tags=["commerce"])
# Far above any real amount (¥10 billion in fen): beyond it a 64-bit column overflows.
LARGEST = 10**12


# --- Schemas ----------------------------------------------------------------------------------


class SupplierOut(Schema):
    id: int
    name: str
    kind: str = Field(description="organisation or household")
    organisation: int | None = Field(None, alias="organisation_id")
    registry_number: str = Field("", description="a household seller's registry number")
    region: str = Field(alias="region_id")
    certified_today: bool

    @staticmethod
    def resolve_name(obj) -> str:
        return selectors.seller_name(obj, getattr(obj, "head_name", None))

    @staticmethod
    def resolve_kind(obj) -> str:
        return "household" if obj.household_id else "organisation"

    @staticmethod
    def resolve_registry_number(obj) -> str:
        return obj.household.registry_number if obj.household_id else ""


class CertificationOut(Schema):
    id: int
    criterion: str
    certified_on: datetime.date
    revoked_on: datetime.date | None
    revoke_reason: str


class SupplierDetailOut(SupplierOut):
    certifications: list[CertificationOut]

    @staticmethod
    def resolve_certifications(obj) -> list:
        return list(selectors.certifications_of(obj))


class SupplierIn(Schema):
    organisation: int | None = None
    household: int | None = None


class CertifyIn(Schema):
    criterion: Criterion
    certified_on: datetime.date


class RevokeIn(Schema):
    revoked_on: datetime.date
    reason: str = Field(max_length=200)


class ProductOut(Schema):
    id: int
    supplier: int = Field(alias="supplier_id")
    seller: str
    name: str
    category: str
    unit: str
    price_fen: int
    certified: bool
    certified_on: datetime.date | None

    @staticmethod
    def resolve_seller(obj) -> str:
        return selectors.seller_name(obj.supplier, getattr(obj, "head_name", None))


class ProductIn(Schema):
    supplier: int
    name: str = Field(max_length=100)
    category: Category
    unit: str = Field(max_length=20)
    price_fen: int = Field(ge=0, le=LARGEST)
    certified_on: datetime.date | None = None


class ListingIn(Schema):
    listed_from: datetime.date


class UnlistingIn(Schema):
    listed_until: datetime.date


class PavilionProductOut(Schema):
    """A product of the pavilion as the public sees it: no personal data."""

    id: int
    name: str
    category: str
    category_label: str
    unit: str
    price_fen: int
    seller: str

    @staticmethod
    def resolve_category_label(obj) -> str:
        return obj.get_category_display()

    @staticmethod
    def resolve_seller(obj) -> str:
        return selectors.seller_name(obj.supplier, getattr(obj, "head_name", None))


class SaleOut(Schema):
    id: int
    channel: str
    sold_on: datetime.date
    seller: int = Field(alias="seller_id")
    seller_name: str
    buyer: int | None = Field(None, alias="buyer_id")
    buyer_name: str
    event: int | None = Field(None, alias="event_id", description="the fair, for a fair sale")
    event_title: str
    amount_fen: int
    orders: int
    quantity: int
    source: str
    region: str = Field(alias="region_id")

    @staticmethod
    def resolve_seller_name(obj) -> str:
        return selectors.seller_name(obj.seller, getattr(obj, "head_name", None))

    @staticmethod
    def resolve_buyer_name(obj) -> str:
        return obj.buyer.name if obj.buyer_id else ""

    @staticmethod
    def resolve_event_title(obj) -> str:
        return obj.event.title if obj.event_id else ""


class SaleIn(Schema):
    seller: int
    channel: Channel
    sold_on: datetime.date
    amount_fen: int = Field(ge=1, le=LARGEST)
    orders: int = Field(0, ge=0, le=2_000_000_000)
    quantity: int = Field(0, ge=0, le=2_000_000_000)
    buyer: int | None = None
    event: int | None = Field(
        None, description="the fair (an event of kind fair): required for the fair channels"
    )


class SalesFilters(Schema):
    channel: Channel | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    month: str = Field("", pattern=r"^(\d{4}-(0[1-9]|1[0-2]))?$", description="YYYY-MM")
    seller: int | None = None
    event: int | None = None


class ChannelMonthOut(Schema):
    channel: str
    month: int
    amount_fen: int
    orders: int
    sales: int


class YearFilter(Schema):
    year: int = Field(ge=2000, le=2100)


class TargetOut(Schema):
    id: int
    budget_unit: int
    budget_unit_name: str
    year: int
    canteen_spending_fen: int
    reserved_share_bp: int
    target_fen: int
    purchased_fen: int
    attainment_bp: int | None


class TargetIn(Schema):
    budget_unit: int
    year: int = Field(ge=2000, le=2100)
    canteen_spending_fen: int = Field(ge=1, le=LARGEST)
    reserved_share_bp: int = Field(ge=1, le=10000)


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportOut(Schema):
    ok: bool
    rows_read: int
    rows_imported: int
    rows_on_file: int
    amount_fen: int
    errors: list[RowErrorOut] = Field(description="the first 1,000 faults")
    error_count: int


class FileErrorOut(Schema):
    detail: str
    errors: list[dict]


def _target_out(row: selectors.Attainment) -> dict:
    t = row.target
    return {
        "id": t.pk,
        "budget_unit": t.budget_unit_id,
        "budget_unit_name": t.budget_unit.name,
        "year": t.year,
        "canteen_spending_fen": t.canteen_spending_fen,
        "reserved_share_bp": t.reserved_share_bp,
        "target_fen": row.target_fen,
        "purchased_fen": row.purchased_fen,
        "attainment_bp": row.attainment_bp,
    }


# --- Suppliers --------------------------------------------------------------------------------


@router.get("/commerce/suppliers", response=list[SupplierOut], summary="Suppliers of my region")
@allow(rights.COMMERCE_READERS)
@paginate(Pages, page_size=50)
def list_suppliers(request):
    return selectors.suppliers_visible_to(request.user)


@router.post(
    "/commerce/suppliers",
    response={201: SupplierDetailOut},
    summary="Register an enterprise or cooperative, or a registered household, as a supplier",
)
@allow(rights.SUPPLIER_KEEPERS)
def register_supplier(request, payload: SupplierIn):
    organisation = household = None
    if payload.organisation is not None:
        organisation = registry_selectors.access_organisation(request.user, payload.organisation)
    if payload.household is not None:
        household = registry_selectors.access_household(request.user, payload.household)
    supplier = actions.register_supplier(
        organisation=organisation, household=household, by=request.user
    )
    return 201, selectors.access_supplier(request.user, supplier.pk)


@router.get(
    "/commerce/suppliers/{supplier_id}",
    response=SupplierDetailOut,
    summary="A supplier with the history of its certification",
)
@allow(rights.COMMERCE_READERS)
def get_supplier(request, supplier_id: int):
    return selectors.access_supplier(request.user, supplier_id)


@router.post(
    "/commerce/suppliers/{supplier_id}/certifications",
    response={201: SupplierDetailOut},
    summary="Certify a supplier from a date, by a criterion",
)
@allow(rights.CERTIFIERS)
def certify(request, supplier_id: int, payload: CertifyIn):
    supplier = selectors.access_supplier(request.user, supplier_id)
    actions.certify_supplier(
        supplier=supplier,
        criterion=payload.criterion,
        certified_on=payload.certified_on,
        by=request.user,
    )
    return 201, selectors.access_supplier(request.user, supplier_id)


@router.post(
    "/commerce/suppliers/{supplier_id}/revocation",
    response=SupplierDetailOut,
    summary="Revoke a supplier's certification from a date (its earlier sales still count)",
)
@allow(rights.CERTIFIERS)
def revoke(request, supplier_id: int, payload: RevokeIn):
    supplier = selectors.access_supplier(request.user, supplier_id)
    actions.revoke_certification(
        supplier=supplier, revoked_on=payload.revoked_on, reason=payload.reason, by=request.user
    )
    return selectors.access_supplier(request.user, supplier_id)


# --- Products and the pavilion ----------------------------------------------------------------


@router.get("/commerce/products", response=list[ProductOut], summary="Products of my region")
@allow(rights.COMMERCE_READERS)
@paginate(Pages, page_size=50)
def list_products(request):
    return selectors.products_visible_to(request.user)


@router.post("/commerce/products", response={201: ProductOut}, summary="Add a product")
@allow(rights.SALES_RECORDERS)
def add_product(request, payload: ProductIn):
    supplier = selectors.access_supplier(request.user, payload.supplier)
    product = actions.add_product(
        supplier=supplier,
        name=payload.name,
        category=payload.category,
        unit=payload.unit,
        price_fen=payload.price_fen,
        certified_on=payload.certified_on,
        by=request.user,
    )
    return 201, selectors.access_product(request.user, product.pk)


@router.post(
    "/commerce/products/{product_id}/listing",
    response={201: ProductOut},
    summary="List a product in the special-products pavilion from a date",
)
@allow(rights.PAVILION_KEEPERS)
def list_product(request, product_id: int, payload: ListingIn):
    product = selectors.access_product(request.user, product_id)
    actions.list_in_pavilion(product=product, listed_from=payload.listed_from, by=request.user)
    return 201, product


@router.post(
    "/commerce/products/{product_id}/unlisting",
    response=ProductOut,
    summary="Take a product out of the pavilion (listed_until: its last day there)",
)
@allow(rights.PAVILION_KEEPERS)
def unlist_product(request, product_id: int, payload: UnlistingIn):
    product = selectors.access_product(request.user, product_id)
    actions.unlist_from_pavilion(
        product=product, listed_until=payload.listed_until, by=request.user
    )
    return product


@router.get(
    "/commerce/pavilion",
    response=list[PavilionProductOut],
    auth=None,
    summary="The special-products pavilion today (public)",
)
@public
@paginate(Pages, page_size=50)
def pavilion(request):
    return selectors.pavilion_products(on=timezone.localdate())


# --- Sales ------------------------------------------------------------------------------------


@router.get(
    "/commerce/sales",
    response=list[SaleOut],
    summary="Sales of my region (a rep: of its organisation), newest first",
)
@allow(rights.COMMERCE_READERS)
@paginate(Pages, page_size=50)
def list_sales(request, filters: Query[SalesFilters]):
    return selectors.search_sales(
        request.user,
        channel=filters.channel or "",
        date_from=filters.date_from,
        date_to=filters.date_to,
        month=filters.month,
        seller=filters.seller,
        event=filters.event,
    )


@router.post("/commerce/sales", response={201: SaleOut}, summary="Record a sale")
@allow(rights.SALES_RECORDERS)
def record_sale(request, payload: SaleIn):
    seller = selectors.access_supplier(request.user, payload.seller)
    buyer = None
    if payload.buyer is not None:
        buyer = get_object_or_404(selectors.budget_units_visible_to(request.user), pk=payload.buyer)
    event = None
    if payload.event is not None:
        event = selectors.fairs_for_sales(request.user).filter(pk=payload.event).first()
        if event is None:
            raise ValidationError(
                {"event": [_("No fair %(id)d that your sales may name.") % {"id": payload.event}]}
            )
    sale = actions.record_sale(
        seller=seller,
        channel=payload.channel,
        sold_on=payload.sold_on,
        amount_fen=payload.amount_fen,
        orders=payload.orders,
        quantity=payload.quantity,
        buyer=buyer,
        event=event,
        by=request.user,
    )
    return 201, selectors.access_sale(request.user, sale.pk)


@router.get(
    "/commerce/sales/by-month",
    response=list[ChannelMonthOut],
    summary="Assistance sales of a year (sellers certified on the day) by channel and month",
)
@allow(rights.COMMERCE_READERS)
def sales_by_month(request, filters: Query[YearFilter]):
    return selectors.sales_by_channel_and_month(request.user, filters.year)


@router.post(
    "/commerce/sales/import",
    response={200: ImportOut, 202: JobOut, 400: ImportOut, 413: FileErrorOut},
    summary="Import sales (.xlsx, .xls, .csv): all or nothing; the same file again adds "
    "nothing; a large file is imported in the background (202 and the job to follow)",
)
@allow(rights.SALES_RECORDERS)
def import_sales_file(request, file: File[UploadedFile], dry_run: Form[bool] = False):
    job, refused = read_upload_for_api(
        lambda: commerce_jobs.import_sales_file(
            upload=file, filename=file.name, by=request.user, dry_run=dry_run
        )
    )
    if refused:
        return refused
    if not job.finished:
        return 202, job_out(job)
    if job.status == JobStatus.FAILED:
        raise HttpError(400, job.error)
    return (200 if job.result["ok"] else 400), job.result


# --- Procurement ------------------------------------------------------------------------------


@router.get(
    "/commerce/procurement/targets",
    response=list[TargetOut],
    summary="Budget units' procurement targets of a year, with their attainment",
)
@allow(rights.COMMERCE_READERS)
def list_targets(request, filters: Query[YearFilter]):
    return [
        _target_out(row) for row in selectors.procurement_attainment(request.user, filters.year)
    ]


@router.put(
    "/commerce/procurement/targets",
    response=TargetOut,
    summary="Set a budget unit's procurement target of a year (share in basis points)",
)
@allow(rights.TARGET_SETTERS)
def set_target(request, payload: TargetIn):
    unit = get_object_or_404(
        selectors.budget_units_visible_to(request.user), pk=payload.budget_unit
    )
    actions.set_procurement_target(
        budget_unit=unit,
        year=payload.year,
        canteen_spending_fen=payload.canteen_spending_fen,
        reserved_share_bp=payload.reserved_share_bp,
        by=request.user,
    )
    [row] = [
        r
        for r in selectors.procurement_attainment(request.user, payload.year)
        if r.target.budget_unit_id == unit.pk
    ]
    return _target_out(row)
