"""The registry through the API: who may read and change what, and what comes back."""

import datetime

import pytest
from django.utils import timezone

from conftest import TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, api_client_for, make_user
from tongxing.access import Role
from tongxing.audit.models import AuditEvent
from tongxing.registry.models import (
    HelperAssignment,
    Household,
    HouseholdStatusChange,
    Member,
    Organisation,
    Person,
)
from tongxing.registry.tests import factories
from tongxing.registry.tests.factories import id_number
from tongxing.registry.validators import make_credit_code

# The directory of the region (organisations, people): every cadre and viewer of it reads it.
READ_MATRIX = [
    (None, 401),
    ("dora", 403),
    ("olga", 403),
    ("tom", 404),
    ("carl", 404),
    ("cody", 200),
    ("victor", 200),
    ("vera", 200),
    ("tina", 200),
    ("alice", 200),
]
# A household's record: its cadre reads it; a cadre who does not help it finds nothing there,
# as if it lay outside the region.
HOUSEHOLD_READ_MATRIX = [
    (None, 401),
    ("dora", 403),
    ("olga", 403),
    ("tom", 404),
    ("carl", 404),
    ("cleo", 200),
    ("cody", 404),
    ("victor", 200),
    ("vera", 200),
    ("tina", 200),
    ("alice", 200),
]
# A new household: no cadre or viewer registers one.
NEW_HOUSEHOLD_MATRIX = [
    (None, 401),
    ("dora", 403),
    ("olga", 403),
    ("cody", 403),
    ("victor", 403),
    ("tom", 404),
    ("carl", 404),
    ("vera", 200),
    ("tina", 200),
    ("alice", 200),
]
# A household on file: not even its own cadre changes it.
WRITE_MATRIX = [
    (None, 401),
    ("dora", 403),
    ("olga", 403),
    ("cleo", 403),
    ("cody", 403),
    ("victor", 403),
    ("tom", 404),
    ("carl", 404),
    ("vera", 200),
    ("tina", 200),
    ("alice", 200),
]
DIRECTORY_WRITE_MATRIX = [
    (None, 401),
    ("dora", 403),
    ("cody", 403),
    ("victor", 403),
    ("vera", 403),
    ("tom", 404),
    ("carl", 404),
    ("tina", 200),
    ("alice", 200),
]
EDITORS = ("vera", "tina", "alice")


@pytest.fixture
def cleo(household):
    """The cadre of township A assigned to the household: reads it, changes nothing."""
    account = make_user("cleo", Role.CADRE, TOWNSHIP_A)
    factories.assign(account, household)
    return account


@pytest.fixture
def household(tree):
    return factories.register(number="H-001", village=VILLAGE_A1, head="张建国")


@pytest.fixture
def head(household):
    return household.members.get(relation="head")


def client(request, who):
    return api_client_for(request.getfixturevalue(who) if who else None)


def created(status: int) -> int:
    return 201 if status == 200 else status


# --- Households ---------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), HOUSEHOLD_READ_MATRIX)
def test_listing_households(request, household, who, status):
    response = client(request, who).get("/api/v1/households")
    if status == 404:  # another region's list is just empty
        assert response.status_code == 200
        assert response.json() == {"items": [], "count": 0}
        return
    assert response.status_code == status
    if status == 200:
        assert response.json() == {
            "count": 1,
            "items": [
                {
                    "id": household.pk,
                    "registry_number": "H-001",
                    "village": VILLAGE_A1,
                    "village_name": "桃李村",
                    "status": "registered_poor",
                    "status_since": "2019-03-01",
                    "hardship_causes": [],
                    "disability": False,
                    "serious_illness": False,
                    "left_behind_children": False,
                    "elderly_living_alone": False,
                    "head_name": "张建国",
                    "head_id_number_masked": "420981********0015",
                }
            ],
        }


@pytest.fixture
def three_households(tree):
    factories.register(number="H-001", head="张建国", disability=True, serious_illness=True)
    factories.register(
        number="H-002",
        head="李秀英",
        head_id=id_number(1, sex="female"),
        head_phone=factories.phone(1),
        village=VILLAGE_A2,
        status="exited",
        disability=True,
    )
    factories.register(
        number="X-003",
        head="王强",
        head_id=id_number(2),
        head_phone=factories.phone(2),
        village=VILLAGE_B1,
        status="under_monitoring",
    )


