"""My notifications through the API: each account reads and marks only its own.

Titles and bodies are written when read, in the language of the request (Accept-Language).
"""

import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from tongxing.access import EVERY_ROLE, allow
from tongxing.notifications import actions, selectors
from tongxing.paging import Pages

router = Router(tags=["notifications"])
# An id the database can hold (a 64-bit integer): a larger one would overflow into a 500.
NotificationId = Annotated[int, Field(gt=0, lt=2**63)]


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class NotificationPages(Pages):
    """Pages of notifications that also say how many are unread in all."""

    class Output(Schema):
        items: list[Any]
        count: int
        unread: int

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        return {**page, "unread": selectors.unread_count(request.user)}


class ReadIn(Schema):
    ids: list[NotificationId] | None = Field(
        None, max_length=1000, description="the notifications to mark read"
    )
    all: bool = Field(False, description="mark every notification read")


class ReadOut(Schema):
    marked: int
    unread: int


@router.get(
    "/notifications",
    response=list[NotificationOut],
    summary="My notifications, newest first, and how many are unread",
)
@allow(EVERY_ROLE)
@paginate(NotificationPages, page_size=50)
def list_notifications(request):
    return selectors.notifications_of(request.user).order_by("-created_at", "-id")


@router.post("/notifications/read", response=ReadOut, summary="Mark notifications read")
@allow(EVERY_ROLE)
def mark_read(request, payload: ReadIn):
    if not payload.all and not payload.ids:
        raise ValidationError({"ids": [_("Give the notifications to mark read, or all: true.")]})
    marked = actions.mark_read(user=request.user, ids=None if payload.all else payload.ids)
    return {"marked": marked, "unread": selectors.unread_count(request.user)}
