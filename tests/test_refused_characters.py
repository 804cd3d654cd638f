"""Control and invisible characters, wherever people type: refused with a message, never a
server error (on PostgreSQL a NUL was a 500 on each of these), and nothing is saved."""

import datetime

import pytest
from django.test import Client

from conftest import PASSWORD, VILLAGE_A1, api_client_for, client_for, make_user
from tongxing.access import Role
from tongxing.accounts.models import LoginFailure, User
from tongxing.needs.models import Need
from tongxing.needs.tests import factories as needs_factories
from tongxing.registry.models import Member
from tongxing.registry.tests import factories
from tongxing.registry.tests.factories import id_number

# NUL, BEL, a right-to-left override and a zero-width space.
REFUSED = ["\x00", "\x07", "\u202e", "\u200b"]
NAMES = {"\x00": "U+0000", "\x07": "U+0007", "\u202e": "U+202E", "\u200b": "U+200B"}
# Django's own forms refuse a NUL before the action sees it, in their own words.
DJANGO_NUL = "Null characters are not allowed."


def says_which(text: str, char: str) -> bool:
    return NAMES[char] in text or (char == "\x00" and DJANGO_NUL in text)


def api_errors(response) -> dict[str, str]:
    return {error["field"]: error["message"] for error in response.json()["errors"]}


def form_errors(response, form: str = "form") -> str:
    return " ".join(
        str(message) for messages in response.context[form].errors.values() for message in messages
    )


@pytest.fixture
def household(tree):
    return factories.register(number="H-001", village=VILLAGE_A1, head="张建国")


def new_member(name: str) -> dict:
    return {
        "name": name,
        "relation": "child",
        "id_number": id_number(5, born=datetime.date(2012, 9, 1), sex="female"),
    }


@pytest.mark.parametrize("char", REFUSED)
def test_adding_a_member_from_the_page_refuses_the_character(vera, household, char):
    response = client_for(vera).post(
        f"/registry/households/{household.pk}/members/new/", new_member(f"张小{char}红")
    )
    assert response.status_code == 400
    assert says_which(response.content.decode(), char)
    assert Member.objects.count() == 1


