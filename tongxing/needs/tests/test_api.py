"""The needs board through the API: the public board, one need, posting, review and events.

Personas (root conftest): Alice runs the city office, Tina township A, Tom township B, Vera
village A1, Carl the neighbouring city; Dora is a donor, Olga an organisation's
representative. Here Hana is the account of the household in need (village A1) and Wade
the village admin of B1, outside its township.
"""

import datetime
import json

import pytest
from ninja.responses import NinjaJSONEncoder

from conftest import CITY, TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, api_client_for, make_user
from tongxing.access import Role
from tongxing.audit.models import AuditEvent
from tongxing.needs.actions import deadlines, pledges, posting, rules
from tongxing.needs.models import Need, Status
from tongxing.needs.tests import factories as f
from tongxing.registry import actions as registry_actions
from tongxing.registry import records as registry_records
from tongxing.registry.models import Relation
from tongxing.registry.tests.factories import assign, id_number, register

HEAD_ID = id_number(42)
HEAD_PHONE = "13912345678"
CHILD_ID = id_number(43, born=datetime.date(2015, 6, 1))
EVERYONE = (
    None,
    "dora",
    "olga",
    "hana",
    "cleo",
    "cody",
    "victor",
    "vera",
    "wade",
    "tina",
    "tom",
    "alice",
    "carl",
)
# Who sees a need's record: the household, its cadre and staff whose region holds village A1
# (not Cody, a cadre of the township who does not help the household).
RECORD_READERS = ("hana", "cleo", "victor", "vera", "tina", "alice")


@pytest.fixture
def home(tree):
    """The household in need: 张建国 of village A1 and his left-behind son 张小宝."""
    child = registry_records.MemberData(
        name="张小宝", relation=Relation.CHILD, id_number=CHILD_ID, left_behind_child=True
    )
    return register(
        number="H-777", head="张建国", head_id=HEAD_ID, head_phone=HEAD_PHONE, others=[child]
    )


@pytest.fixture
def hana(home):
    """The household's own account."""
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
    """The village admin of B1: staff, but not of the household's township."""
    return make_user("wade", Role.VILLAGE_ADMIN, VILLAGE_B1)


@pytest.fixture
def goods(home):
    """Three quilts (棉被) for the household, on the board."""
    return f.published(f.goods_data(home))


def client(request, who):
    return api_client_for(request.getfixturevalue(who) if who else None)


def post(api, url, body=None):
    if body is None:
        return api.post(url, content_type="application/json")
    return api.post(url, body, content_type="application/json")


def stamp(value) -> str:
    """A date-time as the API writes it."""
    return json.loads(json.dumps(value, cls=NinjaJSONEncoder))


def text_of(response) -> str:
    """The answer as a reader sees it (the JSON escapes Chinese characters)."""
    return json.dumps(response.json(), ensure_ascii=False)


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


def errors(response) -> set[tuple[str, str]]:
    return {(e["field"], e["message"]) for e in response.json()["errors"]}


# --- The public board ---------------------------------------------------------------------


@pytest.mark.parametrize("who", EVERYONE)
def test_the_board_is_open_to_everyone(request, goods, who):
    response = client(request, who).get("/api/v1/needs")
    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert ids(response) == [goods.pk]


