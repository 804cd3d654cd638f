"""The regions API: each operation against anonymous, a donor, staff elsewhere, staff here."""

import pytest

from conftest import (
    CITY,
    OTHER_CITY,
    TOWNSHIP_A,
    TOWNSHIP_B,
    VILLAGE_A1,
    add_other_city,
    api_client_for,
    make_user,
)
from tongxing.access import Role
from tongxing.audit.models import AuditEvent
from tongxing.regions.models import Region


def codes(response) -> list[str]:
    return [item["code"] for item in response.json()["items"]]


def test_anonymous_callers_get_401_as_json(tree):
    response = api_client_for(None).get("/api/v1/regions")
    assert response.status_code == 401
    assert response.json() == {"detail": "Log in first: send a bearer token."}


def test_a_donor_gets_403(dora, tree):
    assert api_client_for(dora).get("/api/v1/regions").status_code == 403


def test_a_township_admin_lists_only_their_township(tina, tom):
    assert codes(api_client_for(tina).get("/api/v1/regions")) == [
        "590101001000",
        "590101001001",
        "590101001002",
    ]
    assert codes(api_client_for(tom).get("/api/v1/regions")) == ["590101002000", "590101002001"]


def test_the_list_filters_by_level_parent_name_and_tag(alice):
    client = api_client_for(alice)
    assert codes(client.get("/api/v1/regions?level=4")) == [TOWNSHIP_A, TOWNSHIP_B]
    assert codes(client.get(f"/api/v1/regions?parent={TOWNSHIP_A}")) == [VILLAGE_A1, "590101001002"]
    assert codes(client.get("/api/v1/regions?q=杏花")) == ["590101001002"]
    assert codes(client.get("/api/v1/regions?tag=provincial_key_village")) == ["590101002001"]
    response = client.get("/api/v1/regions?level=4")
    assert response.json()["count"] == 2
    assert response.json()["items"][0] == {
        "code": TOWNSHIP_A,
        "name": "柳塘镇",
        "level": 4,
        "level_name": "township",
        "parent": "590101000000",
        "tags": [],
    }


@pytest.mark.parametrize("query", ["level=9", "parent=123", "tag=gold", "page=0", "level=x"])
def test_bad_filters_get_422_with_the_field_named(alice, query):
    response = api_client_for(alice).get(f"/api/v1/regions?{query}")
    assert response.status_code == 422
    assert response.json()["detail"]


def test_a_region_comes_with_its_path_counts_and_children(alice):
    body = api_client_for(alice).get(f"/api/v1/regions/{TOWNSHIP_A}").json()
    assert [r["code"] for r in body["path"]] == ["590100000000", "590101000000", TOWNSHIP_A]
    assert body["counts"] == {
        "subregions": 2,
        "villages": 2,
        "key_poor_village": 2,
        "relocation_village": 1,
        "provincial_key_village": 0,
    }
    assert [c["region"]["code"] for c in body["children"]] == [VILLAGE_A1, "590101001002"]


def test_a_region_outside_the_scope_is_404_not_403(tom, tina):
    assert api_client_for(tom).get(f"/api/v1/regions/{TOWNSHIP_A}").status_code == 404
    assert api_client_for(tina).get(f"/api/v1/regions/{TOWNSHIP_A}").status_code == 200
    assert api_client_for(tina).get("/api/v1/regions/999999999999").status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        (None, 401),
        ("dora", 403),
        ("cody", 403),
        ("victor", 403),
        ("tina", 403),
        ("carl", 404),
        ("alice", 200),
    ],
)
def test_only_the_city_office_of_the_region_changes_tags(request, tree, persona, status):
    user = request.getfixturevalue(persona) if persona else None
    response = api_client_for(user).patch(
        f"/api/v1/regions/{VILLAGE_A1}",
        {"name": "新桃李村", "relocation_village": True},
        content_type="application/json",
    )
    assert response.status_code == status
    village = Region.objects.get(code=VILLAGE_A1)
    changed = (village.name, village.relocation_village) == ("新桃李村", True)
    assert changed == (status == 200)
    assert AuditEvent.objects.filter(action="region.update").count() == (status == 200)


def test_tags_on_a_township_are_refused_field_by_field(alice):
    response = api_client_for(alice).patch(
        f"/api/v1/regions/{TOWNSHIP_A}", {"key_poor_village": True}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "tags", "message": "Only villages carry tags."}]
    assert not Region.objects.get(code=TOWNSHIP_A).key_poor_village


