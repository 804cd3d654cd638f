"""The demo city: it builds, the same seed gives the same city, and a re-run adds nothing."""

import datetime
import hashlib
import re

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Exists, F, OuterRef, ProtectedError, Q, RestrictedError, Sum
from django.utils import timezone

from tongxing import demo
from tongxing.access import Role
from tongxing.accounts.demo import GIVEN
from tongxing.accounts.models import User
from tongxing.audit.models import AuditEvent
from tongxing.commerce.models import ProcurementTarget, Sale, Supplier
from tongxing.events.models import Event
from tongxing.needs.models import (
    ACTIVE_PLEDGE,
    BannedTerm,
    Feedback,
    FundingPolicy,
    IdempotentRequest,
    Kind,
    Need,
    Pledge,
    PledgeStatus,
    Status,
    ValueCap,
)
from tongxing.notifications.models import Notification
from tongxing.regions.codes import Level
from tongxing.regions.models import Region
from tongxing.registry.models import (
    HelperAssignment,
    Household,
    HouseholdStatus,
    Member,
    Organisation,
    OrganisationKind,
    Person,
    Position,
)
from tongxing.registry.selectors import households_visible_to
from tongxing.visits.models import Visit


def fingerprint() -> str:
    rows = [
        *Region.objects.order_by("code").values_list(
            "code", "name", "level", "parent_id", "key_poor_village", "relocation_village"
        ),
        *User.objects.order_by("username").values_list(
            "username", "role", "region_id", "display_name"
        ),
        # Needs and pledges by their content: their keys go on counting after a wipe.
        *sorted(
            Need.objects.values_list(
                "village_id",
                "kind",
                "title",
                "status",
                "target",
                "pledged",
                "delivered",
                "confirmed",
                "deadline",
                "created_at",
                "published_at",
                "closed_at",
                "public_name",
            )
        ),
        *sorted(
            Pledge.objects.values_list(
                "need__title",
                "need__created_at",
                "donor__username",
                "quantity",
                "status",
                "created_at",
                "payment_reference",
            )
        ),
        Notification.objects.count(),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def delete_records_of(*labels: str) -> None:
    """Delete every record of the apps, in whatever order their protected keys allow."""
    left = [model for label in labels for model in apps.get_app_config(label).get_models()]
    for _round in range(len(left)):
        waiting = []
        for model in left:
            try:
                with transaction.atomic():
                    model._default_manager.all().delete()
            except (ProtectedError, RestrictedError):
                waiting.append(model)
        if not waiting:
            return
        left = waiting
    raise AssertionError(f"Cannot delete the records of {left}")


def wipe() -> None:
    # The audit log refuses deletes through the ORM; the raw table may go in a test.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table}")
    Notification.objects.all().delete()
    delete_records_of("events", "commerce", "visits", "programs")
    Feedback.objects.all().delete()
    IdempotentRequest.objects.all().delete()
    Pledge.objects.update(moved_to=None)
    Pledge.objects.all().delete()
    Need.objects.all().delete()
    ValueCap.objects.all().delete()
    BannedTerm.objects.all().delete()
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
def test_the_small_demo_has_needs_in_every_state():
    demo.build(seed=7, scale="small", year=2020)
    needs = Need.objects.all()
    # 12 a village: 3 replayed step by step, the rest recorded in bulk (closed mostly).
    assert 140 <= needs.count() <= 170  # and the demo logins' own
    assert needs.filter(status=Status.CLOSED).count() > needs.count() / 2
    assert set(needs.values_list("status", flat=True)) == set(Status.values)
    assert set(needs.values_list("kind", flat=True)) == set(Kind.values)
    funds = needs.filter(kind=Kind.FUNDS)
    assert set(funds.values_list("funding_policy", flat=True)) == set(FundingPolicy.values)
    published = needs.filter(status=Status.PUBLISHED)
    assert published.filter(pledged=0).exists()
    assert published.filter(pledged__gt=0, pledged__lt=F("target")).exists()
    assert published.filter(pledged=F("target"), delivered=0).exists()  # to be delivered
    assert published.filter(delivered=F("target"), confirmed=0).exists()  # to be confirmed
    assert needs.filter(status=Status.CLOSED, confirmed=F("target")).exists()
    assert needs.filter(status=Status.CLOSED, expired_at__isnull=False).exists()
    # Every status a pledge rests in: a reserved contribution lasts while its money is paid.
    resting = set(PledgeStatus.values) - {PledgeStatus.RESERVED}
    assert set(Pledge.objects.values_list("status", flat=True)) == resting
    assert Feedback.objects.exists()
    assert not needs.filter(status=Status.REJECTED, status_reason="").exists()
    assert needs.exclude(override_reason="").exists()  # published over a rule, with a reason
    returned = Pledge.objects.filter(status=PledgeStatus.RETURNED, need__status=Status.EXPIRED)
    assert returned.filter(need__funding_policy=FundingPolicy.ALL_OR_NOTHING).exists()
    for need in needs.filter(expired_at__isnull=False):
        assert need.escalated_at is not None
        assert need.deadline < timezone.localtime(need.expired_at).date()
    # Contributions: an offline transfer's reference; those made live (not recorded in
    # bulk, which makes no request) the key of their request, one each.
    contributions = Pledge.objects.filter(need__kind=Kind.FUNDS)
    assert not contributions.filter(payment_reference="").exists()
    keyed = IdempotentRequest.objects.filter(operation="contribute", pledge__isnull=False)
    assert keyed.exists() and not keyed.exclude(pledge__in=contributions).exists()
    assert keyed.values("pledge").distinct().count() == keyed.count()
    # Posted on the household's behalf by staff (but one, by the household login) and
    # reviewed by township stations.
    assert needs.filter(on_behalf=False).count() == 1
    reviewers = needs.exclude(reviewed_by=None).values_list("reviewed_by__role", flat=True)
    assert set(reviewers) == {Role.TOWNSHIP_ADMIN}


@pytest.mark.django_db
def test_each_demo_need_adds_up_its_pledges_on_days_of_the_year_in_order():
    demo.build(seed=7, scale="small", year=2020)
    sums = Need.objects.annotate(
        active=Sum("pledges__quantity", filter=Q(pledges__status__in=ACTIVE_PLEDGE)),
        arrived=Sum(
            "pledges__quantity",
            filter=Q(pledges__status__in=(PledgeStatus.DELIVERED, PledgeStatus.CONFIRMED)),
        ),
        confirmed_lines=Sum("pledges__quantity", filter=Q(pledges__status=PledgeStatus.CONFIRMED)),
    )
    for need in sums:
        assert need.pledged == (need.active or 0), need
        assert need.delivered == (need.arrived or 0), need
        assert need.confirmed == (need.confirmed_lines or 0), need
        assert need.pledged <= need.target
        stamps = [
            need.created_at,
            need.submitted_at,
            need.published_at,
            need.matched_at,
            need.delivered_at,
            need.confirmed_at,
            need.closed_at,
        ]
        stamps = [stamp for stamp in stamps if stamp is not None]
        assert stamps == sorted(stamps), need
        assert timezone.localtime(need.created_at).year == 2020
    for pledge in Pledge.objects.select_related("need"):
        assert pledge.need.published_at <= pledge.created_at
    events = AuditEvent.objects.filter(action__startswith="need.")
    assert events.exists() and not events.exclude(at__year=2020).exists()


@pytest.mark.django_db
def test_the_printed_logins_have_pledges_and_needs_to_look_at():
    ctx = demo.build(seed=7, scale="small", year=2020)
    donor = User.objects.get(username="donor-demo")
    mine = Pledge.objects.filter(donor=donor)
    assert mine.count() >= 4
    assert mine.filter(status=PledgeStatus.CONFIRMED, feedback__isnull=False).exists()
    assert mine.filter(need__kind=Kind.FUNDS).exists()
    enterprise = User.objects.get(username="enterprise-demo")
    theirs = Pledge.objects.filter(donor=enterprise)
    assert theirs.exists() and not theirs.filter(organisation=None).exists()
    assert ctx.logins[Role.ORG_REP][1] == theirs.first().organisation.name
    home = Household.objects.get(account__username="household-demo")
    waiting = Pledge.objects.filter(need__household=home, status=PledgeStatus.DELIVERED)
    assert waiting.filter(donor=donor).exists()
    assert ctx.logins[Role.HOUSEHOLD][1] == home.village.name
    # The cadre login helps households of its township: a cadre acts only for those.
    cadre = User.objects.get(username=ctx.logins[Role.CADRE][0])
    assert households_visible_to(cadre).exists()


@pytest.mark.django_db
def test_the_demos_cadres_post_only_for_the_households_they_help_or_a_village():
    demo.build(seed=7, scale="small", year=2020)
    by_cadres = Need.objects.filter(posted_by__role=Role.CADRE)
    assert by_cadres.exists()
    helped = HelperAssignment.objects.filter(
        person__account=OuterRef("posted_by"), household=OuterRef("household")
    )
    assert not by_cadres.filter(household__isnull=False).exclude(Exists(helped)).exists()


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
def test_the_command_runs_the_days_jobs_so_no_need_past_its_deadline_stays_open(capsys):
    call_command("demo", "--scale", "small", "--seed", "3", "--no-serve")
    # Served again a week later: a need on the board whose deadline has gone by meanwhile.
    late = Need.objects.filter(status=Status.PUBLISHED, pledged__lt=F("target")).first()
    Need.objects.filter(pk=late.pk).update(
        deadline=timezone.localdate() - datetime.timedelta(days=7)
    )
    capsys.readouterr()
    call_command("demo", "--scale", "small", "--seed", "3", "--no-serve")
    late.refresh_from_db()
    assert late.status == Status.EXPIRED and late.escalated_at is not None
    assert "expired 1." in capsys.readouterr().err


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"), [(["--year", "1999"], "--year"), (["--port", "0"], "--port")]
)
def test_the_command_refuses_bad_flags(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("demo", "--scale", "small", "--no-serve", *args)
    assert Region.objects.count() == 0


@pytest.mark.django_db
def test_every_demo_member_has_a_given_name_of_their_recorded_sex():
    demo.build(seed=7, scale="small", year=2020)
    members = list(Member.objects.values_list("name", "sex"))
    assert len(members) > 100
    assert {sex for _name, sex in members} == {"male", "female"}
    misfits = [(name, sex) for name, sex in members if not set(name[1:]) <= set(GIVEN[sex])]
    assert misfits == []


@pytest.mark.django_db
def test_the_command_writes_plain_progress_lines_that_count_what_their_labels_say(capsys):
    call_command("demo", "--scale", "small", "--seed", "3", "--no-serve")
    lines = capsys.readouterr().err.splitlines()
    # The last line of each step, its time left out: "Donors: 51 / 51 (100%)".
    done = {}
    for line in lines:
        match = re.fullmatch(r"(.+): ([\d,]+) / ([\d,]+) \((\d+)%\) \d+:\d\d:\d\d", line)
        if match:
            done[match[1]] = (match[2], match[3])
    needs_steps = done.pop("Needs board, steps replayed")
    needs_on_record = done.pop("Needs on record")
    assert needs_steps[0] == needs_steps[1] and int(needs_steps[0]) > 0
    assert needs_on_record[0] == needs_on_record[1] and int(needs_on_record[0]) > 0
    # Its five parts: the centre, the clinics and contest, exemplars, publicity, policies.
    assert done.pop("Events, exemplars, publicity and policies") == ("5", "5")
    counts = {
        # A first session in each township, and the city's own
        "E-commerce trainings": Region.objects.filter(level=Level.TOWNSHIP).count() + 1,
        "Regions": Region.objects.count(),
        "Staff and demo accounts": User.objects.exclude(role=Role.DONOR).count(),
        "Donors": User.objects.filter(role=Role.DONOR).count(),
        "Household members": Member.objects.count(),
        "Organisations": Organisation.objects.count(),
        # The needs part adds the enterprise login's person record afterwards.
        "People": Person.objects.exclude(account__username="enterprise-demo").count(),
        "Pairing programmes, city by city": Region.objects.filter(level=Level.CITY).count(),
        "Visits": Visit.objects.count(),
        "Suppliers": Supplier.objects.count(),
        "Certifying suppliers": Supplier.objects.count(),
        "Products, supplier by supplier": Supplier.objects.count(),
        "Procurement targets": ProcurementTarget.objects.count(),
        "Sales, seller by seller": Supplier.objects.count(),
    }
    assert done == {label: (f"{n:,}", f"{n:,}") for label, n in counts.items()}
    # By default the demo lives in the present: this year's records, none after today.
    today = timezone.localdate()
    assert Need.objects.filter(created_at__year=today.year).exists()
    assert Visit.objects.filter(visited_on__year=today.year).exists()
    assert not Household.objects.filter(status_since__gt=today).exists()
    assert not Visit.objects.filter(visited_on__gt=today).exists()
    assert not Sale.objects.filter(sold_on__gt=today).exists()
    assert not Event.objects.filter(starts_on__gt=today).exists()
