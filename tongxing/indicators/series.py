"""Figures by month, for the dashboard's charts: one grouped query per table, over a region
(by its code prefix; "" is everywhere) and a period (both days included).

A month's figure counts what happened in that month, as the engine counts a period: a need
is posted in the month it was published, matched in the month of its `matched_at` (a need
whose pledge was withdrawn is matched no longer), confirmed in the month of its
`confirmed_at`; a donor signs up in the month the account was made (donors have no region:
every donor counts wherever one looks, as in `platform.donors_registered`); a micro-wish is
fulfilled in the month its gift was delivered, counted by child, as in
`wishes.fulfilled_children` (a child fulfilled in two months counts in each).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, DateTimeField, F, Q, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from tongxing.access import Role
from tongxing.accounts.models import User
from tongxing.needs.models import Kind, Need, Pledge, PledgeStatus
from tongxing.queries import prefix_q

# The kinds whose needs the catalogue counts (needs.goods.*, needs.funds.*).
NEED_KINDS = (Kind.GOODS, Kind.FUNDS)
NEED_STEPS = ("posted", "matched", "confirmed")
STEP_FIELD = {"posted": "published_at", "matched": "matched_at", "confirmed": "confirmed_at"}


@dataclass(frozen=True)
class Month:
    first: datetime.date  # the month's first day
    start: datetime.date  # the first day of the period in it
    end: datetime.date  # the last day of the period in it


def months_of(start: datetime.date, end: datetime.date) -> list[Month]:
    """The months of the period, each cut to the period's days."""
    months = []
    first = start.replace(day=1)
    while first <= end:
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        last = following - datetime.timedelta(days=1)
        months.append(Month(first, max(first, start), min(last, end)))
        first = following
    return months


def need_months(
    region_prefix: str, start: datetime.date, end: datetime.date
) -> dict[str, list[dict]]:
    """{kind: [{"month": Month, "posted": n, "matched": n, "confirmed": n}, …]} for the
    catalogue's kinds, every month of the period present (0 where nothing happened).

    One query: the needs with any of the three moments in the period, grouped on the
    month of each moment that is (a moment outside the period groups as nothing)."""
    since, until = bounds(start, end)
    within = {
        step: Q(**{f"{field}__gte": since, f"{field}__lt": until})
        for step, field in STEP_FIELD.items()
    }
    months = {
        f"{step}_month": TruncMonth(
            Case(When(within[step], then=F(field)), output_field=DateTimeField()),
            tzinfo=timezone.get_current_timezone(),
        )
        for step, field in STEP_FIELD.items()
    }
    rows = (
        Need.objects.filter(prefix_q("village__code", region_prefix), kind__in=NEED_KINDS)
        .filter(within["posted"] | within["matched"] | within["confirmed"])
        .values("kind", **months)
        .annotate(needs=Count("pk"))
        .order_by()
    )
    periods = months_of(start, end)
    counts = {
        kind: {month.first: dict.fromkeys(NEED_STEPS, 0) for month in periods}
        for kind in NEED_KINDS
    }
    for row in rows:
        for step in NEED_STEPS:
            if row[f"{step}_month"] is not None:
                counts[row["kind"]][month_of(row[f"{step}_month"])][step] += row["needs"]
    return {
        kind: [{"month": month, **counts[kind][month.first]} for month in periods]
        for kind in NEED_KINDS
    }


def donor_months(start: datetime.date, end: datetime.date) -> list[dict]:
    """[{"month": Month, "donors": n}, …]: caring people who signed up in each month."""
    since, until = bounds(start, end)
    rows = (
        User.objects.filter(role=Role.DONOR, date_joined__gte=since, date_joined__lt=until)
        .values(first=TruncMonth("date_joined", tzinfo=timezone.get_current_timezone()))
        .annotate(donors=Count("pk"))
        .order_by()
    )
    return spread(start, end, rows, "donors")


def wish_months(region_prefix: str, start: datetime.date, end: datetime.date) -> list[dict]:
    """[{"month": Month, "children": n}, …]: children whose micro-wish was delivered in
    each month."""
    since, until = bounds(start, end)
    rows = (
        Pledge.objects.filter(
            prefix_q("need__village__code", region_prefix),
            need__kind=Kind.WISH,
            status__in=(PledgeStatus.DELIVERED, PledgeStatus.CONFIRMED),
            delivered_at__gte=since,
            delivered_at__lt=until,
        )
        .values(first=TruncMonth("delivered_at", tzinfo=timezone.get_current_timezone()))
        .annotate(children=Count("need__child", distinct=True))
        .order_by()
    )
    return spread(start, end, rows, "children")


def spread(start: datetime.date, end: datetime.date, rows, name: str) -> list[dict]:
    """Every month of the period with its count from the grouped rows (0 where none)."""
    found = {month_of(row["first"]): row[name] for row in rows}
    return [{"month": month, name: found.get(month.first, 0)} for month in months_of(start, end)]


def bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, ...]:
    """The first instant of the first day and the first instant after the last, in the
    office's time zone."""
    since = datetime.datetime.combine(start, datetime.time.min)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(since), timezone.make_aware(until)


def month_of(value: datetime.datetime | datetime.date) -> datetime.date:
    """The first day of the month a truncated moment names, in the office's time zone."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    return value.replace(day=1)