@pytest.mark.parametrize(
    ("query", "numbers"),
    [
        ("", ["H-001", "H-002", "X-003"]),
        ("?q=李秀", ["H-002"]),
        ("?q=H-00", ["H-001", "H-002"]),
        (f"?q={id_number(2)[:14]}", []),
        (f"?village={VILLAGE_A2}", ["H-002"]),
        ("?status=under_monitoring", ["X-003"]),
        ("?flag=disability", ["H-001", "H-002"]),
        ("?flag=disability&flag=serious_illness", ["H-001"]),
    ],
)
def test_searching_and_filtering_households(alice, three_households, query, numbers):
    response = api_client_for(alice).get("/api/v1/households" + query)
    assert [h["registry_number"] for h in response.json()["items"]] == numbers


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?status=king", "query.status"),
        ("?flag=rich", "query.flag.0"),
        ("?village=5901", "query.village"),
    ],
)
def test_a_malformed_filter_is_a_schema_error(alice, query, field):
    response = api_client_for(alice).get("/api/v1/households" + query)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_households_are_listed_fifty_a_page(alice, tree):
    for i in range(51):
        factories.register(
            number=f"H-{i:03d}",
            head=f"户主{i}",
            head_id=id_number(i),
            head_phone=factories.phone(i),
        )
    api = api_client_for(alice)
    first = api.get("/api/v1/households").json()
    assert (first["count"], len(first["items"])) == (51, 50)
    second = api.get("/api/v1/households?page=2").json()
    assert [h["registry_number"] for h in second["items"]] == ["H-050"]


@pytest.mark.parametrize(("who", "status"), HOUSEHOLD_READ_MATRIX)
def test_reading_a_household(request, household, head, who, status):
    response = client(request, who).get(f"/api/v1/households/{household.pk}")
    assert response.status_code == status
    if status != 200:
        return
    body = response.json()
    assert (body["registry_number"], body["head_name"], body["head_id_number_masked"]) == (
        "H-001",
        "张建国",
        "420981********0015",
    )
    assert body["members"] == [
        {
            "id": head.pk,
            "household": household.pk,
            "name": "张建国",
            "relation": "head",
            "id_number_masked": "420981********0015",
            "phone_masked": "138****0000",
            "birth_date": "1970-05-17",
            "sex": "male",
            "labour_ability": "",
            "left_behind_child": False,
            "student": False,
            "disabled": False,
        }
    ]
    # Cleo reads the household as its assigned helper: she is its one helper.
    helpers = [helper["person_name"] for helper in body["helpers"]]
    assert helpers == (["Cleo"] if who == "cleo" else [])
    assert body["status_history"] == [{"status": "registered_poor", "since": "2019-03-01"}]


def test_a_cadre_lists_and_searches_only_the_households_assigned_to_them(cleo, household):
    other = factories.register(number="H-002", head="李四", head_id=id_number(1), head_phone="")
    api = api_client_for(cleo)
    listed = api.get("/api/v1/households").json()
    assert [h["registry_number"] for h in listed["items"]] == ["H-001"]
    found = post(api, "/api/v1/households/search", {"q": "李四"}).json()
    assert found == {"items": [], "count": 0}
    assert api.get(f"/api/v1/households/{other.pk}").status_code == 404


def test_an_ended_assignment_closes_the_household_and_its_members_to_its_cadre(
    cody, household, head
):
    factories.assign(cody, household, until=timezone.localdate() - datetime.timedelta(days=1))
    api = api_client_for(cody)
    assert api.get(f"/api/v1/households/{household.pk}").status_code == 404
    assert api.get(f"/api/v1/members/{head.pk}").status_code == 404
    assert api.get("/api/v1/households").json() == {"items": [], "count": 0}


def test_a_cadre_sees_the_household_again_once_assigned_anew(cody, household):
    factories.assign(cody, household, until=timezone.localdate() - datetime.timedelta(days=1))
    factories.assign(cody, household, since=timezone.localdate())
    assert api_client_for(cody).get(f"/api/v1/households/{household.pk}").status_code == 200


