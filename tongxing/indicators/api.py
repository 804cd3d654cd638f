"""The indicators through the API: every code of the catalogue for a region of the
caller's (default: their own) and a period, as the command prints them."""

import datetime
from typing import Literal

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from tongxing.access import FIGURE_APPROVERS, REGION_SCOPED_ROLES, allow
from tongxing.indicators import actions, approvals, engine, selectors
from tongxing.indicators.forms import LEVELS, default_level
from tongxing.paging import Pages
from tongxing.regions.selectors import access_region_by_code

router = Router(tags=["indicators"])


class IndicatorFilters(Schema):
    region: str | None = Field(None, pattern=r"^\d{12}$", description="default: my region")
    year: int | None = Field(None, description="a year (this year: to today)")
    start: datetime.date | None = Field(None, alias="from", description="first day")
    end: datetime.date | None = Field(None, alias="to", description="last day")


class FigureOut(Schema):
    value: int | float | str | None
    display: str
    unit: str
    state: str = Field(..., description="computed or not_recorded")


@router.get(
    "/indicators",
    response=dict[str, FigureOut],
    summary="Every indicator of the catalogue for a region of mine and a period, then each "
    "e-commerce training's (ecommerce.training.<id>.*)",
)
@allow(REGION_SCOPED_ROLES)
def indicators(request, filters: Query[IndicatorFilters]):
    region = selectors.region_asked(request.user, filters.region)
    period = _period(filters)
    start, end = period.start, period.end
    return engine.as_json(
        engine.compute(region.prefix, start, end), engine.trainings(region.prefix, start, end)
    )


class RecordOut(Schema):
    id: int | str
    values: dict[str, str] = Field(..., description="each column's text, by column key")


def _period(filters: IndicatorFilters) -> engine.Period:
    return engine.period_of(
        year=filters.year, start=filters.start, end=filters.end, today=timezone.localdate()
    )


@router.get(
    "/indicators/by",
    response=dict[str, dict[str, FigureOut]],
    summary="Every indicator for each city, township or village of a region of mine",
)
@allow(REGION_SCOPED_ROLES)
def indicators_by(
    request,
    filters: Query[IndicatorFilters],
    level: Literal["city", "township", "village"] | None = None,
):
    region = selectors.region_asked(request.user, filters.region)
    period = _period(filters)
    rows = LEVELS[level or default_level(region)]  # a province's cities, else its townships
    table = engine.compute_by(region.prefix, period.start, period.end, rows)
    return {code: engine.as_json(figures) for code, figures in table.items()}


@router.get(
    "/indicators/{code}/records",
    response=list[RecordOut],
    summary="The records behind one indicator for a region of mine and a period",
)
@allow(REGION_SCOPED_ROLES)
@paginate(Pages, page_size=50)
def indicator_records(request, code: str, filters: Query[IndicatorFilters]):
    indicator = selectors.indicator_asked(code)
    if indicator is None:
        raise Http404
    region = selectors.region_asked(request.user, filters.region)
    period = _period(filters)
    try:
        found = selectors.records_of(indicator, region, period)
    except engine.NotRecorded:
        raise HttpError(404, _("The records behind this figure are not kept yet.")) from None
    return RecordsOut(found)


class RecordsOut:
    """The records as the API's rows, read a page at a time: the pagination slices this."""

    def __init__(self, found: selectors.Records):
        self.found = found

    def count(self) -> int:
        return self.found.records.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[dict]:
        rows = selectors.rows_of(self.found, self.found.records[window])
        return [
            {"id": row["id"], "values": {key: text for key, _heading, text in row["cells"]}}
            for row in rows
        ]


# --- Approvals: list those of my scope, approve, withdraw ------------------------------------


class ApprovalOut(Schema):
    id: int
    region: str = Field(..., alias="region_id")
    region_name: str = Field(..., alias="region.name")
    start: datetime.date
    end: datetime.date
    approved_by: str | None
    approved_at: datetime.datetime
    catalogue_version: str
    in_force: bool
    withdrawn_at: datetime.datetime | None
    withdrawn_by: str | None
    withdraw_reason: str

    @staticmethod
    def resolve_approved_by(approval) -> str | None:
        return approval.approved_by.username if approval.approved_by else None

    @staticmethod
    def resolve_withdrawn_by(approval) -> str | None:
        return approval.withdrawn_by.username if approval.withdrawn_by else None


class ApprovalIn(Schema):
    region: str = Field(..., pattern=r"^\d{12}$", description="a township or a city of mine")
    year: int | None = Field(None, description="a year (this year: to today)")
    start: datetime.date | None = Field(None, alias="from", description="first day")
    end: datetime.date | None = Field(None, alias="to", description="last day")


class WithdrawIn(Schema):
    reason: str = Field(..., max_length=500)


@router.get(
    "/indicators/approvals",
    response=list[ApprovalOut],
    summary="Approvals of figures in my region, in force or withdrawn, newest first",
)
@allow(REGION_SCOPED_ROLES)
def list_approvals(request, region: str | None = None, in_force: bool | None = None):
    found = approvals.approvals_visible_to(request.user)
    if region is not None:
        found = found.filter(region_id=region)
    if in_force is not None:
        found = found.filter(withdrawn_at__isnull=in_force)
    return found[:500]


@router.post(
    "/indicators/approvals",
    response={201: ApprovalOut},
    summary="Approve the figures of a township or a city of mine for a period",
)
@allow(FIGURE_APPROVERS)
def approve(request, payload: ApprovalIn):
    region = access_region_by_code(request.user, payload.region)
    period = engine.period_of(
        year=payload.year, start=payload.start, end=payload.end, today=timezone.localdate()
    )
    return 201, actions.approve(region=region, period=period, by=request.user)


@router.post(
    "/indicators/approvals/{approval_id}/withdraw",
    response=ApprovalOut,
    summary="Withdraw an approval, with a reason, to correct the figures and approve again",
)
@allow(FIGURE_APPROVERS)
def withdraw(request, approval_id: int, payload: WithdrawIn):
    approval = approvals.access_approval(request.user, approval_id)
    return actions.withdraw(approval=approval, reason=payload.reason, by=request.user)