def test_a_need_on_the_board_shows_its_public_face(goods):
    response = api_client_for(None).get("/api/v1/needs")
    assert response.json() == {
        "count": 1,
        "items": [
            {
                "id": goods.pk,
                "kind": "goods",
                "kind_label": "goods",
                "category": "clothing",
                "category_label": "clothing and bedding",
                "title": "棉被",
                "story": "冬天快到了，家里缺棉被。",
                "public_name": "张**",
                "village": VILLAGE_A1,
                "village_name": "桃李村",
                "township_name": "柳塘镇",
                "urgency": 1,
                "urgency_label": "normal",
                "deadline": str(f.in_days(30)),
                "target": 3,
                "pledged": 0,
                "delivered": 0,
                "confirmed": 0,
                "remaining": 3,
                "unit": "床",
                "target_text": "3 pieces of bedding",
                "pledged_text": "0 pieces of bedding",
                "remaining_text": "3 pieces of bedding",
                "value_fen": 450_00,
                "percent": 0,
                "funding_policy": "",
                "status": "published",
                "status_label": "published",
                "open_for_pledges": True,
                "published_at": stamp(goods.published_at),
            }
        ],
    }


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("en", ("3 pieces of bedding", "1 piece of bedding", "2 pieces of bedding")),
        ("zh-hans", ("3 床", "1 床", "2 床")),
    ],
)
def test_a_need_carries_its_amounts_as_display_texts_in_the_callers_language(
    goods, dora, language, texts
):
    pledges.pledge_goods(need=goods, by=dora, quantity=1)
    response = api_client_for(None).get(
        f"/api/v1/needs/{goods.pk}", headers={"accept-language": language}
    )
    body = response.json()
    assert (body["target_text"], body["pledged_text"], body["remaining_text"]) == texts


def test_display_texts_of_money_carry_thousands_separators(home):
    need = f.published(f.funds_data(home, target_fen=1_234_500_00))
    body = api_client_for(None).get(f"/api/v1/needs/{need.pk}").json()
    assert (body["target_text"], body["pledged_text"], body["remaining_text"]) == (
        "¥1,234,500",
        "¥0",
        "¥1,234,500",
    )


@pytest.mark.parametrize("who", [None, "dora", "olga"])
def test_the_board_and_a_need_show_no_personal_data(request, home, who):
    goods = f.published(f.goods_data(home))
    wish = f.published(f.wish_data(home))
    head = home.members.get(relation=Relation.HEAD)
    child = home.members.get(relation=Relation.CHILD)
    secrets = [
        "张建国",
        "张小宝",
        HEAD_ID,
        head.id_number_masked,
        CHILD_ID,
        child.id_number_masked,
        HEAD_PHONE,
        head.phone_masked,
        "H-777",
    ]
    assert all(secrets)  # the masked forms are there to look for
    api = client(request, who)
    answers = [
        api.get("/api/v1/needs"),
        api.get(f"/api/v1/needs/{goods.pk}"),
        api.get(f"/api/v1/needs/{wish.pk}"),
    ]
    for response in answers:
        assert response.status_code == 200
        shown = text_of(response)
        assert [secret for secret in secrets if secret in shown] == []
        assert "household" not in shown and "child" not in shown
    assert [item["public_name"] for item in answers[0].json()["items"]] == ["张**", "张**"]
    assert [answer.json()["record"] for answer in answers[1:]] == [None, None]