def new_household(**changes):
    return {
        "registry_number": "H-100",
        "village": VILLAGE_A1,
        "status": "registered_poor",
        "status_since": "2020-01-15",
        "hardship_causes": ["illness", "lack_of_skills"],
        "disability": True,
        "members": [
            {
                "name": "王秀兰",
                "relation": "head",
                "id_number": id_number(7, sex="female"),
                "phone": "13800138000",
                "labour_ability": "ordinary",
            },
            {
                "name": "王小明",
                "relation": "child",
                "id_number": id_number(8, born=datetime.date(2011, 3, 3)),
                "student": True,
            },
        ],
        **changes,
    }


def post(api, url, body):
    return api.post(url, body, content_type="application/json")


def patch(api, url, body):
    return api.patch(url, body, content_type="application/json")


@pytest.mark.parametrize(("who", "status"), NEW_HOUSEHOLD_MATRIX)
def test_registering_a_household(request, tree, who, status):
    response = post(client(request, who), "/api/v1/households", new_household())
    assert response.status_code == created(status)
    registered = Household.objects.filter(registry_number="H-100").first()
    assert (registered is not None) == (who in EDITORS)
    if registered is None:
        assert Member.objects.count() == 0
        return
    body = response.json()
    assert body["id"] == registered.pk
    assert body["hardship_causes"] == ["illness", "lack_of_skills"]
    assert [
        (m["name"], m["relation"], m["id_number_masked"], m["phone_masked"])
        for m in body["members"]
    ] == [
        ("王秀兰", "head", "420981********0146", "138****8000"),
        ("王小明", "child", "420981********0170", ""),
    ]
    assert [m["birth_date"] for m in body["members"]] == ["1970-05-17", "2011-03-03"]
    event = AuditEvent.objects.get(action="household.create")
    assert event.after["hardship_causes"] == ["illness", "lack_of_skills"]
    assert event.after["status"] == "registered_poor"


def test_a_refused_household_names_each_field_and_member_at_fault(vera, household):
    body = new_household(registry_number="H-001")
    body["members"][0]["id_number"] = id_number(0)  # the head of H-001
    body["members"][1]["relation"] = "head"
    body["members"][1]["phone"] = "12345"
    response = post(api_client_for(vera), "/api/v1/households", body)
    assert response.status_code == 400
    errors = {(e["field"], e["message"]) for e in response.json()["errors"]}
    assert errors == {
        ("registry_number", "This registry number is taken."),
        ("members", "A household has exactly one head."),
        ("members.0.id_number", "This ID number is already registered in another household."),
        ("members.1.phone", "A mobile number has 11 digits; this one has 5."),
    }
    assert Household.objects.count() == 1 and Member.objects.count() == 1


def test_a_household_without_members_is_refused(vera):
    response = post(api_client_for(vera), "/api/v1/households", new_household(members=[]))
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "members", "message": "Give at least the head of household."}
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"status": "rich"}, "status"),
        ({"village": "桃李村"}, "village"),
        ({"status_since": "last year"}, "status_since"),
        ({"hardship_causes": ["laziness"]}, "hardship_causes.0"),
    ],
)
def test_a_malformed_household_is_a_schema_error(vera, change, field):
    response = post(api_client_for(vera), "/api/v1/households", new_household(**change))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not Household.objects.exists()


def test_a_household_in_a_township_is_refused(tina):
    response = post(api_client_for(tina), "/api/v1/households", new_household(village=TOWNSHIP_A))
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "village", "message": "Choose a village."}]


@pytest.mark.parametrize(("who", "status"), WRITE_MATRIX)
def test_changing_a_household(request, household, who, status):
    response = patch(
        client(request, who),
        f"/api/v1/households/{household.pk}",
        {"status": "exited", "status_since": "2023-06-30", "serious_illness": True},
    )
    assert response.status_code == status
    household.refresh_from_db()
    changed = who in EDITORS
    assert (household.status, household.serious_illness) == (
        ("exited", True) if changed else ("registered_poor", False)
    )
    history = HouseholdStatusChange.objects.filter(household=household).order_by("since")
    assert [(c.status, str(c.since)) for c in history] == [
        ("registered_poor", "2019-03-01"),
        *([("exited", "2023-06-30")] if changed else []),
    ]
    if changed:
        assert response.json()["registry_number"] == "H-001"  # what was not sent stays


