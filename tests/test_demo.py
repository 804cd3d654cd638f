"""The demo city: it builds, the same seed gives the same city, and a re-run adds nothing."""

import hashlib

import pytest
from django.core.management import CommandError, call_command

from tongxing import demo
from tongxing.accounts.models import AuditEvent, Role, User
from tongxing.regions.codes import Level
from tongxing.regions.models import Region
from tongxing.registry.models import (
    HelperAssignment,
    Household,
    HouseholdStatus,
    Organisation,
    OrganisationKind,
    Person,
    Position,
)


def fingerprint() -> str:
    rows = [
        *Region.objects.order_by("code").values_list(
            "code", "name", "level", "parent_id", "key_poor_village", "relocation_village"
        ),
        *User.objects.order_by("username").values_list(
            "username", "role", "region_id", "display_name"
        ),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def wipe() -> None:
    # The audit log refuses deletes through the ORM; the raw table may go in a test.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table}")
    HelperAssignment.objects.all().delete()
    Household.objects.all().delete()
    Person.objects.all().delete()
    Organisation.objects.all().delete()
    User.objects.all().delete()
    for level in reversed(Level):
        Region.objects.filter(level=level).delete()


@pytest.mark.django_db
def test_the_small_demo_builds_a_city_with_every_role():
    ctx = demo.build(seed=7, scale="small", year=2020)
    assert Region.objects.filter(level=Level.CITY).count() == 1
    assert Region.objects.filter(level=Level.TOWNSHIP).count() == 4
    assert Region.objects.filter(level=Level.VILLAGE).count() == 12
    assert set(ctx.logins) == set(Role.values)
    assert User.objects.filter(role=Role.DONOR).count() == 51  # 50 plus the printed login
    for role, (username, _scope) in ctx.logins.items():
        user = User.objects.get(username=username)
        assert user.role == role and user.check_password(demo.DEMO_PASSWORD)
    township_admin = User.objects.get(username=ctx.logins[Role.TOWNSHIP_ADMIN][0])
    assert township_admin.region.level == Level.TOWNSHIP
    assert Household.objects.count() == 60
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(OrganisationKind.values)
    assert Person.objects.filter(position=Position.CITY_PARTY_SECRETARY).count() == 1
    assert Person.objects.filter(position=Position.TOWNSHIP_PARTY_SECRETARY).count() == 4
    poor = Household.objects.filter(status=HouseholdStatus.REGISTERED_POOR)
    assert poor.exists() and not poor.filter(assignments__isnull=True).exists()


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_city_and_another_seed_another():
    demo.build(seed=7, scale="small", year=2020)
    first = fingerprint()
    wipe()
    demo.build(seed=7, scale="small", year=2020)
    assert fingerprint() == first
    wipe()
    demo.build(seed=8, scale="small", year=2020)
    assert fingerprint() != first


@pytest.mark.django_db
def test_running_the_demo_again_changes_nothing():
    demo.build(seed=7, scale="small", year=2020)
    before, events = fingerprint(), AuditEvent.objects.count()
    demo.build(seed=7, scale="small", year=2020)
    assert fingerprint() == before
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_the_command_builds_without_serving_and_prints_the_logins(capsys):
    call_command("demo", "--scale", "small", "--seed", "3", "--no-serve")
    out = capsys.readouterr().out
    assert "station-" in out and "donor-demo" in out and demo.DEMO_PASSWORD in out


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"), [(["--year", "1999"], "--year"), (["--port", "0"], "--port")]
)
def test_the_command_refuses_bad_flags(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("demo", "--scale", "small", "--no-serve", *args)
    assert Region.objects.count() == 0