# Five needs on the board and one draft; ids in the order the filters and sorts give them.
@pytest.fixture
def board(tree, dora):
    a1 = f.household(village=VILLAGE_A1, head="王芳", child="王小丽")
    a2 = f.household(village=VILLAGE_A2, head="李强")
    b1 = f.household(village=VILLAGE_B1, head="赵敏")
    quilts = f.published(f.goods_data(a1, urgency=1, deadline=f.in_days(30)))
    bills = f.published(
        f.funds_data(a2, target_fen=2000_00, urgency=3, deadline=f.in_days(10)),
    )
    job = f.published(f.service_data(b1, urgency=2, deadline=f.in_days(20)))
    bag = f.published(f.wish_data(a1, urgency=2, deadline=f.in_days(5)))
    rice = f.published(
        f.goods_data(
            a1,
            category="food",
            title="大米",
            quantity=2,
            unit="袋",
            unit_value_fen=50_00,
            urgency=3,
            deadline=f.in_days(40),
        )
    )
    pledges.pledge_goods(need=rice, by=dora, quantity=2)  # fully pledged
    pledges.pledge_goods(need=quilts, by=dora, quantity=1)  # a third
    pledges.contribute(
        need=bills, by=dora, amount_fen=1000_00, payment_reference="WX-1", idempotency_key="b1"
    )  # a half
    posting.create_need(data=f.goods_data(b1, title="草稿"), by=None)
    return {"quilts": quilts.pk, "bills": bills.pk, "job": job.pk, "bag": bag.pk, "rice": rice.pk}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["bills", "bag", "job", "quilts"]),
        ("?open_only=false", ["bills", "rice", "bag", "job", "quilts"]),
        ("?sort=deadline", ["bag", "bills", "job", "quilts"]),
        ("?sort=progress", ["bills", "quilts", "bag", "job"]),
        ("?sort=newest", ["bag", "job", "bills", "quilts"]),
        ("?kind=goods", ["quilts"]),
        ("?kind=goods&open_only=false", ["rice", "quilts"]),
        ("?category=study", ["bag"]),
        ("?kind=wish&category=study", ["bag"]),
        (f"?region={TOWNSHIP_A[:9]}", ["bills", "bag", "quilts"]),
        (f"?region={TOWNSHIP_A}", ["bills", "bag", "quilts"]),
        (f"?region={VILLAGE_B1}", ["job"]),
        ("?urgency=2", ["bills", "bag", "job"]),
        ("?min_value_fen=10000", ["bills", "quilts"]),
        ("?max_value_fen=10000", ["bag", "job"]),
        (f"?deadline_before={f.in_days(10)}", ["bills", "bag"]),
        (f"?region={VILLAGE_A1}&urgency=2&sort=deadline", ["bag"]),
    ],
)
def test_filtering_and_sorting_the_board(board, query, expected):
    response = api_client_for(None).get("/api/v1/needs" + query)
    assert response.status_code == 200
    assert ids(response) == [board[name] for name in expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?q=大米", []),
        ("?q=大米&open_only=false", ["rice"]),
        ("?q=棉被", ["quilts"]),
        ("?q=杏花村", ["bills"]),
        ("?q=柳塘镇", ["bills", "bag", "quilts"]),
        ("?q=柳塘镇+棉被", ["quilts"]),
        ("?q=梅竹村&sort=newest", ["job"]),
        ("?q=柳塘镇&urgency=2", ["bills", "bag"]),
        ("?q=nothing-like-it", []),
    ],
)
def test_searching_the_board_by_title_and_place(board, query, expected):
    response = api_client_for(None).get("/api/v1/needs" + query)
    assert response.status_code == 200
    assert ids(response) == [board[name] for name in expected]
    assert response.json()["count"] == len(expected)


def test_a_search_too_long_is_refused_with_its_length(tree):
    response = api_client_for(None).get("/api/v1/needs?q=" + "米" * 51)
    assert response.status_code == 400
    assert errors(response) == {("q", "Keep it to 50 characters (this has 51).")}


def test_bad_filters_are_named_with_what_is_wrong(tree):
    query = "?kind=toys&sort=random&region=59ab&urgency=5&min_value_fen=-1"
    response = api_client_for(None).get("/api/v1/needs" + query)
    assert response.status_code == 400
    assert errors(response) == {
        ("kind", "Unknown kind of need."),
        ("sort", "Sort by urgency, deadline, progress or newest."),
        ("region", "A region code has only digits."),
        ("urgency", "Unknown urgency."),
        ("min_value_fen", "Give an amount of 0 or more."),
    }


def test_a_category_of_another_kind_is_refused(tree):
    response = api_client_for(None).get("/api/v1/needs?kind=funds&category=clothing")
    assert response.status_code == 400
    assert errors(response) == {("category", "Unknown category.")}


@pytest.mark.parametrize(
    ("query", "field"),
    [("?urgency=high", "query.urgency"), ("?deadline_before=soon", "query.deadline_before")],
)
def test_a_malformed_filter_is_a_schema_error(tree, query, field):
    response = api_client_for(None).get("/api/v1/needs" + query)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_the_board_is_listed_twenty_a_page(home):
    needs = [f.published(f.goods_data(home, title=f"棉被 {i}")) for i in range(21)]
    api = api_client_for(None)
    first = api.get("/api/v1/needs?sort=newest").json()
    assert (first["count"], len(first["items"])) == (21, 20)
    second = api.get("/api/v1/needs?sort=newest&page=2").json()
    assert [item["id"] for item in second["items"]] == [needs[0].pk]


