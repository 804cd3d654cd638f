"""Accounts through the API: registration, and staff accounts managed within a region."""

import pytest

from conftest import (
    CITY,
    OTHER_CITY,
    TOWNSHIP_A,
    TOWNSHIP_B,
    VILLAGE_A1,
    VILLAGE_B1,
    add_other_city,
    api_client_for,
    make_user,
)
from tongxing.access import Role
from tongxing.accounts.models import User
from tongxing.audit.models import AuditEvent


def register(body):
    return api_client_for(None).post(
        "/api/v1/accounts/register", body, content_type="application/json"
    )


def test_anyone_can_sign_up_as_a_donor(db):
    response = register(
        {"username": "小明", "password": "a long secret 42", "display_name": "小明"}
    )
    assert response.status_code == 201
    user = User.objects.get(username="小明")
    assert user.role == Role.DONOR and user.region is None
    assert AuditEvent.objects.get(action="account.register").actor == user


def test_sign_up_errors_are_field_by_field(dora):
    response = register({"username": "dora", "password": "123"})
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"username", "password"}
    assert User.objects.count() == 1


def new_user(client, **body):
    return client.post("/api/v1/users", body, content_type="application/json")


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        (None, 401),
        ("dora", 403),
        ("cody", 403),
        ("victor", 403),
        ("vera", 403),
        ("tom", 404),
        ("tina", 201),
        ("alice", 201),
    ],
)
def test_creating_a_village_admin_in_township_a(request, tree, persona, status):
    user = request.getfixturevalue(persona) if persona else None
    response = new_user(
        api_client_for(user),
        username="wu",
        role="village_admin",
        region=VILLAGE_A1,
        display_name="吴",
    )
    assert response.status_code == status
    assert User.objects.filter(username="wu").exists() == (status == 201)
    if status == 201:
        assert response.json()["region"] == VILLAGE_A1
        event = AuditEvent.objects.get(
            action="account.create", object_id=str(response.json()["id"])
        )
        assert event.actor == user and event.region_code == VILLAGE_A1


def test_a_township_station_cannot_make_a_city_administrator(tina):
    response = new_user(
        api_client_for(tina), username="boss", role="city_admin", region="590101001000"
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="boss").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "x1", "role": "village_admin"}, "region"),
        ({"username": "x2", "role": "village_admin", "region": "590101001000"}, "region"),
        ({"username": "alice", "role": "cadre", "region": VILLAGE_A1}, "username"),
        (
            {"username": "x3", "role": "cadre", "region": VILLAGE_A1, "password": "short"},
            "password",
        ),
    ],
)
def test_a_bad_new_account_is_refused_with_the_field_named(alice, body, field):
    response = new_user(api_client_for(alice), **body)
    assert response.status_code == 400
    assert field in {e["field"] for e in response.json()["errors"]}
    assert User.objects.count() == 1


def test_an_unknown_role_is_a_schema_error(alice):
    response = new_user(api_client_for(alice), username="x", role="king", region=VILLAGE_A1)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "role"


def test_account_lists_are_scoped(alice, tina, tom, vera):
    def names(user):
        return {u["username"] for u in api_client_for(user).get("/api/v1/users").json()["items"]}

    assert names(alice) == {"alice", "tina", "tom", "vera"}
    assert names(tina) == {"tina", "vera"}
    assert names(tom) == {"tom"}


# Every role against the account of vera, the village admin of A1: (name, role, region,
# status of GET /users/{vera}, status of GET /users, whether that list holds vera).
ACCOUNT_READERS = [
    ("anonymous", None, None, 401, 401, False),
    ("donor", Role.DONOR, None, 403, 403, False),
    ("org_rep", Role.ORG_REP, None, 403, 403, False),
    ("household", Role.HOUSEHOLD, None, 403, 403, False),
    ("viewer", Role.VIEWER, TOWNSHIP_A, 403, 403, False),
    ("cadre", Role.CADRE, VILLAGE_A1, 403, 403, False),
    ("village", Role.VILLAGE_ADMIN, VILLAGE_A1, 403, 403, False),
    ("township_b", Role.TOWNSHIP_ADMIN, TOWNSHIP_B, 404, 200, False),
    ("township", Role.TOWNSHIP_ADMIN, TOWNSHIP_A, 200, 200, True),
    ("city", Role.CITY_ADMIN, CITY, 200, 200, True),
    ("other_city", Role.CITY_ADMIN, OTHER_CITY, 404, 200, False),
]


@pytest.mark.parametrize(("name", "role", "region", "one", "many", "listed"), ACCOUNT_READERS)
def test_accounts_are_read_by_the_offices_of_their_region_only(
    vera, name, role, region, one, many, listed
):
    if region == OTHER_CITY:
        add_other_city()
    reader = make_user(f"reader-{name}", role, region) if role else None
    client = api_client_for(reader)
    response = client.get(f"/api/v1/users/{vera.pk}")
    assert response.status_code == one
    assert ("vera" in response.content.decode()) == (one == 200)
    response = client.get("/api/v1/users")
    assert response.status_code == many
    usernames = {u["username"] for u in response.json()["items"]} if many == 200 else set()
    assert ("vera" in usernames) == listed


@pytest.mark.parametrize(
    ("persona", "status"),
    [("dora", 403), ("cody", 403), ("victor", 403), ("tom", 404), ("tina", 200)],
)
def test_deactivating_an_account_needs_its_region(request, vera, persona, status):
    client = api_client_for(request.getfixturevalue(persona))
    response = client.patch(
        f"/api/v1/users/{vera.pk}", {"is_active": False}, content_type="application/json"
    )
    assert response.status_code == status
    vera.refresh_from_db()
    assert vera.is_active == (status != 200)


def test_nobody_deactivates_themselves(alice):
    response = api_client_for(alice).patch(
        f"/api/v1/users/{alice.pk}", {"is_active": False}, content_type="application/json"
    )
    assert response.status_code == 400
    alice.refresh_from_db()
    assert alice.is_active


def test_the_audit_log_is_for_the_city_office_and_scoped(alice, tina, vera):
    assert api_client_for(tina).get("/api/v1/audit").status_code == 403
    items = api_client_for(alice).get("/api/v1/audit?action=account.create").json()["items"]
    assert {item["after"]["username"] for item in items} == {"alice", "tina", "vera"}


def test_another_citys_office_sees_none_of_our_log(alice, vera, carl):
    response = api_client_for(carl).get("/api/v1/audit?action=account.create")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["after"]["username"] for item in items] == ["carl"]
    assert VILLAGE_B1 not in {item["region_code"] for item in items}
