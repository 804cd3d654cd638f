"""Suppliers, products and sales for the tests, made through the actions.

`enterprise()` is 青禾农业合作社 of village A1; `budget_unit()` a school of township A;
`rep_of(olga, org)` makes an org_rep speak for an organisation (its person record);
`fair()` is the city's consumption fair of 2025-09-20 to 22.
"""

import datetime

from conftest import CITY, TOWNSHIP_A, VILLAGE_A1
from tongxing.commerce import actions
from tongxing.commerce.models import Category, Channel, Criterion
from tongxing.events.actions import events as event_actions
from tongxing.events.models import EventKind
from tongxing.regions.models import Region
from tongxing.registry import actions as registry_actions
from tongxing.registry.tests.factories import organisation, person, register

LONG_AGO = datetime.date(2024, 1, 1)


def enterprise(*, name="青禾农业合作社", kind="cooperative", region=VILLAGE_A1, serial=1):
    return organisation(name=name, kind=kind, region=region, serial=serial)


def supplier(*, certified_on=LONG_AGO, criterion=Criterion.EMPLOYS_HOUSEHOLDS, **org):
    """An organisation registered as a supplier (certified from `certified_on` if given)."""
    s = actions.register_supplier(organisation=enterprise(**org), by=None)
    if certified_on is not None:
        actions.certify_supplier(
            supplier=s, criterion=criterion, certified_on=certified_on, by=None
        )
    return s


def household_supplier(*, certified_on=LONG_AGO, number="H-101", village=VILLAGE_A1, head="王秀英"):
    home = register(number=number, village=village, head=head)
    s = actions.register_supplier(household=home, by=None)
    if certified_on is not None:
        actions.certify_supplier(
            supplier=s,
            criterion=Criterion.IN_REGISTERED_VILLAGE,
            certified_on=certified_on,
            by=None,
        )
    return s


def budget_unit(*, name="青禾市第一中学", region=TOWNSHIP_A, serial=7):
    return organisation(name=name, kind="school", region=region, serial=serial)


def product(s, *, name="高山大米", price_fen=8_00, certified_on=None):
    return actions.add_product(
        supplier=s,
        name=name,
        category=Category.GRAIN_OIL,
        unit="斤",
        price_fen=price_fen,
        certified_on=certified_on,
        by=None,
    )


def sale(
    s, *, amount_fen=100_00, channel=Channel.ONLINE, sold_on=datetime.date(2025, 3, 10), **more
):
    return actions.record_sale(
        seller=s, channel=channel, sold_on=sold_on, amount_fen=amount_fen, by=None, **more
    )


def rep_of(account, org):
    """Make the org_rep account speak for the organisation (its person record)."""
    p = person(name="罗代表", position="volunteer", region=org.region_id, organisation=org)
    registry_actions.link_person_account(person=p, account=account, by=None)
    return account


def fair(
    *,
    title="2025年消费帮扶赶集会",
    starts_on=datetime.date(2025, 9, 20),
    ends_on=datetime.date(2025, 9, 22),
    region=CITY,
    kind=EventKind.FAIR,
    viewers=None,
):
    """A fair held by the region's office (of another kind, for the refusals)."""
    place = Region.objects.get(code=region)
    event = event_actions.create_event(
        data=event_actions.EventData(
            kind=kind,
            title=title,
            starts_on=starts_on,
            ends_on=ends_on,
            region=place,
            sites=[(place, "市民广场")],
        ),
        by=None,
    )
    if viewers is not None:
        event = event_actions.record_outcomes(event=event, viewers=viewers, by=None)
    return event
