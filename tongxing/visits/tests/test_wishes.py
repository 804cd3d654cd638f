"""Raising a child's micro-wish (微心愿) from a visit: entered once with the visit, posted
through the board's own action for a left-behind child of the household visited, and sent
to review like any other need; by the action, the API and the visit form.

Cleo is the cadre of township A assigned to 张建国's household (village A1), where 张小明 is
a left-behind child; 李大山's household (village A1) has 李小红, not assigned to Cleo; 王五's
household (township B) has 王小芳. Tina is township A's station, Tom township B's.
"""

import json

import pytest
from django.core.exceptions import ValidationError

from conftest import TOWNSHIP_A, VILLAGE_A1, VILLAGE_B1, api_client_for, client_for, make_user
from tongxing.access import Role
from tongxing.audit.models import AuditEvent
from tongxing.needs.models import Kind, Need, Status
from tongxing.needs.tests import factories as nf
from tongxing.registry.models import Member, Person, Relation
from tongxing.registry.tests.factories import assign
from tongxing.visits import actions
from tongxing.visits.models import Visit
from tongxing.visits.tests import factories as f


@pytest.fixture
def home(tree):
    return nf.household(head="张建国", child="张小明")


@pytest.fixture
def neighbour(tree):
    return nf.household(head="李大山", child="李小红")


@pytest.fixture
def cleo(home):
    account = make_user("cleo", Role.CADRE, TOWNSHIP_A)
    assign(account, home)
    return account


@pytest.fixture
def cleo_person(cleo):
    return Person.objects.get(account=cleo)


def child_of(household) -> Member:
    return household.members.get(relation=Relation.CHILD)


def test_a_micro_wish_raised_from_a_visit_is_the_childs_and_goes_to_review(cleo, cleo_person, home):
    data = f.visit_data(cleo_person, household=home, findings="孩子想要一个新书包")
    wish = nf.wish_data(home, story="")
    visit, posted = actions.raise_need(data=data, need=wish, by=cleo, client_key="wish-1")
    assert (posted.kind, posted.child, posted.household, posted.village_id) == (
        Kind.WISH,
        child_of(home),
        home,
        VILLAGE_A1,
    )
    assert (posted.status, posted.value_fen, posted.target, posted.posted_by) == (
        Status.SUBMITTED,
        80_00,
        1,
        cleo,
    )
    assert posted.public_name == "张**"  # the child's surname, never the whole name
    assert visit.need == posted
    assert AuditEvent.objects.get(action="visit.need_raised").after == {"need": posted.pk}
    # Sent again (the network dropped before the answer): the same visit and wish.
    again, same = actions.raise_need(data=data, need=wish, by=cleo, client_key="wish-1")
    assert (again.pk, same.pk) == (visit.pk, posted.pk)
    assert Visit.objects.count() == 1 and Need.objects.count() == 1


def test_a_wish_for_a_child_of_another_household_saves_nothing(tree, home, neighbour):
    data = f.visit_data(f.visitor(), household=home)
    wish = nf.wish_data(neighbour, title="")
    with pytest.raises(ValidationError) as refused:
        actions.raise_need(data=data, need=wish, by=None)
    assert refused.value.message_dict == {
        "need.title": ["Say what is needed."],
        "need.child": ["Choose a child of the household visited."],
    }
    assert Visit.objects.count() == 0 and Need.objects.count() == 0


def test_a_wish_needs_a_left_behind_child_named(tree, home):
    data = f.visit_data(f.visitor(), household=home)
    head = home.members.get(relation=Relation.HEAD)
    for child, message in (
        (None, "Choose the child whose wish it is."),
        (head, "Micro-wishes are for children registered as left behind."),
    ):
        with pytest.raises(ValidationError) as refused:
            actions.raise_need(data=data, need=nf.wish_data(home, child=child), by=None)
        assert refused.value.message_dict == {"need.child": [message]}
    assert Visit.objects.count() == 0 and Need.objects.count() == 0


def test_a_wish_is_worth_one_to_a_thousand_yuan(tree, home):
    data = f.visit_data(f.visitor(), household=home)
    with pytest.raises(ValidationError) as refused:
        actions.raise_need(data=data, need=nf.wish_data(home, value_fen=1000_01), by=None)
    assert refused.value.message_dict == {"need.value_fen": ["A micro-wish is worth ¥1 to ¥1,000."]}


# --- The API ------------------------------------------------------------------------------


def raise_body(home, child, **need) -> dict:
    return {
        "visit": {
            "visited_on": f.days_ago(1).isoformat(),
            "household_id": home.pk,
            "purpose": "condolence",
            "findings": "孩子想要一套新文具",
        },
        "need": {
            "kind": "wish",
            "category": "study",
            "title": "一套新文具",
            "deadline": nf.in_days(30).isoformat(),
            "value_fen": 50_00,
            "child_id": child.pk,
            **need,
        },
    }