def test_moving_a_household_to_a_village_out_of_reach_is_404(vera, household):
    response = patch(
        api_client_for(vera), f"/api/v1/households/{household.pk}", {"village": VILLAGE_A2}
    )
    assert response.status_code == 404
    household.refresh_from_db()
    assert household.village_id == VILLAGE_A1


def new_member(**changes):
    return {
        "name": "张小红",
        "relation": "child",
        "id_number": id_number(5, born=datetime.date(2012, 9, 1), sex="female"),
        "student": True,
        **changes,
    }


@pytest.mark.parametrize(("who", "status"), WRITE_MATRIX)
def test_adding_a_member(request, household, who, status):
    response = post(
        client(request, who), f"/api/v1/households/{household.pk}/members", new_member()
    )
    assert response.status_code == created(status)
    added = household.members.filter(name="张小红").first()
    assert (added is not None) == (who in EDITORS)
    if added:
        assert response.json() == {
            "id": added.pk,
            "household": household.pk,
            "name": "张小红",
            "relation": "child",
            "id_number_masked": "420981********0100",
            "phone_masked": "",
            "birth_date": "2012-09-01",
            "sex": "female",
            "labour_ability": "",
            "left_behind_child": False,
            "student": True,
            "disabled": False,
        }


def test_a_second_head_is_refused(vera, household):
    response = post(
        api_client_for(vera),
        f"/api/v1/households/{household.pk}/members",
        new_member(relation="head", sex="male"),
    )
    assert response.status_code == 400
    assert {(e["field"], e["message"]) for e in response.json()["errors"]} == {
        ("relation", "This household already has a head."),
        ("sex", "The ID number gives the sex female."),
    }
    assert household.members.count() == 1


@pytest.mark.parametrize(("who", "status"), WRITE_MATRIX)
def test_changing_a_member(request, head, who, status):
    response = patch(
        client(request, who), f"/api/v1/members/{head.pk}", {"name": "张建军", "disabled": True}
    )
    assert response.status_code == status
    before = (head.id_number_hash, head.phone_hash, head.birth_date, head.sex)
    head.refresh_from_db()
    changed = who in EDITORS
    assert (head.name, head.disabled) == (("张建军", True) if changed else ("张建国", False))
    # Numbers that were not sent stay on file, with the birth date and sex they carry.
    assert (head.id_number_hash, head.phone_hash, head.birth_date, head.sex) == before


def test_a_new_phone_number_replaces_the_one_on_file(vera, head):
    response = patch(api_client_for(vera), f"/api/v1/members/{head.pk}", {"phone": "13900139000"})
    assert response.status_code == 200
    assert (response.json()["phone_masked"], response.json()["id_number_masked"]) == (
        "139****9000",
        "420981********0015",
    )


def test_a_new_id_number_brings_its_birth_date_and_sex(vera, head):
    new = id_number(3, born=datetime.date(1968, 2, 29), sex="female")
    response = patch(api_client_for(vera), f"/api/v1/members/{head.pk}", {"id_number": new})
    assert response.status_code == 200
    body = response.json()
    assert (body["id_number_masked"], body["birth_date"], body["sex"]) == (
        "420981********0066",
        "1968-02-29",
        "female",
    )


def test_a_wrong_id_number_on_a_member_is_refused(vera, head):
    response = patch(api_client_for(vera), f"/api/v1/members/{head.pk}", {"id_number": "12345"})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "id_number", "message": "An ID number has 18 characters; this one has 5."}
    ]


