"""The indicators through the API: every code of the catalogue for a region of the
caller's (default: their own) and a period, as the command prints them."""

import datetime

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from tongxing.access import REGION_SCOPED_ROLES, allow
from tongxing.indicators import engine
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
    summary="Every indicator of the catalogue for a region of mine and a period",
)
@allow(REGION_SCOPED_ROLES)
def indicators(request, filters: Query[IndicatorFilters]):
    user = request.user
    region = access_region_by_code(user, filters.region or user.region_id)
    period = engine.period_of(
        year=filters.year, start=filters.start, end=filters.end, today=timezone.localdate()
    )
    return engine.as_json(engine.compute(region.prefix, period.start, period.end))