def post_raise(user, body, **headers):
    return api_client_for(user).post(
        "/api/v1/visits/raise-need",
        json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def test_the_api_raises_a_wish_for_the_child_named(cleo, home):
    response = post_raise(cleo, raise_body(home, child_of(home)), **{"Idempotency-Key": "w-1"})
    assert response.status_code == 201, response.content
    body = response.json()
    wish = Need.objects.get(pk=body["need_id"])
    assert (wish.kind, wish.child, wish.value_fen, wish.story, wish.status) == (
        Kind.WISH,
        child_of(home),
        50_00,
        "",
        Status.SUBMITTED,
    )
    assert body["visit"]["need_id"] == wish.pk


def test_the_api_names_no_child_outside_the_callers_scope(cleo, home, neighbour):
    # 李小红 lives in Cleo's village, in a household not assigned to her: unknown to her.
    response = post_raise(cleo, raise_body(home, child_of(neighbour)))
    assert response.status_code == 404
    assert Visit.objects.count() == 0 and Need.objects.count() == 0


def test_the_api_refuses_a_child_of_another_household_on_its_field(home, neighbour, tina):
    secretary = f.visitor(position="township_party_secretary", region=TOWNSHIP_A)
    body = raise_body(home, child_of(neighbour))
    body["visit"]["visitor_id"] = secretary.pk
    response = post_raise(tina, body)
    assert response.status_code == 400
    assert [(e["field"], e["message"]) for e in response.json()["errors"]] == [
        ("need.child", "Choose a child of the household visited.")
    ]
    assert Visit.objects.count() == 0 and Need.objects.count() == 0


def test_another_township_is_not_told_the_child_exists(home, tom):
    other = nf.household(village=VILLAGE_B1, head="王五", child="王小芳")
    body = raise_body(other, child_of(home))
    body["visit"]["visitor_id"] = f.visitor(region=VILLAGE_B1).pk
    assert post_raise(tom, body).status_code == 404
    assert Need.objects.count() == 0


# --- The visit form -----------------------------------------------------------------------


def wish_form(**changes) -> dict:
    body = {
        "visited_on": f.days_ago(0).isoformat(),
        "purpose": "condolence",
        "findings": "孩子想要一双运动鞋",
        "client_key": "form-wish-1",
        "need_kind": "wish",
        "need_category": "sports",
        "need_title": "一双运动鞋",
        "need_deadline": nf.in_days(20).isoformat(),
        "need_wish_value_yuan": "120.50",
    }
    body.update(changes)
    return body


def test_a_cadre_picks_the_child_among_the_children_of_their_households(cleo, home, neighbour):
    page = client_for(cleo).get("/visits/new/").content.decode()
    assert f'value="{child_of(home).pk}"' in page
    assert "李小红" not in page  # not a child of Cleo's households
    body = wish_form(household=str(home.pk), need_child=str(child_of(home).pk))
    response = client_for(cleo).post("/visits/new/", body)
    assert response.status_code == 302, response.content.decode()[:2000]
    wish = Need.objects.get()
    assert (wish.kind, wish.child, wish.value_fen, wish.story, wish.status) == (
        Kind.WISH,
        child_of(home),
        120_50,
        "孩子想要一双运动鞋",  # what the visit found, entered once
        Status.SUBMITTED,
    )
    assert Visit.objects.get().need == wish


def test_a_cadre_cannot_post_a_child_not_of_their_households(cleo, home, neighbour):
    body = wish_form(household=str(home.pk), need_child=str(child_of(neighbour).pk))
    response = client_for(cleo).post("/visits/new/", body, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["need_child"]
    assert Visit.objects.count() == 0 and Need.objects.count() == 0


def test_an_office_names_the_child_of_the_household_it_names(home, neighbour, tina):
    secretary = f.visitor(position="township_party_secretary", region=TOWNSHIP_A)
    body = wish_form(
        registry_number=home.registry_number, visitor=str(secretary.pk), need_child="张小明"
    )
    response = client_for(tina).post("/visits/new/", body)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Need.objects.get().child == child_of(home)


def test_an_office_naming_a_child_not_of_the_household_saves_nothing(home, neighbour, tina):
    secretary = f.visitor(position="township_party_secretary", region=TOWNSHIP_A)
    body = wish_form(
        registry_number=home.registry_number, visitor=str(secretary.pk), need_child="李小红"
    )
    response = client_for(tina).post("/visits/new/", body, headers={"Accept": "application/json"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["need_child"]
    assert errors["need_child"][0]["message"] == "Choose the child whose wish it is."
    assert Visit.objects.count() == 0 and Need.objects.count() == 0
