"""The office's side of the needs board through the API: the review queue, escalations, the
needs of a region, the figures and the review rules.

Personas as in test_api.py: Hana is the household's account (village A1), Cleo the cadre
assigned to it, Wade the village admin of B1.
"""

import pytest

from conftest import CITY, OTHER_CITY, TOWNSHIP_A, VILLAGE_A1, VILLAGE_B1, api_client_for, make_user
from tongxing.access import Role
from tongxing.needs.actions import deadlines, delivery, pledges, posting, rules
from tongxing.needs.models import BannedTerm, ValueCap
from tongxing.needs.tests import factories as f
from tongxing.registry import actions as registry_actions
from tongxing.registry.tests.factories import assign

# Lists answer 200 to any reviewer; outside the region they are just empty.
REVIEWER_LIST_MATRIX = [
    (None, 401, None),
    ("dora", 403, None),
    ("olga", 403, None),
    ("hana", 403, None),
    ("cleo", 403, None),
    ("cody", 403, None),
    ("victor", 403, None),
    ("vera", 403, None),
    ("wade", 403, None),
    ("tina", 200, True),
    ("tom", 200, False),
    ("alice", 200, True),
    ("carl", 200, False),
]
RULE_READ_MATRIX = [
    (None, 401),
    ("dora", 403),
    ("olga", 403),
    ("hana", 403),
    ("cleo", 403),
    ("cody", 403),
    ("victor", 403),
    ("vera", 403),
    ("wade", 403),
    ("tina", 403),
    ("tom", 403),
    ("alice", 200),
    ("carl", 200),
]
RULE_WRITE_MATRIX = [*RULE_READ_MATRIX[:-1], ("carl", 404)]


@pytest.fixture
def home(tree):
    return f.household(head="张建国", child="张小宝")


@pytest.fixture
def hana(home):
    user = make_user("hana", Role.HOUSEHOLD)
    registry_actions.link_household_account(household=home, account=user, by=None)
    return user


@pytest.fixture
def cleo(home):
    """The cadre of township A assigned to the household."""
    account = make_user("cleo", Role.CADRE, TOWNSHIP_A)
    assign(account, home)
    return account


@pytest.fixture
def wade(tree):
    return make_user("wade", Role.VILLAGE_ADMIN, VILLAGE_B1)


def client(request, who):
    return api_client_for(request.getfixturevalue(who) if who else None)


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


# --- Queues and lists -----------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status", "sees_it"), REVIEWER_LIST_MATRIX)
def test_the_review_queue(request, home, who, status, sees_it):
    waiting = posting.create_need(data=f.goods_data(home), by=None, submit=True)
    f.published(f.service_data(home))  # already reviewed
    response = client(request, who).get("/api/v1/needs/review-queue")
    assert response.status_code == status
    if status == 200:
        assert ids(response) == ([waiting.pk] if sees_it else [])


def test_the_review_queue_shows_the_record_oldest_first(home, tina, vera):
    first = posting.create_need(data=f.goods_data(home), by=vera, submit=True)
    second = posting.create_need(data=f.service_data(home), by=vera, submit=True)
    response = api_client_for(tina).get("/api/v1/needs/review-queue")
    assert ids(response) == [first.pk, second.pk]
    item = response.json()["items"][0]
    assert (item["title"], item["record"]["household"], item["record"]["posted_by"]) == (
        "棉被",
        home.pk,
        "Vera",
    )


@pytest.mark.parametrize(("who", "status", "sees_it"), REVIEWER_LIST_MATRIX)
def test_the_escalated_needs(request, home, who, status, sees_it):
    late = f.published(f.goods_data(home, deadline=f.in_days(3)))
    f.published(f.service_data(home))  # still on the board
    deadlines.sweep(today=f.in_days(4))
    response = client(request, who).get("/api/v1/needs/escalated")
    assert response.status_code == status
    if status == 200:
        assert ids(response) == ([late.pk] if sees_it else [])
    if sees_it:
        item = response.json()["items"][0]
        assert (item["status"], item["record"]["escalated_at"] is not None) == ("expired", True)


