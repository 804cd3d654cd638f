"""Accounts through the API: registration, and staff accounts managed within a region."""

import pytest

from conftest import VILLAGE_A1, VILLAGE_B1, api_client_for
from tongxing.accounts.models import AuditEvent, Role, User


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
    items = api_client_for(carl).get("/api/v1/audit?action=account.create").json()["items"]
    assert [item["after"]["username"] for item in items] == ["carl"]
    assert VILLAGE_B1 not in {item["region_code"] for item in items}