# --- One need -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", EVERYONE)
def test_reading_a_need_on_the_board(request, goods, who):
    response = client(request, who).get(f"/api/v1/needs/{goods.pk}")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["public_name"]) == (goods.pk, "张**")
    assert (body["record"] is not None) == (who in RECORD_READERS)


@pytest.mark.parametrize("who", EVERYONE)
def test_reading_a_draft(request, home, who):
    draft = posting.create_need(data=f.goods_data(home), by=None)
    response = client(request, who).get(f"/api/v1/needs/{draft.pk}")
    if who not in RECORD_READERS:
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
        return
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["record"]["household"]) == (
        "draft",
        home.pk,
    )


def test_staff_read_the_record_of_a_need_with_its_pledges(goods, alice, tina, dora):
    pledge = pledges.pledge_goods(need=goods, by=dora, quantity=2, note="周六送到").pledge
    response = api_client_for(alice).get(f"/api/v1/needs/{goods.pk}")
    goods.refresh_from_db()
    record = response.json()["record"]
    assert record == {
        "household": goods.household_id,
        "child": None,
        "place": "",
        "unit_value_fen": 150_00,
        "status_reason": "",
        "rule_findings": [],
        "override_reason": "",
        "posted_by": None,
        "on_behalf": False,
        "reviewed_by": None,
        "escalated_to": None,
        "created_at": stamp(goods.created_at),
        "submitted_at": stamp(goods.submitted_at),
        "reviewed_at": stamp(goods.reviewed_at),
        "matched_at": None,
        "delivered_at": None,
        "confirmed_at": None,
        "closed_at": None,
        "expired_at": None,
        "escalated_at": None,
        "cancelled_at": None,
        "pledges": [
            {
                "id": pledge.pk,
                "need": goods.pk,
                "status": "pledged",
                "quantity": 2,
                "value_fen": 300_00,
                "deliver_by": None,
                "note": "周六送到",
                "payment_method": "",
                "payment_reference": "",
                "consent_to_move": False,
                "created_at": stamp(pledge.created_at),
                "delivered_at": None,
                "confirmed_at": None,
                "ended_at": None,
                "end_reason": "",
                "refunded_at": None,
                "feedback": None,
                "donor": "Dora",
                "organisation": None,
                "confirmed_by": None,
                "confirmed_on_behalf": False,
                "confirmation_note": "",
                "has_evidence": False,
            }
        ],
    }
    body = response.json()
    assert (body["pledged"], body["remaining"], body["percent"]) == (2, 1, 66)


def test_a_need_that_does_not_exist_is_not_found(tree):
    response = api_client_for(None).get("/api/v1/needs/999")
    assert response.status_code == 404


def test_a_token_no_longer_valid_is_refused_even_on_a_public_need(goods):
    api = api_client_for(None)
    response = api.get(f"/api/v1/needs/{goods.pk}", headers={"Authorization": "Bearer stale"})
    assert response.status_code == 401


# --- Posting ------------------------------------------------------------------------------


def quilts(home, **changes) -> dict:
    return {
        "kind": "goods",
        "category": "clothing",
        "title": "棉被",
        "story": "冬天快到了，家里缺棉被。",
        "deadline": str(f.in_days(30)),
        "household_id": home.pk,
        "quantity": 3,
        "unit": "床",
        "unit_value_fen": 150_00,
        "submit": True,
        **changes,
    }


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("dora", 403),
        ("olga", 403),
        ("hana", 201),
        ("cleo", 201),
        ("cody", 404),
        ("victor", 403),
        ("vera", 201),
        ("wade", 404),
        ("tina", 201),
        ("tom", 404),
        ("alice", 201),
        ("carl", 404),
    ],
)
def test_posting_a_need(request, home, who, status):
    response = post(client(request, who), "/api/v1/needs", quilts(home))
    assert response.status_code == status
    if status != 201:
        assert Need.objects.count() == 0
        return
    need = Need.objects.get()
    body = response.json()
    assert (body["id"], body["status"], body["target"], body["value_fen"]) == (
        need.pk,
        "submitted",
        3,
        450_00,
    )
    poster = request.getfixturevalue(who)
    assert (body["record"]["household"], body["record"]["posted_by"]) == (home.pk, str(poster))
    assert body["record"]["on_behalf"] == (who != "hana")


