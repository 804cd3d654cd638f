"""Region-scoped reads for the indicators' pages and API: the region a caller may ask for,
and the records behind a figure as rows whose personal data is masked.

A figure's records are what `engine.records` returns; each kind of record shows the few
columns that say what it is (a need: its title, village, kind, status and dates; a child:
the masked name a public page uses, never the full name, ID or phone).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Model, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from tongxing.access import STAFF_ROLES
from tongxing.accounts.models import User
from tongxing.commerce.models import Product, Sale, Supplier
from tongxing.events.record_columns import COLUMNS as EVENT_COLUMNS
from tongxing.figures import SUM
from tongxing.indicators import approvals, engine
from tongxing.indicators.catalogue import INDICATORS, Indicator, indicator_of, measure_of
from tongxing.needs.amounts import yuan
from tongxing.needs.models import Need, Pledge
from tongxing.programs.models import Disbursement, Exchange, PairingPledge, Programme
from tongxing.regions.codes import Level
from tongxing.regions.models import Region
from tongxing.regions.selectors import access_region_by_code
from tongxing.registry.models import Household, Member, Organisation, Person
from tongxing.text import masked_name
from tongxing.visits.models import Visit, VisitDelivery


def region_asked(user: User, code: str | None) -> Region:
    """The region the caller asked for (default: their own); 404 outside their scope."""
    return access_region_by_code(user, code or user.region_id or "")


def records_url(code: str, region_code: str, start: datetime.date, end: datetime.date) -> str:
    """The address of the records behind a figure, filtered as the figure was computed."""
    query = urlencode({"region": region_code, "from": start.isoformat(), "to": end.isoformat()})
    return f"{reverse('indicators:records', args=[code])}?{query}"


def indicator_asked(code: str) -> Indicator | None:
    """The indicator of a code (of the catalogue, a flow or one training), None if unknown."""
    try:
        return indicator_of(code)
    except KeyError:
        return None


@dataclass(frozen=True)
class Column:
    """One column of a kind of record: its key (the API's), heading, value for a sheet
    (`cell`) and for a page (`text`, default: the cell as text)."""

    key: str
    heading: Any
    cell: Callable[[Any], object]
    text: Callable[[Any], str] | None = None
    money: bool = False

    def shown(self, record) -> str:
        if self.text is not None:
            return self.text(record)
        value = self.cell(record)
        if value is None:
            return ""
        if isinstance(value, datetime.date):
            return value.isoformat()
        return str(value)


def _heading(model: type[Model], field: str):
    return model._meta.get_field(field).verbose_name


def _day(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment else None


def _yuan(fen: int | None) -> Decimal:
    return Decimal(fen or 0) / 100


def _account_name(user: User) -> str:
    """Staff by their name; a caring person or a household as a public page names a person
    (the surname and stars), never by a login name, which may be a phone number."""
    if user.role in STAFF_ROLES:
        return user.display_name or user.username
    return masked_name(user.display_name) if user.display_name.strip() else f"#{user.pk}"


# The columns of each kind of record, by model label; the related rows each needs.
COLUMNS: dict[str, tuple[tuple[Column, ...], tuple[str, ...]]] = {
    "needs.Need": (
        (
            Column("title", _heading(Need, "title"), lambda n: n.title),
            Column("village", _heading(Need, "village"), lambda n: n.village.name),
            Column("kind", _heading(Need, "kind"), lambda n: n.get_kind_display()),
            Column("status", _heading(Need, "status"), lambda n: n.get_status_display()),
            Column("published", _heading(Need, "published_at"), lambda n: _day(n.published_at)),
            Column("matched", _heading(Need, "matched_at"), lambda n: _day(n.matched_at)),
        ),
        ("village",),
    ),
    "needs.Pledge": (
        (
            Column("need", _heading(Pledge, "need"), lambda p: p.need.title),
            Column(
                "amount",
                _heading(Pledge, "value_fen"),
                lambda p: _yuan(p.value_fen),
                lambda p: yuan(p.value_fen),
                money=True,
            ),
            Column("status", _heading(Pledge, "status"), lambda p: p.get_status_display()),
            Column("created", _heading(Need, "created_at"), lambda p: _day(p.created_at)),
        ),
        ("need",),
    ),
    "registry.Member": (
        (
            # As a public page names a person: the surname and stars.
            Column("name", _heading(Member, "name"), lambda m: masked_name(m.name)),
            Column("village", _heading(Household, "village"), lambda m: m.household.village.name),
        ),
        ("household__village",),
    ),
    "registry.Household": (
        (
            Column(
                "registry_number",
                _heading(Household, "registry_number"),
                lambda h: h.registry_number,
            ),
            Column("village", _heading(Household, "village"), lambda h: h.village.name),
            Column("status", _heading(Household, "status"), lambda h: h.get_status_display()),
        ),
        ("village",),
    ),
    "accounts.User": (
        (
            Column("name", _heading(User, "display_name"), lambda u: _account_name(u)),
            Column("role", _heading(User, "role"), lambda u: u.get_role_display()),
            Column("region", _heading(User, "region"), lambda u: u.region.name if u.region else ""),
        ),
        ("region",),
    ),
    "visits.Visit": (
        (
            Column("visited_on", _heading(Visit, "visited_on"), lambda v: v.visited_on),
            # Staff by name, as the records pages name staff.
            Column("visitor", _heading(Visit, "visitor"), lambda v: v.visitor.name),
            Column("position", _heading(Visit, "position"), lambda v: v.get_position_display()),
            Column("village", _heading(Visit, "village"), lambda v: v.village.name),
            Column(
                "household",
                _heading(Visit, "household"),
                lambda v: v.household.registry_number if v.household_id else "",
            ),
        ),
        ("visitor", "village", "household"),
    ),
    "visits.VisitDelivery": (
        (
            Column("visited_on", _heading(Visit, "visited_on"), lambda d: d.visit.visited_on),
            Column("village", _heading(Visit, "village"), lambda d: d.visit.village.name),
            Column("kind", _heading(VisitDelivery, "kind"), lambda d: d.get_kind_display()),
            Column("quantity", _heading(VisitDelivery, "quantity"), lambda d: d.quantity),
        ),
        ("visit__village",),
    ),
    "commerce.Supplier": (
        (
            # An enterprise by name, a household seller by its registry number.
            Column("supplier", _heading(Sale, "seller"), lambda s: str(s)),
            Column("region", _heading(Supplier, "region"), lambda s: s.region.name),
        ),
        ("organisation", "household", "region"),
    ),
    "commerce.Product": (
        (
            Column("name", _heading(Product, "name"), lambda p: p.name),
            Column("supplier", _heading(Product, "supplier"), lambda p: str(p.supplier)),
            Column("category", _heading(Product, "category"), lambda p: p.get_category_display()),
        ),
        ("supplier__organisation", "supplier__household"),
    ),
    "commerce.Sale": (
        (
            Column("date", _heading(Sale, "sold_on"), lambda s: s.sold_on),
            Column("channel", _heading(Sale, "channel"), lambda s: s.get_channel_display()),
            Column("seller", _heading(Sale, "seller"), lambda s: str(s.seller)),
            Column(
                "amount",
                _heading(Sale, "amount_fen"),
                lambda s: _yuan(s.amount_fen),
                lambda s: yuan(s.amount_fen),
                money=True,
            ),
            Column("orders", _heading(Sale, "orders"), lambda s: s.orders),
            # The fair a fair sale was made at (the fair's figures list these sales).
            Column("event", _heading(Sale, "event"), lambda s: s.event.title if s.event_id else ""),
        ),
        ("seller__organisation", "seller__household", "event"),
    ),
    "registry.Person": (
        (
            Column("name", _heading(Person, "name"), lambda p: p.name),
            Column("position", _heading(Person, "position"), lambda p: p.get_position_display()),
            Column("region", _heading(Person, "region"), lambda p: p.region.name),
        ),
        ("region",),
    ),
    "programs.Programme": (
        (
            Column("name", _heading(Programme, "name"), lambda p: p.name),
            Column("starts_on", _heading(Programme, "starts_on"), lambda p: p.starts_on),
        ),
        (),
    ),
    **{
        label: (
            (
                Column("pairing", _heading(model, "pairing"), lambda r: str(r.pairing)),
                Column(
                    "amount",
                    _heading(model, "amount_fen"),
                    lambda r: _yuan(r.amount_fen),
                    lambda r: yuan(r.amount_fen),
                    money=True,
                ),
                Column("date", _heading(model, day), lambda r, day=day: getattr(r, day)),
            ),
            ("pairing__helper", "pairing__target__region", "pairing__target__organisation"),
        )
        for label, model, day in (
            ("programs.PairingPledge", PairingPledge, "pledged_on"),
            ("programs.Disbursement", Disbursement, "disbursed_on"),
        )
    },
    "programs.Exchange": (
        (
            Column("pairing", _heading(Exchange, "pairing"), lambda e: str(e.pairing)),
            Column("people", _heading(Exchange, "people"), lambda e: e.people),
            Column("date", _heading(Exchange, "exchanged_on"), lambda e: e.exchanged_on),
        ),
        ("pairing__helper", "pairing__target__region", "pairing__target__organisation"),
    ),
    "registry.Organisation": (
        (
            Column("name", _heading(Organisation, "name"), lambda o: o.name),
            Column("kind", _heading(Organisation, "kind"), lambda o: o.get_kind_display()),
        ),
        (),
    ),
    "regions.Region": (
        (
            Column("code", _heading(Region, "code"), lambda r: r.code),
            Column("name", _heading(Region, "name"), lambda r: r.name),
        ),
        (),
    ),
}
# The apps that declare their records' columns as plain tuples (they lie beneath).
COLUMNS.update(
    {
        label: (
            tuple(Column(key, heading, cell, money=money) for key, heading, cell, money in cols),
            related,
        )
        for label, (cols, related) in EVENT_COLUMNS.items()
    }
)


@dataclass(frozen=True)
class Records:
    """The records behind a figure: the queryset (ordered), its columns, and for a sum the
    column that adds up to the figure and its total."""

    indicator: Indicator
    records: QuerySet
    columns: tuple[Column, ...]
    total_fen: int | None = None


def records_of(indicator: Indicator, region: Region, period: engine.Period) -> Records:
    """The records behind the figure for the region and period: where the period is
    approved for the region, those the approved figure counted, whatever was edited since.
    Raises NotRecorded."""
    qs = engine.records(indicator.code, region.prefix, period.start, period.end)
    approval = approvals.approval_in_force(region.code, period)
    frozen = approvals.frozen_record_ids(approval, indicator.code) if approval else None
    if frozen is not None:
        qs = qs.model._default_manager.filter(pk__in=frozen)
    columns, related = COLUMNS[qs.model._meta.label]
    total = None
    measure = measure_of(indicator.measure)
    if measure.how == SUM:
        total = qs.aggregate(total=Sum(measure.field))["total"] or 0
    return Records(indicator, qs.select_related(*related).order_by("pk"), columns, total)


def figure_shown(indicator: Indicator, region: Region, period: engine.Period) -> engine.Figure:
    """The figure as a report of the period shows it: approved where it is, else live."""
    approval = approvals.approval_in_force(region.code, period)
    if approval is not None:
        return approvals.frozen_figure(indicator, approval.figures.get(indicator.code))
    return engine.compute_one(indicator.code, region.prefix, period.start, period.end)


def rows_of(records: Records, items) -> list[dict]:
    """The shown rows of some of the records (a page of them): their id, and each
    column's key, heading and text."""
    return [
        {
            "id": item.pk,
            "cells": [(c.key, c.heading, c.shown(item)) for c in records.columns],
        }
        for item in items
    ]


def table_codes() -> list[Indicator]:
    """The columns of a statistical table: every computed code, by section."""
    return [i for i in INDICATORS if i.recorded and i.of_period is None]


@dataclass(frozen=True)
class StatisticalTable:
    region: Region
    period: engine.Period
    level: Level
    indicators: list[Indicator]
    rows: list[tuple[Region, dict[str, engine.Figure]]]
    totals: dict[str, engine.Figure]


def statistical_table(region: Region, period: engine.Period, level: Level) -> StatisticalTable:
    """The region's townships (or villages) as rows, each with its figures, and the
    region's own figures as the totals: for an additive code their sum, for a rate the
    rate of the sums, otherwise the region's own figure."""
    by = engine.compute_by(region.prefix, period.start, period.end, level)
    names = Region.objects.in_bulk(list(by))
    rows = [(names[code], figures) for code, figures in by.items()]
    totals = engine.compute(region.prefix, period.start, period.end)
    return StatisticalTable(region, period, level, table_codes(), rows, totals)
