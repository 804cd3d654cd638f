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


def one_of_each() -> None:
    """A record in every list of the app: an event, a centre with a resident company, the
    award categories with a nomination, a story, a publicity item, a policy in a
    published compendium."""
    from tongxing.events.actions import exemplars, publicity
    from tongxing.events.models import OutletLevel, PolicyCategory

    city, day = region(CITY), datetime.date(2020, 5, 10)
    event()
    centre = event_actions.create_centre(name="电商公共服务中心", region=city, by=None)
    shop = organisation("青禾电商有限公司", kind=OrganisationKind.ECOMMERCE_COMPANY)
    event_actions.add_resident(centre=centre, organisation=shop, since=day, people=5, by=None)
    categories = exemplars.create_default_categories(year=2020, region=city, by=None)
    hardworking = next(c for c in categories if c.key == "hardworking_household")
    exemplars.nominate(
        category=hardworking, reason="勤劳致富", household=household("E-1", 70), by=None
    )
    exemplars.submit_story(
        campaign="最美帮扶人",
        title="山里的路",
        author="青禾日报",
        text="一条路的故事。",
        region=city,
        by=None,
        submitted_on=day,
    )
    publicity.record_publicity(
        title="青禾市帮扶工作综述",
        outlet="青禾日报",
        outlet_level=OutletLevel.CITY,
        published_on=day,
        region=city,
        by=None,
    )
    compendium = publicity.create_compendium(year=2020, region=city, by=None)
    publicity.add_policy(
        title="关于做好兜底保障的通知",
        category=PolicyCategory.SOCIAL_SECURITY,
        issuing_body="青禾市民政局",
        in_force_from=day,
        region=city,
        by=None,
        compendium=compendium,
    )
    publicity.publish_compendium(compendium=compendium, published_on=day, by=None)