@pytest.mark.parametrize("char", REFUSED)
def test_adding_a_member_through_the_api_refuses_the_character(vera, household, char):
    response = api_client_for(vera).post(
        f"/api/v1/households/{household.pk}/members",
        new_member(f"张小{char}红"),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert api_errors(response) == {
        "name": f"Remove the invisible or control characters ({NAMES[char]}) from this text."
    }
    assert Member.objects.count() == 1


@pytest.mark.parametrize("char", REFUSED)
@pytest.mark.parametrize("field", ["username", "display_name"])
def test_signing_up_on_the_page_refuses_the_character(db, char, field):
    body = {
        "username": "lin",
        "display_name": "林",
        "password": "a long secret 42",
        "password_again": "a long secret 42",
    }
    body[field] = f"li{char}n"
    response = Client().post("/accounts/register/", body)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert User.objects.count() == 0


@pytest.mark.parametrize("char", REFUSED)
@pytest.mark.parametrize("field", ["username", "display_name", "email"])
def test_signing_up_through_the_api_refuses_the_character(db, char, field):
    body = {"username": "lin", "password": "a long secret 42", "display_name": "林", "email": ""}
    body[field] = f"li{char}n@example.org" if field == "email" else f"li{char}n"
    response = Client().post("/api/v1/accounts/register", body, content_type="application/json")
    assert response.status_code == 400
    assert api_errors(response) == {
        field: f"Remove the invisible or control characters ({NAMES[char]}) from this text."
    }
    assert User.objects.count() == 0


def need_form(**changes) -> dict:
    return {
        "kind": "goods",
        "title": "棉被",
        "story": "冬天快到了，家里缺棉被。",
        "urgency": "2",
        "deadline": needs_factories.in_days(20).isoformat(),
        "goods_category": "clothing",
        "quantity": "3",
        "unit": "床",
        "unit_value_yuan": "150",
        "then": "submit",
        **changes,
    }


@pytest.mark.parametrize("char", REFUSED)
@pytest.mark.parametrize("field", ["title", "story", "unit"])
def test_posting_a_need_from_the_page_refuses_the_character(vera, household, char, field):
    # A unit not in the list is typed in its own input.
    typed = {"unit": "other", "unit_other": f"棉{char}被"} if field == "unit" else {}
    response = client_for(vera).post(
        f"/needs/new/?household={household.pk}", need_form(**{field: f"棉{char}被", **typed})
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert says_which(" ".join([*errors.get(field, []), *errors.get(f"{field}_other", [])]), char)
    assert Need.objects.count() == 0


@pytest.mark.parametrize("char", REFUSED)
@pytest.mark.parametrize("field", ["title", "story", "unit"])
def test_posting_a_need_through_the_api_refuses_the_character(vera, household, char, field):
    body = {
        "kind": "goods",
        "category": "clothing",
        "title": "棉被",
        "story": "冬天快到了，家里缺棉被。",
        "deadline": str(needs_factories.in_days(30)),
        "household_id": household.pk,
        "quantity": 3,
        "unit": "床",
        "unit_value_fen": 150_00,
        field: f"棉{char}被",
    }
    response = api_client_for(vera).post("/api/v1/needs", body, content_type="application/json")
    assert response.status_code == 400
    assert api_errors(response) == {
        field: f"Remove the invisible or control characters ({NAMES[char]}) from this text."
    }
    assert Need.objects.count() == 0


@pytest.mark.parametrize("char", REFUSED)
def test_the_household_search_page_refuses_the_character(vera, household, char):
    response = client_for(vera).get("/registry/households/", {"q": f"张{char}"})
    assert response.status_code == 400
    assert f"q: Remove the invisible or control characters ({NAMES[char]})" in (
        response.content.decode()
    )


@pytest.mark.parametrize("char", REFUSED)
def test_the_household_search_of_the_api_refuses_the_character(vera, household, char):
    response = api_client_for(vera).get("/api/v1/households", {"q": f"张{char}"})
    assert response.status_code == 400
    assert api_errors(response) == {
        "q": f"Remove the invisible or control characters ({NAMES[char]}) from this text."
    }


@pytest.mark.parametrize("char", REFUSED)
@pytest.mark.parametrize("parameter", ["q", "region", "kind", "page"])
def test_the_board_refuses_the_character_in_any_parameter(tree, char, parameter):
    page = Client().get("/needs/", {parameter: f"59{char}01"})
    assert page.status_code == 400
    assert NAMES[char] in page.content.decode()
    api = Client().get("/api/v1/needs", {parameter: f"59{char}01"})
    assert api.status_code == 400
    assert api_errors(api) == {
        parameter: f"Remove the invisible or control characters ({NAMES[char]}) from this text."
    }


@pytest.mark.parametrize("char", REFUSED)
def test_a_character_in_the_address_itself_is_refused(tree, char):
    page = Client().get(f"/regions/59{char}01/")
    assert page.status_code == 400
    assert 'href="/"' in page.content.decode()
    assert Client().get(f"/api/v1/regions/59{char}01").status_code == 400


@pytest.mark.parametrize("char", REFUSED)
def test_the_login_page_refuses_the_character(tree, char):
    make_user("alice", Role.CITY_ADMIN, VILLAGE_A1[:4].ljust(12, "0"), password=PASSWORD)
    response = Client().post("/accounts/login/", {"username": f"ali{char}ce", "password": PASSWORD})
    assert response.status_code == 400
    assert says_which(form_errors(response), char)
    assert LoginFailure.objects.count() == 0


@pytest.mark.parametrize("char", REFUSED)
def test_the_token_endpoint_refuses_the_character(tree, char):
    make_user("alice", Role.CITY_ADMIN, VILLAGE_A1[:4].ljust(12, "0"), password=PASSWORD)
    response = Client().post(
        "/api/v1/auth/token",
        {"username": f"ali{char}ce", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert api_errors(response) == {
        "username": f"Remove the invisible or control characters ({NAMES[char]}) from this text."
    }
    assert LoginFailure.objects.count() == 0


# --- Every text field of every action -------------------------------------------------------


def refused_message(char: str) -> str:
    return f"Remove the invisible or control characters ({NAMES[char]}) from this text."


def refusal_of(call) -> dict:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value.message_dict


@pytest.mark.parametrize("char", ["\x07", "\u202e"])
def test_the_registry_refuses_the_character_in_every_text(household, char):
    from tongxing.regions.models import Region
    from tongxing.registry import actions, records
    from tongxing.registry.models import Organisation, Person

    village = Region.objects.get(code=VILLAGE_A1)
    data = records.HouseholdData(
        registry_number=f"H-{char}2",
        village=village,
        status="registered_poor",
        status_since=datetime.date(2019, 3, 1),
    )
    member = records.MemberData(name=f"李{char}强", relation="head")
    assert refusal_of(lambda: actions.register_household(data=data, members=[member], by=None)) == {
        "registry_number": [refused_message(char)],
        "members.0.name": [refused_message(char)],
    }
    assert refusal_of(
        lambda: actions.create_organisation(
            name=f"合作{char}社", kind="cooperative", region=village, by=None
        )
    ) == {"name": [refused_message(char)]}
    assert refusal_of(
        lambda: actions.create_person(
            name=f"李{char}强", position="assigned_cadre", region=village, by=None
        )
    ) == {"name": [refused_message(char)]}
    assert (Member.objects.count(), Organisation.objects.count(), Person.objects.count()) == (
        1,
        0,
        0,
    )


@pytest.mark.parametrize("char", ["\x07", "\u202e"])
def test_regions_and_accounts_refuse_the_character(tree, alice, char):
    from tongxing.accounts.actions import DonorRow, create_donors_in_bulk, update_user
    from tongxing.regions.actions import import_regions, update_region
    from tongxing.regions.models import Region

    village = Region.objects.get(code=VILLAGE_A1)
    assert refusal_of(lambda: update_region(region=village, by=alice, name=f"桃{char}李村")) == {
        "name": [refused_message(char)]
    }
    result = import_regions(rows=[(2, {"code": "590101001003", "name": f"新{char}村"})], by=None)
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (2, "name", refused_message(char))
    ]
    assert refusal_of(
        lambda: create_donors_in_bulk(rows=[DonorRow("ok"), DonorRow(f"x{char}")], by=None)
    ) == {"2.username": [refused_message(char)]}
    assert refusal_of(lambda: update_user(user=alice, by=None, display_name=f"A{char}")) == {
        "display_name": [refused_message(char)]
    }
    village.refresh_from_db()
    alice.refresh_from_db()
    assert (village.name, alice.display_name) == ("桃李村", "Alice")
    assert not Region.objects.filter(code="590101001003").exists()
    assert not User.objects.filter(username="ok").exists()


@pytest.fixture
def quilts(household, tina):
    return needs_factories.published(needs_factories.goods_data(household), reviewer=tina)


@pytest.mark.parametrize("char", ["\x07", "\u202e"])
def test_the_needs_board_refuses_the_character_in_every_text(quilts, dora, vera, tina, char):
    from tongxing.needs.actions import delivery, pledges, posting, rules
    from tongxing.needs.models import Pledge

    pledge = pledges.pledge_goods(need=quilts, by=dora, quantity=1).pledge
    calls = {
        "note": lambda: pledges.pledge_goods(need=quilts, by=dora, quantity=1, note=f"a{char}"),
        "reason": lambda: pledges.withdraw_pledge(pledge=pledge, by=dora, reason=f"a{char}"),
        "payment_reference": lambda: pledges.contribute(
            need=needs_factories.published(
                needs_factories.funds_data(quilts.household), reviewer=tina
            ),
            by=dora,
            amount_fen=100_00,
            payment_reference=f"TX{char}1",
            idempotency_key="k-1",
        ),
    }
    for field, call in calls.items():
        assert refusal_of(call) == {field: [refused_message(char)]}, field
    assert refusal_of(lambda: delivery.deliver_pledge(pledge=pledge, by=dora, note=f"a{char}")) == {
        "note": [refused_message(char)]
    }
    assert refusal_of(lambda: posting.cancel_need(need=quilts, by=vera, reason=f"a{char}")) == {
        "reason": [refused_message(char)]
    }
    from tongxing.regions.models import Region

    city = Region.objects.get(code="590100000000")
    assert refusal_of(
        lambda: rules.add_banned_term(region=city, term=f"x{char}", note=f"y{char}", by=None)
    ) == {"term": [refused_message(char)], "note": [refused_message(char)]}
    pledge.refresh_from_db()
    assert (pledge.status, pledge.note, Pledge.objects.count()) == ("pledged", "", 1)


def test_over_long_reasons_and_notes_are_refused_not_cut(quilts, dora, vera, tina):
    from tongxing.needs.actions import delivery, pledges, posting, review

    pledge = pledges.pledge_goods(need=quilts, by=dora, quantity=1).pledge
    long = "很" * 301
    too_long = ["Keep it to 300 characters (this has 301)."]
    assert refusal_of(lambda: pledges.withdraw_pledge(pledge=pledge, by=dora, reason=long)) == {
        "reason": too_long
    }
    assert refusal_of(lambda: delivery.deliver_pledge(pledge=pledge, by=dora, note=long)) == {
        "note": too_long
    }
    submitted = posting.create_need(
        data=needs_factories.goods_data(quilts.household, title="棉衣"),
        by=vera,
        submit=True,
    )
    assert refusal_of(
        lambda: review.review_need(need=submitted, by=tina, approve=False, reason=long)
    ) == {"reason": too_long}
    pledge.refresh_from_db()
    submitted.refresh_from_db()
    assert (pledge.status, pledge.end_reason, submitted.status) == ("pledged", "", "submitted")


def test_a_roster_row_with_the_character_is_refused_and_nothing_is_imported(tree):
    from tongxing.registry.actions import import_households
    from tongxing.registry.models import Household

    rows = [
        (
            2,
            {
                "registry_number": "H-9",
                "village": "桃李村",
                "name": "张\x07三",
                "relation": "户主",
                "id_number": id_number(9),
                "status": "建档立卡户",
            },
        ),
    ]
    result = import_households(rows=rows, by=None)
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (2, "name", refused_message("\x07"))
    ]
    assert not Household.objects.filter(registry_number="H-9").exists()