@pytest.mark.parametrize(
    ("who", "status", "sees_it"),
    [
        (None, 401, None),
        ("dora", 403, None),
        ("olga", 403, None),
        ("hana", 200, True),
        ("cleo", 200, True),
        ("cody", 200, False),  # a cadre of the township who does not help it
        ("victor", 200, True),
        ("vera", 200, True),
        ("wade", 200, False),
        ("tina", 200, True),
        ("tom", 200, False),
        ("alice", 200, True),
        ("carl", 200, False),
    ],
)
def test_the_needs_of_my_region(request, home, who, status, sees_it):
    draft = posting.create_need(data=f.goods_data(home), by=None)
    on_board = f.published(f.service_data(home))
    response = client(request, who).get("/api/v1/needs/region")
    assert response.status_code == status
    if status == 200:
        assert ids(response) == ([on_board.pk, draft.pk] if sees_it else [])


def test_the_needs_of_my_region_by_status(home, vera):
    draft = posting.create_need(data=f.goods_data(home), by=None)
    f.published(f.service_data(home))
    api = api_client_for(vera)
    assert ids(api.get("/api/v1/needs/region?status=draft")) == [draft.pk]
    response = api.get("/api/v1/needs/region?status=lost")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["query.status"]


def test_the_fixed_paths_are_not_taken_for_a_need_id(home, alice):
    api = api_client_for(alice)
    for path in ("review-queue", "escalated", "region", "figures", "rules/caps", "rules/terms"):
        assert api.get(f"/api/v1/needs/{path}").status_code == 200, path


# --- Figures --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("dora", 403),
        ("olga", 403),
        ("hana", 403),
        ("cleo", 200),
        ("cody", 200),  # figures name no household
        ("victor", 200),
        ("vera", 200),
        ("wade", 404),
        ("tina", 200),
        ("tom", 404),
        ("alice", 200),
        ("carl", 404),
    ],
)
def test_reading_the_figures_of_a_village(request, home, who, status):
    response = client(request, who).get(f"/api/v1/needs/figures?region={VILLAGE_A1}")
    assert response.status_code == status
    if status == 200:
        assert (response.json()["region"], response.json()["region_name"]) == (
            VILLAGE_A1,
            "桃李村",
        )


def test_the_figures_count_needs_wishes_and_the_platform(home, alice, dora):
    quilts = f.published(f.goods_data(home))
    pledges.pledge_goods(need=quilts, by=dora, quantity=3)
    wish = f.published(f.wish_data(home))
    gift = pledges.pledge_goods(need=wish, by=dora).pledge
    delivery.deliver_pledge(pledge=gift, by=dora)
    today = f.in_days(0)
    response = api_client_for(alice).get(f"/api/v1/needs/figures?region={VILLAGE_A1}")
    assert response.json() == {
        "region": VILLAGE_A1,
        "region_name": "桃李村",
        "as_of": str(today),
        "year_start": f"{today.year}-01-01",
        "figures": {
            "needs.goods.posted": 1,
            "needs.goods.matched": 1,
            "needs.goods.match_rate": 100.0,
            "needs.funds.posted": 0,
            "needs.funds.matched": 0,
            "needs.funds.match_rate": None,
            "needs.service.posted": 0,
            "needs.service.matched": 0,
            "needs.service.match_rate": None,
            "needs.wish.posted": 1,
            "needs.wish.matched": 1,
            "needs.wish.match_rate": 100.0,
            "needs.delivered_rate": 0.0,
            "wishes.children": 1,
            "wishes.townships": 1,
            "wishes.raised_fen": 80_00,
            "wishes.fulfilled_children": 1,
            "wishes.coverage_rate": 100.0,
            "platform.donors_registered": 1,
            "platform.donors_gave": 1,
            "platform.households_registered": 1,
            "platform.admins": 0,
        },
    }


def test_the_figures_default_to_my_region_and_today(home, tina):
    response = api_client_for(tina).get("/api/v1/needs/figures")
    body = response.json()
    assert (body["region"], body["region_name"], body["as_of"]) == (
        TOWNSHIP_A,
        "柳塘镇",
        str(f.in_days(0)),
    )
    assert body["figures"]["platform.admins"] == 1  # Tina herself


def test_the_figures_as_of_an_earlier_day_leave_out_what_came_after(home, alice):
    f.published(f.goods_data(home))
    response = api_client_for(alice).get(f"/api/v1/needs/figures?as_of={f.in_days(-1)}")
    assert response.json()["figures"]["needs.goods.posted"] == 0


def test_a_region_that_is_not_a_code_is_a_schema_error(alice):
    response = api_client_for(alice).get("/api/v1/needs/figures?region=5901")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["query.region"]


