"""One way to cut a list into pages, for the pages and for the API.

A page number comes from the address, so anything arrives: `?page=9223372036854775807`
once went into an OFFSET that neither SQLite (an integer overflow in the driver) nor
PostgreSQL (bigint out of range) would take, and each answered 500. Here the number is
bounded by the count before any query uses it:

- a page (`page_of`) shows the first page for a number that is not a whole number ≥ 1,
  and the last page for a number past it, so a visitor always sees something;
- the API (`Pages`) refuses a number that is not a whole number ≥ 1 (422, on the field
  `page`) and answers a number past the last page with an empty list and the count, so
  a client that reads pages until one comes back empty stops there.
"""

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

# Past every page there is; `page_of` brings it down to the last one.
BEYOND = 10**18


def page_number(value: object) -> int:
    """Return the page number a parameter asks for: 1 unless it is a whole number ≥ 1."""
    text = str(value or "").strip()
    # ASCII digits only: int() would also take "+3", "٣" and "1_000".
    if not (text.isascii() and text.isdigit()):
        return 1
    # Longer numbers are past every page anyway, and int() is slow on thousands of digits.
    return BEYOND if len(text) > 18 else max(int(text), 1)


def page_of(
    request: HttpRequest,
    items: Any,
    per_page: int,
    *,
    count: int | None = None,
    number: object = None,
) -> Page:
    """Return the page of `items` that `?page=` asks for, bounded to the pages there are.

    `count` is the number of items when the caller has a faster way to count them;
    `number` the page asked for when it comes from elsewhere than `?page=` (a POST).
    """
    paginator = Paginator(items, per_page)
    if count is not None:
        paginator.count = count
    asked = request.GET.get("page") if number is None else number
    return paginator.page(min(page_number(asked), paginator.num_pages))


class Pages(PageNumberPagination):
    """The API's pages: `page` from 1, `page_size` up to 100; past the last, an empty list."""

    class Input(Schema):
        page: int = Field(1, ge=1, description="the page, from 1")
        page_size: int | None = Field(None, ge=1, description="items a page (at most 100)")

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Input, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        size = self._get_page_size(pagination.page_size)
        count = self._items_count(queryset)
        # Python's integers do not overflow, the database's do: slice only within the count.
        offset = (pagination.page - 1) * size
        items = queryset[offset : offset + size] if offset < count else []
        return {self.items_attribute: items, "count": count}