# --- A member, masked or revealed ----------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), HOUSEHOLD_READ_MATRIX)
def test_reading_a_member_shows_masked_numbers_and_audits_nothing(request, head, who, status):
    response = client(request, who).get(f"/api/v1/members/{head.pk}")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert (body["id_number_masked"], body["phone_masked"]) == (
            "420981********0015",
            "138****0000",
        )
        assert "id_number" not in body and "phone" not in body
    assert not AuditEvent.objects.filter(action="member.reveal").exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("dora", 403),
        ("cleo", 403),
        ("cody", 404),
        ("victor", 403),
        ("tom", 404),
        ("carl", 404),
        ("vera", 200),
        ("tina", 200),
        ("alice", 200),
    ],
)
def test_revealing_a_member(request, head, who, status):
    user = request.getfixturevalue(who) if who else None
    response = api_client_for(user).get(f"/api/v1/members/{head.pk}?reveal=true")
    assert response.status_code == status
    body = response.content.decode()
    reveals = AuditEvent.objects.filter(action="member.reveal")
    if status != 200:
        assert id_number(0) not in body and "13800000000" not in body
        assert not reveals.exists()
        return
    assert (response.json()["id_number"], response.json()["phone"]) == (
        id_number(0),
        "13800000000",
    )
    assert response.json()["id_number_masked"] == "420981********0015"
    assert "no-store" in response["Cache-Control"]
    assert [(e.actor, e.object_id, e.region_code) for e in reveals] == [
        (user, str(head.pk), VILLAGE_A1)
    ]


def test_reveal_false_is_the_masked_answer(vera, head):
    response = api_client_for(vera).get(f"/api/v1/members/{head.pk}?reveal=false")
    body = response.json()
    assert (response.status_code, body["id_number_masked"]) == (200, "420981********0015")
    assert "id_number" not in body
    assert not AuditEvent.objects.filter(action="member.reveal").exists()


# --- Assigned helpers ----------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), WRITE_MATRIX)
def test_assigning_a_helper(request, household, who, status):
    helper = factories.person(name="李帮扶")
    response = post(
        client(request, who),
        f"/api/v1/households/{household.pk}/helpers",
        {"person": helper.pk, "since": "2021-04-01"},
    )
    assert response.status_code == created(status)
    assigned = HelperAssignment.objects.filter(household=household, person=helper)
    assert assigned.exists() == (who in EDITORS)
    if assigned.exists():
        assert response.json() == {
            "id": assigned.get().pk,
            "person": helper.pk,
            "person_name": "李帮扶",
            "position": "assigned_cadre",
            "since": "2021-04-01",
        }


def test_a_helper_from_another_region_is_404(vera, household):
    stranger = factories.person(name="外人", region=VILLAGE_B1)
    response = post(
        api_client_for(vera),
        f"/api/v1/households/{household.pk}/helpers",
        {"person": stranger.pk, "since": "2021-04-01"},
    )
    assert response.status_code == 404
    assert not HelperAssignment.objects.exists()


# --- Organisations -------------------------------------------------------------------------


@pytest.fixture
def cooperative(tree):
    return factories.organisation(name="青禾农业合作社", region=VILLAGE_A1)


@pytest.mark.parametrize(("who", "status"), READ_MATRIX)
def test_listing_organisations(request, cooperative, who, status):
    response = client(request, who).get("/api/v1/organisations")
    if status == 404:
        assert response.json() == {"items": [], "count": 0}
        return
    assert response.status_code == status
    if status == 200:
        assert response.json() == {
            "count": 1,
            "items": [
                {
                    "id": cooperative.pk,
                    "name": "青禾农业合作社",
                    "kind": "cooperative",
                    "credit_code": cooperative.credit_code,
                    "region": VILLAGE_A1,
                    "region_name": "桃李村",
                }
            ],
        }


def test_organisations_are_searched_by_name_and_kind(tina, cooperative):
    factories.organisation(name="柳塘小学", kind="school", region=VILLAGE_A2, serial=2)
    api = api_client_for(tina)

    def names(query):
        return [o["name"] for o in api.get("/api/v1/organisations" + query).json()["items"]]

    assert names("?q=小学") == ["柳塘小学"]
    assert names("?kind=cooperative") == ["青禾农业合作社"]


@pytest.mark.parametrize(("who", "status"), READ_MATRIX)
def test_reading_an_organisation(request, cooperative, who, status):
    response = client(request, who).get(f"/api/v1/organisations/{cooperative.pk}")
    assert response.status_code == status
    if status == 200:
        assert response.json()["name"] == "青禾农业合作社"


