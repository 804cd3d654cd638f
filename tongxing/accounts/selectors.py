"""Reads of accounts and the audit log, cut to the reader's scope."""

import datetime
import re
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxing.access import ACCOUNT_ADMIN_ROLES, AUDIT_READERS, Role, scope_prefix
from tongxing.accounts.actions import token_digest
from tongxing.accounts.models import ApiToken, User
from tongxing.audit.models import AuditEvent
from tongxing.queries import prefix_q
from tongxing.text import clean_text, search_text


def users_visible_to(user: User) -> QuerySet[User]:
    """Return the accounts an account administrator may see: staff of their subtree."""
    if user.is_superuser:
        return User.objects.all()
    scope = scope_prefix(user, ACCOUNT_ADMIN_ROLES)
    if scope is None:
        return User.objects.none()
    return User.objects.filter(prefix_q("region__code", scope))


def access_user_by_id(viewer: User, user_id: int) -> User:
    try:
        return users_visible_to(viewer).select_related("region").get(pk=user_id)
    except User.DoesNotExist:
        raise Http404 from None


USER_QUERY_LENGTH = 50


def search_users(viewer: User, *, role: str | None = None, query: str | None = None):
    """Return the accounts of the viewer's region that match; search words over their
    length are refused (ValidationError on "q"), not cut."""
    qs = users_visible_to(viewer).select_related("region")
    query = search_text(query)
    if query is None:  # characters no account holds (a NUL would be an error on PostgreSQL)
        return qs.none()
    query = clean_text(query, max_length=USER_QUERY_LENGTH, field="q")
    if role:
        qs = qs.filter(role=role)
    if query:
        qs = qs.filter(Q(username__icontains=query) | Q(display_name__icontains=query))
    return qs.order_by("region__code", "role", "username")


@dataclass(frozen=True)
class AuditFilters:
    """What the reader of the log narrows it to; empty fields narrow nothing."""

    actor: str = ""  # a username
    action: str = ""  # a code: need.published
    object_type: str = ""  # app_label.modelname: registry.household
    object_id: str = ""
    since: datetime.date | None = None  # the first day, inclusive
    until: datetime.date | None = None  # the last day, inclusive


CODE = re.compile(r"^[a-z_]+\.[a-z_]+$")


def clean_audit_filters(filters: AuditFilters) -> AuditFilters:
    """Check the filters a reader typed; a ValidationError names each one at fault."""
    errors: dict[str, list[str]] = {}
    texts = {
        name: clean_text(getattr(filters, name), max_length=length, field=name, errors=errors)
        for name, length in (("actor", 150), ("action", 60), ("object_type", 60), ("object_id", 64))
    }
    if texts["action"] and not CODE.match(texts["action"]) and "action" not in errors:
        errors["action"] = [_("Unknown action.")]
    if texts["object_type"] and not CODE.match(texts["object_type"]):
        errors.setdefault("object_type", [_("Unknown kind of object.")])
    if texts["object_id"] and not texts["object_type"]:
        errors.setdefault("object_type", [_("Choose the kind of object as well.")])
    if filters.since and filters.until and filters.since > filters.until:
        errors["until"] = [_("The last day comes before the first.")]
    if errors:
        raise ValidationError(errors)
    return replace(filters, **texts)


def _day_start(day: datetime.date) -> datetime.datetime:
    """The first moment of a day in the office's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _filtered(events: QuerySet[AuditEvent], filters: AuditFilters | None) -> QuerySet[AuditEvent]:
    if filters is None:
        return events
    if filters.actor:
        actor = User.objects.filter(username=filters.actor).values_list("pk", flat=True).first()
        if actor is None:
            return events.none()
        events = events.filter(actor_id=actor)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.object_id:
        events = events.filter(object_id=filters.object_id)
    if filters.since:
        events = events.filter(at__gte=_day_start(filters.since))
    if filters.until:
        events = events.filter(at__lt=_day_start(filters.until + datetime.timedelta(days=1)))
    return events


def audit_events_visible_to(
    user: User, filters: AuditFilters | None = None
) -> QuerySet[AuditEvent]:
    """Return the audit log for the city office: the events of its subtree and its own,
    narrowed by the filters.

    Its own events are matched on `actor_id + 0`, which no index answers, on purpose:
    with two indexed terms SQLite joins both indexes (MULTI-INDEX OR) and sorts every
    event of the city to show the newest fifty (0.5 s with 650,000 events); with one it
    walks the index of `at` from the newest and stops at fifty (0.2 ms).
    """
    if user.is_superuser:
        return _filtered(AuditEvent.objects.all(), filters)
    scope = scope_prefix(user, AUDIT_READERS)
    if scope is None:
        return AuditEvent.objects.none()
    events = AuditEvent.objects.alias(actor_key=F("actor_id") + 0).filter(
        prefix_q("region_code", scope) | Q(actor_key=user.pk)
    )
    return _filtered(events, filters)


def count_audit_events_visible_to(user: User, filters: AuditFilters | None = None) -> int:
    """How many events `audit_events_visible_to` holds, counted index by index.

    Of one action over some days, the subtree is matched on the code's first characters,
    which no index answers, on purpose: SQLite then counts the action's days from (action,
    at) and reads those rows for their code (12 ms for a month of need.published in a log
    of 684,258 events), where with the code's range it counted every event of the action in
    the subtree from (action, region_code) and read each one's row for its day (97 ms).
    """
    prefix = scope_prefix(user, AUDIT_READERS)
    if user.is_superuser or prefix is None:
        return audit_events_visible_to(user, filters).count()
    subtree = prefix_q("region_code", prefix)
    in_subtree = AuditEvent.objects.filter(subtree)
    if filters is not None and filters.action and (filters.since or filters.until):
        in_subtree = AuditEvent.objects.alias(
            code_head=Substr("region_code", 1, len(prefix))
        ).filter(code_head=prefix)
    return (
        _filtered(in_subtree, filters).count()
        + _filtered(AuditEvent.objects.filter(actor=user).exclude(subtree), filters).count()
    )


def user_for_token(raw: str) -> tuple[User, ApiToken] | None:
    """Return the active account a bearer token belongs to, if the token is valid."""
    token = (
        ApiToken.objects.select_related("user", "user__region")
        .filter(digest=token_digest(raw), expires_at__gt=timezone.now(), user__is_active=True)
        .first()
    )
    return (token.user, token) if token else None


def count_donors() -> int:
    """Return how many caring people have an account: a public figure."""
    return User.objects.filter(role=Role.DONOR, is_active=True).count()