def test_a_retried_post_with_its_key_makes_one_need(home, vera):
    api = api_client_for(vera)

    def send(body, key):
        return api.post(
            "/api/v1/needs", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
        )

    first, again = send(quilts(home), "k-1"), send(quilts(home), "k-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] == Need.objects.get().pk
    assert [event.action for event in AuditEvent.objects.filter(action="need.created")] == [
        "need.created"
    ]
    # The same key for another need is refused, and records nothing.
    refused = send(quilts(home, quantity=5), "k-1")
    assert refused.status_code == 400
    assert [e["field"] for e in refused.json()["errors"]] == ["idempotency_key"]
    assert Need.objects.count() == 1
    # Without a key, every post is a new need.
    send(quilts(home, title="棉衣"), "")
    assert Need.objects.count() == 2


def test_a_household_posts_for_itself_without_naming_itself(hana, home):
    body = quilts(home)
    del body["household_id"]
    response = post(api_client_for(hana), "/api/v1/needs", body)
    assert response.status_code == 201
    assert response.json()["record"]["household"] == home.pk


def test_a_household_cannot_post_for_another(hana, home):
    other = f.household(head="李强")
    response = post(api_client_for(hana), "/api/v1/needs", quilts(home, household_id=other.pk))
    assert response.status_code == 404
    assert Need.objects.count() == 0


def test_a_household_account_without_a_household_cannot_post(home):
    lone = make_user("lone", Role.HOUSEHOLD)
    response = post(api_client_for(lone), "/api/v1/needs", quilts(home))
    assert response.status_code == 403
    assert Need.objects.count() == 0


def test_a_refused_need_names_each_field_at_fault(vera, home):
    body = quilts(home, quantity=0, unit="", deadline=str(f.in_days(-1)))
    response = post(api_client_for(vera), "/api/v1/needs", body)
    assert response.status_code == 400
    assert errors(response) == {
        ("quantity", "Give a quantity from 1 to 10,000."),
        ("unit", "Give the unit (piece, bag, set…)."),
        ("deadline", "The deadline has passed."),
    }
    assert Need.objects.count() == 0


def test_a_need_of_an_unknown_kind_is_a_schema_error(vera, home):
    response = post(api_client_for(vera), "/api/v1/needs", quilts(home, kind="toys"))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["kind"]


def test_a_collective_need_names_its_village(vera, tree):
    body = {
        "kind": "service",
        "category": "training",
        "title": "电商技能培训",
        "deadline": str(f.in_days(60)),
        "village": VILLAGE_A1,
        "quantity": 20,
        "place": "桃李村村委会",
    }
    response = post(api_client_for(vera), "/api/v1/needs", body)
    assert response.status_code == 201
    body_out = response.json()
    assert (body_out["status"], body_out["public_name"], body_out["target"]) == ("draft", "", 20)
    assert (body_out["record"]["household"], body_out["record"]["place"]) == (None, "桃李村村委会")


def test_a_collective_need_of_another_village_is_not_found(vera, tree):
    body = {
        "kind": "service",
        "category": "training",
        "title": "电商技能培训",
        "deadline": str(f.in_days(60)),
        "village": VILLAGE_B1,
        "place": "梅竹村",
    }
    response = post(api_client_for(vera), "/api/v1/needs", body)
    assert response.status_code == 404
    assert Need.objects.count() == 0


def test_a_micro_wish_is_posted_for_a_left_behind_child(vera, home):
    child = home.members.get(relation=Relation.CHILD)
    body = {
        "kind": "wish",
        "category": "study",
        "title": "一个新书包",
        "deadline": str(f.in_days(30)),
        "child_id": child.pk,
        "value_fen": 80_00,
    }
    response = post(api_client_for(vera), "/api/v1/needs", body)
    assert response.status_code == 201
    out = response.json()
    assert (out["public_name"], out["target"], out["value_fen"]) == ("张**", 1, 80_00)
    assert (out["record"]["household"], out["record"]["child"]) == (home.pk, child.pk)


# --- Submission, review, cancellation, reopening -------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("dora", 403),
        ("olga", 403),
        ("hana", 200),
        ("cleo", 200),
        ("cody", 404),
        ("victor", 403),
        ("vera", 200),
        ("wade", 404),
        ("tina", 200),
        ("tom", 404),
        ("alice", 200),
        ("carl", 404),
    ],
)
def test_submitting_a_draft(request, home, who, status):
    draft = posting.create_need(data=f.goods_data(home), by=None)
    response = post(client(request, who), f"/api/v1/needs/{draft.pk}/submit")
    assert response.status_code == status
    draft.refresh_from_db()
    assert draft.status == (Status.SUBMITTED if status == 200 else Status.DRAFT)
    if status == 200:
        assert response.json()["status"] == "submitted"


