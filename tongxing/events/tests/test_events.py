"""Events: recorded with sites and organisations, their outcomes afterwards; who may
record which (the permission matrix); the e-commerce service centre."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_B1
from tongxing.audit.models import AuditEvent
from tongxing.events.actions import events as actions
from tongxing.events.models import Event, EventKind, IncomeGain, Prize, Residency
from tongxing.events.selectors import access_event, events_visible_to
from tongxing.events.tests import factories as f
from tongxing.registry.models import HouseholdStatus, OrganisationKind


@pytest.fixture
def enterprise(tree):
    return f.organisation("青禾电商协会", OrganisationKind.SOCIAL_ORGANISATION)


@pytest.fixture
def olga_for(olga, enterprise):
    f.speaks_for(olga, enterprise)
    return olga


def test_a_township_station_records_an_event_of_its_township_with_its_sites(tina, enterprise):
    hospital = f.organisation("市人民医院", OrganisationKind.HOSPITAL)
    event = f.event(
        by=tina,
        organisers=[enterprise],
        participating=[hospital],
        sites=[(f.region(VILLAGE_A1), "村委会"), (f.region(VILLAGE_A1), "文化广场")],
    )
    assert event.region_id == TOWNSHIP_A
    assert [s.address for s in event.sites.all()] == ["村委会", "文化广场"]
    assert sorted(event.organisations.values_list("role", flat=True)) == [
        "organiser",
        "participant",
    ]
    assert AuditEvent.objects.filter(action="event.created", object_id=str(event.pk)).count() == 1


def test_an_event_with_bad_fields_is_refused_field_by_field_and_nothing_is_kept(tina):
    with pytest.raises(ValidationError) as refused:
        f.event(
            by=tina,
            kind="picnic",
            title="  ",
            starts_on=datetime.date(2020, 5, 10),
            ends_on=datetime.date(2020, 5, 1),
        )
    assert set(refused.value.message_dict) == {"kind", "title", "ends_on"}
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    "who, region",
    [
        ("tom", TOWNSHIP_A),
        ("vera", TOWNSHIP_A),
        ("victor", TOWNSHIP_A),
        ("cody", TOWNSHIP_A),
        ("dora", TOWNSHIP_A),
        ("carl", TOWNSHIP_A),
    ],
)
def test_who_may_not_record_an_event_there(request, tree, who, region):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        f.event(by=user, region=f.region(region))
    assert not Event.objects.exists()


def test_a_township_station_places_no_site_outside_its_township(tina):
    with pytest.raises(PermissionDenied):
        f.event(by=tina, sites=[(f.region(VILLAGE_B1), "广场")])
    assert not Event.objects.exists()


def test_an_org_rep_records_an_event_its_organisation_organises(olga_for, enterprise):
    event = f.event(by=olga_for, organisers=[enterprise])
    assert list(events_visible_to(olga_for)) == [event]
    actions.record_outcomes(event=event, by=olga_for, participants=40)
    event.refresh_from_db()
    assert event.participants == 40


def test_an_org_rep_records_no_event_its_organisation_does_not_organise(olga_for, enterprise, tina):
    with pytest.raises(PermissionDenied):
        f.event(by=olga_for, organisers=[])
    theirs = f.event(by=tina, participating=[enterprise])
    # It reads the event it takes part in, but records nothing of it.
    assert access_event(olga_for, theirs.pk) == theirs
    with pytest.raises(PermissionDenied):
        actions.record_outcomes(event=theirs, by=olga_for, participants=40)
    theirs.refresh_from_db()
    assert theirs.participants is None


def test_an_org_rep_without_an_organisation_records_nothing(olga, tree):
    with pytest.raises(PermissionDenied):
        f.event(by=olga)


def test_a_township_reads_only_its_events_and_the_city_all(tina, tom, alice):
    ours = f.event(by=tina)
    theirs = f.event(by=tom, region=f.region(TOWNSHIP_B), sites=[(f.region(VILLAGE_B1), "")])
    assert list(events_visible_to(tina)) == [ours]
    assert set(events_visible_to(alice)) == {ours, theirs}
    with pytest.raises(Exception) as missing:
        access_event(tina, theirs.pk)
    assert missing.type.__name__ == "Http404"
    with pytest.raises(PermissionDenied):
        actions.record_outcomes(event=theirs, by=tina, participants=1)


def test_the_attendance_list_counts_attendees_from_registered_households(tina):
    poor = f.household("H-1", 1)
    other = f.household("H-2", 2, status=HouseholdStatus.NOT_POOR)
    event = f.event(by=tina)
    members = [poor.members.get(), other.members.get()]
    actions.set_attendance(event=event, members=members, by=tina)
    event.refresh_from_db()
    # Two attended, one of them from a registered household.
    assert (event.participants, event.registered_attendees, event.attendance_listed) == (
        2,
        1,
        True,
    )
    with pytest.raises(ValidationError) as refused:
        actions.record_outcomes(event=event, by=tina, registered_attendees=5)
    assert "registered_attendees" in refused.value.message_dict


def test_without_a_list_the_organisers_give_the_count(tina):
    event = f.event(by=tina)
    actions.record_outcomes(event=event, by=tina, participants=30, registered_attendees=12)
    event.refresh_from_db()
    assert (event.participants, event.registered_attendees) == (30, 12)
    with pytest.raises(ValidationError) as refused:
        actions.record_outcomes(event=event, by=tina, participants=5, registered_attendees=12)
    assert "participants" in refused.value.message_dict
    with pytest.raises(ValidationError):
        actions.record_outcomes(event=event, by=tina, viewers=-1)


def test_an_income_gain_is_by_an_attending_household_or_in_total(tina):
    poor = f.household("H-1", 1)
    absent = f.household("H-2", 2)
    event = f.event(by=tina)
    actions.set_attendance(event=event, members=[poor.members.get()], by=tina)
    day = datetime.date(2020, 8, 1)
    actions.record_income_gain(
        event=event, amount_fen=1200_00, recorded_on=day, household=poor, by=tina
    )
    actions.record_income_gain(event=event, amount_fen=300_00, recorded_on=day, by=tina)
    with pytest.raises(ValidationError) as refused:
        actions.record_income_gain(
            event=event, amount_fen=100, recorded_on=day, household=absent, by=tina
        )
    assert "household" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        actions.record_income_gain(event=event, amount_fen=0, recorded_on=day, by=tina)
    assert "amount_fen" in refused.value.message_dict
    assert sorted(IncomeGain.objects.values_list("amount_fen", flat=True)) == [300_00, 1200_00]


def test_a_contest_has_prizes_and_one_winner_each(tina):
    contest = f.event(by=tina, kind=EventKind.CONTEST, title="宣讲大赛", topic="")
    winner = f.household("H-1", 1).members.get()
    actions.award_prize(event=contest, prize="一等奖", member=winner, by=tina)
    school = f.organisation("柳塘中学", OrganisationKind.SCHOOL)
    with pytest.raises(ValidationError) as refused:
        actions.award_prize(
            event=contest, prize="二等奖", member=winner, organisation=school, by=tina
        )
    assert "winner" in refused.value.message_dict
    training = f.event(by=tina)
    with pytest.raises(ValidationError):
        actions.award_prize(event=training, prize="一等奖", organisation=school, by=tina)
    assert [p.prize for p in Prize.objects.all()] == ["一等奖"]


def test_the_service_centre_takes_e_commerce_companies_only(alice, tina):
    centre = actions.create_centre(
        name="电商公共服务中心", region=f.region("590100000000"), by=alice
    )
    shop = f.organisation("青禾网店", OrganisationKind.ECOMMERCE_COMPANY)
    farm = f.organisation("青禾农场", OrganisationKind.COOPERATIVE)
    actions.add_resident(
        centre=centre, organisation=shop, since=datetime.date(2020, 3, 1), people=12, by=alice
    )
    with pytest.raises(ValidationError) as refused:
        actions.add_resident(
            centre=centre, organisation=farm, since=datetime.date(2020, 3, 1), people=3, by=alice
        )
    assert "organisation" in refused.value.message_dict
    with pytest.raises(ValidationError):
        actions.add_resident(
            centre=centre, organisation=shop, since=datetime.date(2020, 6, 1), people=3, by=alice
        )
    with pytest.raises(PermissionDenied):
        actions.add_resident(
            centre=centre, organisation=shop, since=datetime.date(2021, 6, 1), people=3, by=tina
        )
    assert Residency.objects.count() == 1


def test_no_one_puts_a_member_beyond_their_region_on_a_list(alice, tina):
    away = f.household("H-9", 9, village=VILLAGE_B1)
    event = f.event(by=tina)
    with pytest.raises(PermissionDenied):
        actions.set_attendance(event=event, members=[away.members.get()], by=tina)
    assert not event.attendances.exists()
    # The city office sees every township's members.
    actions.set_attendance(event=event, members=[away.members.get()], by=alice)
    assert event.attendances.count() == 1