# --- Review rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), RULE_READ_MATRIX)
def test_reading_the_value_caps(request, alice, who, status):
    rules.set_value_cap(region=f.village(CITY), category="clothing", cap_fen=500_00, by=alice)
    response = client(request, who).get("/api/v1/needs/rules/caps")
    assert response.status_code == status
    if status != 200:
        return
    if who == "carl":
        assert response.json() == []
        return
    assert response.json() == [
        {
            "region": CITY,
            "region_name": "青禾市",
            "category": "clothing",
            "category_label": "clothing and bedding",
            "cap_fen": 500_00,
        }
    ]


@pytest.mark.parametrize(("who", "status"), RULE_WRITE_MATRIX)
def test_setting_a_value_cap(request, tree, who, status):
    body = {"region": TOWNSHIP_A, "category": "appliance", "cap_fen": 2000_00}
    response = client(request, who).put(
        "/api/v1/needs/rules/caps", body, content_type="application/json"
    )
    assert response.status_code == status
    caps = list(ValueCap.objects.values_list("region_id", "category", "cap_fen"))
    if status != 200:
        assert caps == []
        return
    assert caps == [(TOWNSHIP_A, "appliance", 2000_00)]
    assert response.json()["cap_fen"] == 2000_00


def test_a_cap_of_null_removes_it(alice):
    rules.set_value_cap(region=f.village(CITY), category="clothing", cap_fen=500_00, by=alice)
    body = {"region": CITY, "category": "clothing", "cap_fen": None}
    response = api_client_for(alice).put(
        "/api/v1/needs/rules/caps", body, content_type="application/json"
    )
    assert response.status_code == 204
    assert ValueCap.objects.count() == 0


def test_a_cap_of_zero_is_refused(alice):
    body = {"region": CITY, "category": "clothing", "cap_fen": 0}
    response = api_client_for(alice).put(
        "/api/v1/needs/rules/caps", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "cap_fen", "message": "Give a cap above ¥0."}]


@pytest.mark.parametrize(("who", "status"), RULE_READ_MATRIX)
def test_reading_the_banned_terms(request, alice, who, status):
    term = rules.add_banned_term(region=f.village(CITY), term="iPhone", note="奢侈品", by=alice)
    response = client(request, who).get("/api/v1/needs/rules/terms")
    assert response.status_code == status
    if status == 200:
        expected = [
            {
                "id": term.pk,
                "region": CITY,
                "region_name": "青禾市",
                "term": "iPhone",
                "note": "奢侈品",
            }
        ]
        assert response.json() == ([] if who == "carl" else expected)


@pytest.mark.parametrize(("who", "status"), RULE_WRITE_MATRIX)
def test_adding_a_banned_term(request, tree, who, status):
    body = {"region": CITY, "term": "茅台", "note": "奢侈品"}
    response = client(request, who).post(
        "/api/v1/needs/rules/terms", body, content_type="application/json"
    )
    assert response.status_code == (201 if status == 200 else status)
    terms = list(BannedTerm.objects.values_list("region_id", "term", "note"))
    assert terms == ([(CITY, "茅台", "奢侈品")] if status == 200 else [])


def test_a_term_flagged_already_is_refused(alice):
    rules.add_banned_term(region=f.village(CITY), term="iPhone", by=alice)
    response = api_client_for(alice).post(
        "/api/v1/needs/rules/terms",
        {"region": CITY, "term": "iphone"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "term", "message": "This word is flagged already."}
    ]


@pytest.mark.parametrize(("who", "status"), RULE_WRITE_MATRIX)
def test_removing_a_banned_term(request, alice, who, status):
    term = rules.add_banned_term(region=f.village(CITY), term="iPhone", by=alice)
    response = client(request, who).delete(f"/api/v1/needs/rules/terms/{term.pk}")
    assert response.status_code == (204 if status == 200 else status)
    assert BannedTerm.objects.filter(pk=term.pk).exists() == (status != 200)


def test_another_city_cannot_set_rules_for_this_one(carl):
    response = api_client_for(carl).post(
        "/api/v1/needs/rules/terms",
        {"region": CITY, "term": "茅台"},
        content_type="application/json",
    )
    assert response.status_code == 404
    response = api_client_for(carl).post(
        "/api/v1/needs/rules/terms",
        {"region": OTHER_CITY, "term": "茅台"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert list(BannedTerm.objects.values_list("region_id", flat=True)) == [OTHER_CITY]


@pytest.mark.parametrize("as_of", [f.in_days(1), "1999-12-31"])
def test_figures_are_given_from_2000_to_today(alice, as_of):
    response = api_client_for(alice).get(f"/api/v1/needs/figures?as_of={as_of}")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "as_of", "message": "Give a day from 2000 to today: figures are not forecasts."}
    ]