def test_a_submitted_need_cannot_be_submitted_again(vera, home):
    need = posting.create_need(data=f.goods_data(home), by=None, submit=True)
    response = post(api_client_for(vera), f"/api/v1/needs/{need.pk}/submit")
    assert response.status_code == 400
    assert errors(response) == {("", "This need has already been submitted.")}


REVIEW_MATRIX = [
    (None, 401),
    ("dora", 403),
    ("olga", 403),
    ("hana", 403),
    ("cleo", 403),
    ("cody", 403),
    ("victor", 403),
    ("vera", 403),
    ("wade", 403),
    ("tina", 200),
    ("tom", 404),
    ("alice", 200),
    ("carl", 404),
]


@pytest.mark.parametrize(("who", "status"), REVIEW_MATRIX)
def test_publishing_a_need(request, home, who, status):
    need = posting.create_need(data=f.goods_data(home), by=None, submit=True)
    response = post(
        client(request, who), f"/api/v1/needs/{need.pk}/review", {"decision": "approve"}
    )
    assert response.status_code == status
    need.refresh_from_db()
    assert need.status == (Status.PUBLISHED if status == 200 else Status.SUBMITTED)
    if status == 200:
        reviewer = request.getfixturevalue(who)
        assert (response.json()["status"], response.json()["record"]["reviewed_by"]) == (
            "published",
            str(reviewer),
        )


def test_rejecting_a_need_needs_a_reason(tina, home):
    need = posting.create_need(data=f.goods_data(home), by=None, submit=True)
    api = api_client_for(tina)
    response = post(api, f"/api/v1/needs/{need.pk}/review", {"decision": "reject"})
    assert response.status_code == 400
    assert errors(response) == {("reason", "Say why the need is rejected.")}
    response = post(
        api, f"/api/v1/needs/{need.pk}/review", {"decision": "reject", "reason": "已有同类帮扶"}
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["record"]["status_reason"]) == (
        "rejected",
        "已有同类帮扶",
    )


def test_a_need_over_the_value_cap_is_published_only_with_a_reason(alice, tina, home):
    rules.set_value_cap(region=f.village(CITY), category="clothing", cap_fen=300_00, by=alice)
    need = posting.create_need(data=f.goods_data(home), by=None, submit=True)
    api = api_client_for(tina)
    response = post(api, f"/api/v1/needs/{need.pk}/review", {"decision": "approve"})
    assert response.status_code == 400
    assert errors(response) == {
        ("override_reason", "The review rules flag this need: give your reason to publish it."),
        ("override_reason", "The estimated value ¥450 is above the cap of ¥300."),
    }
    response = post(
        api,
        f"/api/v1/needs/{need.pk}/review",
        {"decision": "approve", "override_reason": "三口人，冬季必需"},
    )
    assert response.status_code == 200
    record = response.json()["record"]
    assert record["rule_findings"] == [
        {"rule": "value_cap", "message": "The estimated value ¥450 is above the cap of ¥300."}
    ]
    assert record["override_reason"] == "三口人，冬季必需"


