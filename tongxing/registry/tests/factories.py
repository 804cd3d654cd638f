"""Households, organisations and people for the registry's tests, made through the actions.

ID numbers are valid ones under a real county code (Hubei's 420981), so that they pass the
GB 11643 check; they belong to nobody. The root conftest gives every test a fixed data key.
"""

import datetime

from conftest import VILLAGE_A1
from tongxing.regions.models import Region
from tongxing.registry import actions, records
from tongxing.registry.models import HelperAssignment, Household, HouseholdStatus, Person, Relation
from tongxing.registry.validators import make_credit_code, make_id_number

COUNTY = "420981"


def id_number(sequence: int, *, born: datetime.date = datetime.date(1970, 5, 17), sex="male"):
    """Return a valid ID number, a different one for each sequence (0-499)."""
    return make_id_number(region_code=COUNTY, birth_date=born, sequence=sequence, sex=sex)


def phone(sequence: int) -> str:
    return f"138{sequence:08d}"


def register(
    *,
    number: str = "H-001",
    village: str = VILLAGE_A1,
    head: str = "张建国",
    head_id: str | None = None,
    head_phone: str | None = None,
    others: list[records.MemberData] = (),
    status: str = HouseholdStatus.REGISTERED_POOR,
    since: datetime.date = datetime.date(2019, 3, 1),
    by=None,
    **flags,
) -> Household:
    """Register a household with its head (ID 0 and phone 13800000000 unless given)."""
    members = [
        records.MemberData(
            name=head,
            relation=Relation.HEAD,
            id_number=id_number(0) if head_id is None else head_id,
            phone=phone(0) if head_phone is None else head_phone,
        ),
        *others,
    ]
    data = records.HouseholdData(
        registry_number=number,
        village=Region.objects.get(code=village),
        status=status,
        status_since=since,
        **flags,
    )
    return actions.register_household(data=data, members=members, by=by)


def organisation(*, name="青禾农业合作社", kind="cooperative", region=VILLAGE_A1, serial=1):
    return actions.create_organisation(
        name=name,
        kind=kind,
        region=Region.objects.get(code=region),
        credit_code=make_credit_code(region_code=COUNTY, serial=serial),
        by=None,
    )


def person(*, name="李帮扶", position="assigned_cadre", region=VILLAGE_A1, organisation=None):
    return actions.create_person(
        name=name,
        position=position,
        region=Region.objects.get(code=region),
        organisation=organisation,
        phone="13900139000",
        by=None,
    )


def assign(
    account,
    household: Household,
    *,
    since: datetime.date = datetime.date(2020, 1, 1),
    until: datetime.date | None = None,
) -> HelperAssignment:
    """Make a cadre's account the assigned helper of a household, through the directory's
    person of the account (made for it the first time), from `since` through `until`."""
    person = Person.objects.filter(account=account).first() or actions.create_person(
        name=account.display_name or account.username,
        position="assigned_cadre",
        region=account.region,
        account=account,
        by=None,
    )
    assignment = actions.assign_helper(person=person, household=household, since=since, by=None)
    if until is not None:
        actions.end_assignment(assignment=assignment, until=until, by=None)
    return assignment