def test_malformed_json_is_a_client_error(alice):
    response = api_client_for(alice).patch(
        f"/api/v1/regions/{VILLAGE_A1}", "{not json", content_type="application/json"
    )
    assert 400 <= response.status_code < 500


def test_each_child_comes_with_the_counts_of_its_own_subtree(alice):
    body = api_client_for(alice).get("/api/v1/regions/590101000000").json()
    counts = {
        child["region"]["code"]: (
            child["subregions"],
            child["villages"],
            child["key_poor_village"],
            child["relocation_village"],
            child["provincial_key_village"],
        )
        for child in body["children"]
    }
    assert counts == {TOWNSHIP_A: (2, 2, 2, 1, 0), TOWNSHIP_B: (1, 1, 0, 0, 1)}


def test_a_city_that_governs_a_township_directly_counts_each_child_right(alice):
    from tongxing.regions.actions import import_regions

    rows = [
        {"code": "590100005000", "name": "直管镇"},  # no county: its parent is the city
        {"code": "590100005001", "name": "直管村", "tags": "移民村"},
    ]
    assert import_regions(rows=list(enumerate(rows, start=2)), by=None).ok
    body = api_client_for(alice).get("/api/v1/regions/590100000000").json()
    counts = {
        c["region"]["code"]: (c["villages"], c["relocation_village"]) for c in body["children"]
    }
    assert counts == {"590100005000": (1, 1), "590101000000": (3, 1)}


def post_file(client, content: bytes, name="regions.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/api/v1/regions/import", {"file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        (None, 401),
        ("dora", 403),
        ("cody", 403),
        ("victor", 403),
        ("tina", 403),
        ("carl", 400),
        ("alice", 200),
    ],
)
def test_importing_through_the_api(request, tree, persona, status):
    user = request.getfixturevalue(persona) if persona else None
    response = post_file(api_client_for(user), "code,name\n590101001003,新建村\n".encode())
    assert response.status_code == status
    assert Region.objects.filter(code="590101001003").exists() == (status == 200)
    if status == 200:
        assert response.json() == {"created": 1, "updated": 0, "unchanged": 0, "errors": []}


def test_an_api_import_with_bad_rows_lists_them(alice):
    response = post_file(api_client_for(alice), b"code,name\n590101001003,\n1,x\n")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 2, "column": "name", "message": "The name is empty."},
        {"row": 3, "column": "code", "message": "A region code has 12 digits."},
    ]


def test_an_api_import_of_an_unreadable_file_is_400(alice):
    response = post_file(api_client_for(alice), b"%PDF", name="x.pdf")
    assert response.status_code == 400
    assert response.json()["detail"] == "Unsupported file type: use .xlsx, .xls or .csv."


# Every role against village A1: staff whose region holds it read it, others get 404 (a
# code outside one's region does not leak), and roles without a region get 403.
REGION_READERS = [
    ("anonymous", None, None, 401),
    ("donor", Role.DONOR, None, 403),
    ("org_rep", Role.ORG_REP, None, 403),
    ("household", Role.HOUSEHOLD, None, 403),
    ("viewer", Role.VIEWER, TOWNSHIP_A, 200),
    ("cadre", Role.CADRE, VILLAGE_A1, 200),
    ("village", Role.VILLAGE_ADMIN, VILLAGE_A1, 200),
    ("township_b", Role.TOWNSHIP_ADMIN, TOWNSHIP_B, 404),
    ("township", Role.TOWNSHIP_ADMIN, TOWNSHIP_A, 200),
    ("city", Role.CITY_ADMIN, CITY, 200),
    ("other_city", Role.CITY_ADMIN, OTHER_CITY, 404),
]


@pytest.mark.parametrize(("name", "role", "region", "status"), REGION_READERS)
def test_a_region_is_read_by_the_staff_of_its_region_only(tree, name, role, region, status):
    if region == OTHER_CITY:
        add_other_city()
    reader = make_user(f"reader-{name}", role, region) if role else None
    response = api_client_for(reader).get(f"/api/v1/regions/{VILLAGE_A1}")
    assert response.status_code == status
    assert (VILLAGE_A1 in response.content.decode()) == (status == 200)