def test_a_review_decision_other_than_approve_or_reject_is_a_schema_error(tina, home):
    need = posting.create_need(data=f.goods_data(home), by=None, submit=True)
    response = post(api_client_for(tina), f"/api/v1/needs/{need.pk}/review", {"decision": "ok"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["decision"]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("dora", 403),
        ("olga", 403),
        ("hana", 200),
        ("cleo", 200),
        ("cody", 404),
        ("victor", 403),
        ("vera", 200),
        ("wade", 404),
        ("tina", 200),
        ("tom", 404),
        ("alice", 200),
        ("carl", 404),
    ],
)
def test_cancelling_a_need(request, goods, dora, who, status):
    pledges.pledge_goods(need=goods, by=dora, quantity=1)
    response = post(
        client(request, who), f"/api/v1/needs/{goods.pk}/cancel", {"reason": "已由亲戚解决"}
    )
    assert response.status_code == status
    goods.refresh_from_db()
    if status != 200:
        assert (goods.status, goods.pledged) == (Status.PUBLISHED, 1)
        return
    assert (goods.status, goods.status_reason, goods.pledged) == (
        Status.CANCELLED,
        "已由亲戚解决",
        0,
    )
    assert response.json()["record"]["pledges"][0]["status"] == "withdrawn"


def test_cancelling_needs_a_reason(vera, goods):
    response = post(api_client_for(vera), f"/api/v1/needs/{goods.pk}/cancel", {})
    assert response.status_code == 400
    assert errors(response) == {("reason", "Say why the need is cancelled.")}


def expired(home) -> Need:
    need = f.published(f.goods_data(home, deadline=f.in_days(3)))
    deadlines.sweep(today=f.in_days(4))
    need.refresh_from_db()
    assert need.status == Status.EXPIRED
    return need


@pytest.mark.parametrize(("who", "status"), REVIEW_MATRIX)
def test_reopening_an_expired_need(request, home, who, status):
    need = expired(home)
    response = post(
        client(request, who),
        f"/api/v1/needs/{need.pk}/reopen",
        {"deadline": str(f.in_days(30))},
    )
    assert response.status_code == status
    need.refresh_from_db()
    if status != 200:
        assert (need.status, need.deadline) == (Status.EXPIRED, f.in_days(3))
        return
    assert (need.status, need.deadline) == (Status.PUBLISHED, f.in_days(30))
    assert response.json()["deadline"] == str(f.in_days(30))


def test_reopening_needs_a_deadline_in_the_coming_year(tina, home):
    need = expired(home)
    response = post(
        api_client_for(tina), f"/api/v1/needs/{need.pk}/reopen", {"deadline": str(f.in_days(0))}
    )
    assert response.status_code == 400
    assert errors(response) == {("deadline", "Give a deadline within the coming year.")}


# --- Events -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("dora", 403),
        ("olga", 403),
        ("hana", 200),
        ("cleo", 200),
        ("cody", 404),
        ("victor", 200),
        ("vera", 200),
        ("wade", 404),
        ("tina", 200),
        ("tom", 404),
        ("alice", 200),
        ("carl", 404),
    ],
)
def test_reading_the_events_of_a_need(request, goods, who, status):
    response = client(request, who).get(f"/api/v1/needs/{goods.pk}/events")
    assert response.status_code == status
    if status == 200:
        assert [event["action"] for event in response.json()] == [
            "created",
            "submitted",
            "published",
        ]


def test_events_say_who_did_what_and_when(vera, tina, home):
    created = post(api_client_for(vera), "/api/v1/needs", quilts(home)).json()
    post(api_client_for(tina), f"/api/v1/needs/{created['id']}/review", {"decision": "approve"})
    events = api_client_for(vera).get(f"/api/v1/needs/{created['id']}/events").json()
    assert [(e["action"], e["actor"], e["actor_role"]) for e in events] == [
        ("created", "Vera", "village_admin"),
        ("submitted", "Vera", "village_admin"),
        ("published", "Tina", "township_admin"),
    ]
    assert events[1]["after"] == {"rule_findings": []}
    assert events[2]["after"] == {"reason": "", "override_reason": "", "rule_findings": []}
    assert all(event["at"] for event in events)