@pytest.mark.parametrize(("who", "status"), DIRECTORY_WRITE_MATRIX)
def test_adding_an_organisation(request, tree, who, status):
    code = make_credit_code(region_code="420981", serial=77)
    response = post(
        client(request, who),
        "/api/v1/organisations",
        {
            "name": "柳塘电商公司",
            "kind": "ecommerce_company",
            "credit_code": code,
            "region": VILLAGE_A1,
        },
    )
    assert response.status_code == created(status)
    added = Organisation.objects.filter(name="柳塘电商公司").first()
    assert (added is not None) == (status == 200)
    if added:
        assert response.json() == {
            "id": added.pk,
            "name": "柳塘电商公司",
            "kind": "ecommerce_company",
            "credit_code": code,
            "region": VILLAGE_A1,
            "region_name": "桃李村",
        }


def test_a_taken_credit_code_is_refused(tina, cooperative):
    response = post(
        api_client_for(tina),
        "/api/v1/organisations",
        {
            "name": "另一家",
            "kind": "cooperative",
            "credit_code": cooperative.credit_code,
            "region": VILLAGE_A2,
        },
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "credit_code",
            "message": "An organisation with this code is already registered.",
        }
    ]


@pytest.mark.parametrize(("who", "status"), DIRECTORY_WRITE_MATRIX)
def test_changing_an_organisation(request, cooperative, who, status):
    response = patch(
        client(request, who), f"/api/v1/organisations/{cooperative.pk}", {"name": "青禾合作社"}
    )
    assert response.status_code == status
    code = cooperative.credit_code
    cooperative.refresh_from_db()
    assert cooperative.name == ("青禾合作社" if status == 200 else "青禾农业合作社")
    assert (cooperative.credit_code, cooperative.kind) == (code, "cooperative")


# --- People --------------------------------------------------------------------------------


@pytest.fixture
def helper(cooperative):
    return factories.person(name="李帮扶", organisation=cooperative)


@pytest.mark.parametrize(("who", "status"), READ_MATRIX)
def test_listing_people(request, helper, cooperative, who, status):
    response = client(request, who).get("/api/v1/people")
    if status == 404:
        assert response.json() == {"items": [], "count": 0}
        return
    assert response.status_code == status
    if status == 200:
        assert response.json()["items"] == [
            {
                "id": helper.pk,
                "name": "李帮扶",
                "position": "assigned_cadre",
                "organisation": cooperative.pk,
                "organisation_name": "青禾农业合作社",
                "region": VILLAGE_A1,
                "region_name": "桃李村",
                "phone_masked": "139****9000",
                "account": None,
            }
        ]


def test_people_are_filtered_by_position(tina, helper):
    factories.person(name="赵书记", position="first_secretary", region=VILLAGE_A2)
    api = api_client_for(tina)
    items = api.get("/api/v1/people?position=first_secretary").json()["items"]
    assert [p["name"] for p in items] == ["赵书记"]


@pytest.mark.parametrize(("who", "status"), READ_MATRIX)
def test_reading_a_person(request, helper, who, status):
    response = client(request, who).get(f"/api/v1/people/{helper.pk}")
    assert response.status_code == status
    if status == 200:
        assert (response.json()["name"], response.json()["phone_masked"]) == (
            "李帮扶",
            "139****9000",
        )


@pytest.mark.parametrize(("who", "status"), DIRECTORY_WRITE_MATRIX)
def test_adding_a_person(request, cooperative, who, status):
    response = post(
        client(request, who),
        "/api/v1/people",
        {
            "name": "周志愿",
            "position": "volunteer",
            "region": VILLAGE_A1,
            "organisation": cooperative.pk,
            "phone": "13700137000",
        },
    )
    assert response.status_code == created(status)
    added = Person.objects.filter(name="周志愿").first()
    assert (added is not None) == (status == 200)
    if added:
        assert response.json()["phone_masked"] == "137****7000"
        assert "13700137000" not in response.content.decode()


def test_a_person_with_a_bad_phone_is_refused(tina):
    response = post(
        api_client_for(tina),
        "/api/v1/people",
        {"name": "周志愿", "position": "volunteer", "region": VILLAGE_A1, "phone": "02712345678"},
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["phone"]
    assert not Person.objects.exists()
