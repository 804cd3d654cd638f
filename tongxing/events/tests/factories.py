"""Organisations, households and events for the tests, made through the actions."""

import datetime

from conftest import CITY, TOWNSHIP_A, VILLAGE_A1
from tongxing.events.actions import events as event_actions
from tongxing.events.models import EventKind, Topic
from tongxing.regions.models import Region
from tongxing.registry import actions as registry_actions
from tongxing.registry.models import HouseholdStatus, OrganisationKind, Position
from tongxing.registry.tests.factories import id_number, register


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def organisation(name: str, kind: str = OrganisationKind.PRIVATE_ENTERPRISE, code: str = CITY):
    return registry_actions.create_organisation(name=name, kind=kind, region=region(code), by=None)


def speaks_for(account, organisation_, code: str = CITY):
    """Make the org_rep account the representative of the organisation."""
    return registry_actions.create_person(
        name=account.username.title(),
        position=Position.VOLUNTEER,
        region=region(code),
        organisation=organisation_,
        account=account,
        by=None,
    )


def household(
    number: str, seq: int, *, village: str = VILLAGE_A1, status=HouseholdStatus.REGISTERED_POOR
):
    return register(
        number=number,
        village=village,
        head=f"户主{seq}",
        head_id=id_number(seq),
        head_phone=f"1370000{seq:04d}",
        status=status,
    )


def event_data(**changes) -> event_actions.EventData:
    values = dict(
        kind=EventKind.TRAINING,
        title="电商培训第一期",
        topic=Topic.ECOMMERCE,
        starts_on=datetime.date(2020, 5, 10),
        ends_on=datetime.date(2020, 5, 11),
        region=region(TOWNSHIP_A),
        sites=[(region(VILLAGE_A1), "村委会")],
    )
    values.update(changes)
    return event_actions.EventData(**values)


def event(by=None, **changes):
    return event_actions.create_event(data=event_data(**changes), by=by)
