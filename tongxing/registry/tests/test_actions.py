"""Rules the registry's actions keep whatever page or endpoint calls them."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import TOWNSHIP_A, TOWNSHIP_B, VILLAGE_B1
from tongxing.audit.models import AuditEvent
from tongxing.registry import actions, records
from tongxing.registry.models import HelperAssignment, Person, Relation
from tongxing.registry.selectors import status_as_of
from tongxing.registry.tests.factories import id_number, organisation, person, register


def test_a_helper_from_another_township_cannot_be_assigned(tina, tom):
    household = register(by=tina)
    stranger = person(name="外乡干部", region=TOWNSHIP_B)
    with pytest.raises(ValidationError) as caught:
        actions.assign_helper(
            person=stranger, household=household, since=datetime.date(2024, 1, 1), by=tina
        )
    assert caught.value.message_dict == {"person": ["This one belongs to another region."]}
    assert not HelperAssignment.objects.exists()


def test_a_township_cadre_may_help_in_its_villages(vera, tina):
    household = register(by=vera)
    cadre = person(name="镇干部", region=TOWNSHIP_A)
    actions.assign_helper(
        person=cadre, household=household, since=datetime.date(2024, 1, 1), by=vera
    )
    assert household.assignments.get().person == cadre


def test_a_person_cannot_join_an_organisation_of_another_city(alice, carl):
    far = actions.create_organisation(
        name="远山市某局", kind="government_department", region=carl.region, by=None
    )
    with pytest.raises(ValidationError) as caught:
        actions.create_person(
            name="李四", position="first_secretary", region=alice.region, organisation=far, by=alice
        )
    assert "organisation" in caught.value.message_dict
    assert not Person.objects.filter(name="李四").exists()


def test_an_edit_cannot_contradict_the_id_number_on_file(vera):
    household = register(by=vera)
    head = household.members.get(relation=Relation.HEAD)
    data = records.MemberData(
        name=head.name, relation=Relation.HEAD, birth_date=datetime.date(1999, 1, 1)
    )
    with pytest.raises(ValidationError) as caught:
        actions.update_member(member=head, data=data, by=vera)
    assert caught.value.message_dict == {
        "birth_date": ["The ID number gives the birth date 1970-05-17."]
    }


def test_a_status_change_keeps_the_history_for_as_of_questions(vera):
    household = register(by=vera, since=datetime.date(2019, 3, 1))
    data = records.HouseholdData(
        registry_number=household.registry_number,
        village=household.village,
        status="exited",
        status_since=datetime.date(2021, 6, 30),
    )
    actions.update_household(household=household, data=data, by=vera)
    assert status_as_of(household, datetime.date(2020, 12, 31)) == "registered_poor"
    assert status_as_of(household, datetime.date(2021, 12, 31)) == "exited"
    assert status_as_of(household, datetime.date(2018, 12, 31)) is None
    event = AuditEvent.objects.get(action="household.update")
    assert (event.before["status"], event.after["status"]) == ("registered_poor", "exited")


def test_a_village_admin_cannot_register_in_another_village(vera):
    with pytest.raises(PermissionDenied):
        register(by=vera, village=VILLAGE_B1)


def test_every_fault_of_a_new_household_is_named_at_once(vera):
    with pytest.raises(ValidationError) as caught:
        actions.register_household(
            data=records.HouseholdData(
                registry_number="",
                village=vera.region,
                status="rich",
                status_since=datetime.date(2999, 1, 1),
                hardship_causes=["laziness"],
            ),
            members=[
                records.MemberData(name="", relation="head", id_number="123", phone="12345"),
                records.MemberData(name="甲", relation="head", id_number=id_number(1)),
            ],
            by=vera,
        )
    assert set(caught.value.message_dict) == {
        "registry_number",
        "status",
        "status_since",
        "hardship_causes",
        "members",
        "members.0.name",
        "members.0.id_number",
        "members.0.phone",
    }


def test_an_organisation_code_is_checked_and_unique(alice):
    organisation(name="甲合作社", serial=7)
    with pytest.raises(ValidationError) as caught:
        organisation(name="乙合作社", serial=7)
    assert caught.value.message_dict == {
        "credit_code": ["An organisation with this code is already registered."]
    }
