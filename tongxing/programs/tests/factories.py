"""Programmes, pairings and organisations for the tests, made through the actions."""

import datetime

from conftest import CITY, VILLAGE_A1
from tongxing.programs import actions
from tongxing.programs.models import Kind, Pairing, Programme
from tongxing.regions.models import Region
from tongxing.registry import actions as registry_actions
from tongxing.registry.models import Organisation
from tongxing.registry.tests.factories import organisation

START = datetime.date(2026, 3, 1)


def programme(
    *, kind: str = Kind.ENTERPRISE_VILLAGE, name: str = "百企联百村", starts_on=START, region=CITY
) -> Programme:
    return actions.create_programme(
        kind=kind,
        name=name,
        starts_on=starts_on,
        region=Region.objects.get(code=region),
        by=None,
    )


def enterprise(name: str = "青禾食品有限公司", serial: int = 11, region=VILLAGE_A1) -> Organisation:
    return organisation(name=name, kind="private_enterprise", region=region, serial=serial)


def pairing(prog: Programme, village: str, helper: Organisation, *, since=START) -> Pairing:
    target = prog.targets.filter(region_id=village).first() or actions.add_target(
        programme=prog, region=Region.objects.get(code=village), by=None
    )
    return actions.pair(target=target, helper=helper, since=since, by=None)


def speak_for(account, org: Organisation) -> None:
    """Make an org_rep account the representative of an organisation (its person)."""
    registry_actions.create_person(
        name=account.display_name,
        position="volunteer",
        region=org.region,
        organisation=org,
        account=account,
        by=None,
    )


def one_of_each() -> None:
    """One record of every list of the programmes (for tests that need something in each):
    a programme with a target and a pairing, a pledge, a disbursement, an exchange, and a
    labour activity with a partner region."""
    prog = programme(kind=Kind.SCHOOL_PAIRING, name="教育结对")
    school = organisation(name="桃李小学", kind="school", region=VILLAGE_A1, serial=91)
    city_school = organisation(name="青禾一中", kind="school", region=VILLAGE_A1, serial=92)
    target = actions.add_target(programme=prog, organisation=school, by=None)
    paired = actions.pair(target=target, helper=city_school, since=START, by=None)
    actions.record_pledge(
        pairing=paired, amount_fen=1_000_00, purpose="图书", pledged_on=START, by=None
    )
    actions.record_disbursement(
        pairing=paired, kind="funds", amount_fen=1_000_00, disbursed_on=START, by=None
    )
    actions.record_exchange(
        pairing=paired, people=2, exchanged_on=START, direction="to_target", by=None
    )
    labour = programme(kind=Kind.LABOUR_COOPERATION, name="劳务协作")
    partner = actions.add_target(
        programme=labour, region=Region.objects.get(code="590101000000"), by=None
    )
    actions.record_labour_activity(
        target=partner, kind="job_fair", held_on=START, people_placed=12, by=None
    )
