"""The visits' API: the list (scoped, paginated, filtered), recording with lines and a key
that makes a resend save once, raising a need, changing and deleting, the coverage and the
campaign days; each with its permission matrix, a refused call changing nothing.

Cleo is the cadre of township A assigned to 张建国's household (village A1); Cody a cadre
helping no one; Tina township A's station, Tom township B's; Vera village A1's point;
Victor a viewer of township A; Dora a caring person; Olga an organisation's rep.
"""

import datetime
import json

import pytest

from conftest import CITY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_B1, api_client_for, make_user
from tongxing.access import Role
from tongxing.audit.models import AuditEvent
from tongxing.needs.models import Need, Status
from tongxing.needs.tests import factories as nf
from tongxing.registry.models import Person
from tongxing.registry.tests.factories import assign
from tongxing.visits.models import CampaignDay, Visit, VisitDelivery
from tongxing.visits.tests import factories as f

D = datetime.date


@pytest.fixture
def home(tree):
    return nf.household(head="张建国")


@pytest.fixture
def cleo(home):
    account = make_user("cleo", Role.CADRE, TOWNSHIP_A)
    assign(account, home)
    return account


def post(user, path, body, **headers):
    return api_client_for(user).post(
        f"/api/v1{path}", json.dumps(body), content_type="application/json", headers=headers
    )


def get(user, path, **params):
    return api_client_for(user).get(f"/api/v1{path}", params)


def errors(response) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for error in response.json()["errors"]:
        out.setdefault(error["field"], []).append(error["message"])
    return out


def a_visit(home, **changes) -> dict:
    body = {
        "visited_on": f.days_ago(1).isoformat(),
        "household_id": home.pk,
        "purpose": "condolence",
        "findings": "屋顶漏雨",
        "deliveries": [
            {"kind": "clothing", "quantity": 4},
            {"kind": "grain_oil", "quantity": 30},
        ],
    }
    body.update(changes)
    return body


def test_a_cadre_records_their_visit_once_however_often_it_is_sent(cleo, home):
    first = post(cleo, "/visits", a_visit(home), **{"Idempotency-Key": "phone-1"})
    again = post(cleo, "/visits", a_visit(home), **{"Idempotency-Key": "phone-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.headers["Idempotent-Replayed"] == "true"
    body = first.json()
    assert again.json()["id"] == body["id"]
    assert (body["visitor"], body["position"], body["village"]) == (
        "Cleo",
        "assigned_cadre",
        VILLAGE_A1,
    )
    assert [(d["kind"], d["quantity"]) for d in body["deliveries"]] == [
        ("clothing", 4),
        ("grain_oil", 30),
    ]
    assert Visit.objects.count() == 1 and VisitDelivery.objects.count() == 2


def test_the_client_key_field_does_what_the_header_does(cleo, home):
    first = post(cleo, "/visits", a_visit(home, client_key="form-7"))
    again = post(cleo, "/visits", a_visit(home, client_key="form-7"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert Visit.objects.count() == 1


def test_bad_input_is_named_field_by_field_and_saves_nothing(cleo, home):
    tomorrow = f.days_ago(-1).isoformat()
    response = post(
        cleo,
        "/visits",
        a_visit(
            home,
            visited_on=tomorrow,
            purpose="feast",
            deliveries=[{"kind": "clothing", "quantity": -1}, {"kind": "other", "quantity": 1}],
        ),
    )
    assert response.status_code == 400
    assert sorted(errors(response)) == [
        "deliveries.0.quantity",
        "deliveries.1.description",
        "purpose",
        "visited_on",
    ]
    assert Visit.objects.count() == 0


def test_a_schema_fault_answers_422_with_the_field(cleo, home):
    response = post(cleo, "/visits", a_visit(home, visited_on="yesterday"))
    assert response.status_code == 422
    assert list(errors(response)) == ["visited_on"]


def test_who_may_record_a_visit_to_a_household_of_township_a(
    cleo, home, tina, tom, vera, victor, cody, dora, olga
):
    secretary = f.visitor(position="township_party_secretary", region=TOWNSHIP_A)
    body = a_visit(home, visitor_id=secretary.pk)
    expected = {
        None: 401,
        dora: 403,
        olga: 403,
        victor: 403,
        tom: 404,  # neither the secretary nor the household is of his region
        cody: 404,  # the secretary is not himself
        tina: 201,
        vera: 201,
    }
    for user, status in expected.items():
        assert post(user, "/visits", body).status_code == status, user
    assert Visit.objects.count() == 2


def test_a_cadre_without_the_household_is_answered_404(cody, home):
    assign(cody, nf.household(head="李四"))
    assert post(cody, "/visits", a_visit(home)).status_code == 404
    assert Visit.objects.count() == 0


def test_the_list_is_cut_to_the_readers_scope_and_filtered(cleo, home, alice, tina, tom, victor):
    other = nf.household(village=VILLAGE_B1, head="钱五")
    who = f.visitor(region=CITY)
    f.visit(who, household=home, on=D(2025, 10, 17), lines=[("clothing", 2)])
    f.visit(who, household=home, on=D(2025, 3, 1))
    f.visit(who, household=other, on=D(2025, 10, 17))
    counts = {
        u.username: get(u, "/visits").json()["count"] for u in (alice, tina, tom, victor, cleo)
    }
    assert counts == {"alice": 3, "tina": 2, "tom": 1, "victor": 2, "cleo": 2}
    day = get(tina, "/visits", campaign="true").json()
    assert [(v["visited_on"], v["registry_number"]) for v in day["items"]] == [
        ("2025-10-17", home.registry_number)
    ]
    spring = get(alice, "/visits", **{"from": "2025-01-01", "to": "2025-06-30"}).json()
    assert [v["visited_on"] for v in spring["items"]] == ["2025-03-01"]


def test_the_list_refuses_a_period_that_makes_no_sense(alice):
    response = get(alice, "/visits", **{"from": "2025-06-01", "to": "2025-01-01"})
    assert (response.status_code, list(errors(response))) == (400, ["to"])
    response = get(alice, "/visits", to="2999-01-01")
    assert (response.status_code, list(errors(response))) == (400, ["to"])


def test_the_list_is_closed_to_those_without_a_region(tree, dora, olga):
    assert get(None, "/visits").status_code == 401
    assert get(dora, "/visits").status_code == 403
    assert get(olga, "/visits").status_code == 403


def test_a_visit_of_another_township_is_not_found(home, tom):
    visit = f.visit(f.visitor(), household=home)
    assert get(tom, f"/visits/{visit.pk}").status_code == 404
    response = api_client_for(tom).delete(f"/api/v1/visits/{visit.pk}")
    assert response.status_code == 404
    assert Visit.objects.filter(pk=visit.pk).exists()


def test_the_township_changes_and_deletes_a_visit_a_viewer_cannot(home, tina, victor):
    visit = f.visit(f.visitor(), household=home)
    body = a_visit(home, visitor_id=visit.visitor_id, purpose="survey")
    url = f"/api/v1/visits/{visit.pk}"
    refused = api_client_for(victor).put(url, json.dumps(body), content_type="application/json")
    assert refused.status_code == 403
    changed = api_client_for(tina).put(url, json.dumps(body), content_type="application/json")
    assert (changed.status_code, changed.json()["purpose"]) == (200, "survey")
    assert api_client_for(victor).delete(url).status_code == 403
    assert api_client_for(tina).delete(url).status_code == 204
    assert not Visit.objects.exists()


def test_raising_a_need_from_a_visit(cleo, home):
    body = {
        "visit": a_visit(home, client_key="raise-1"),
        "need": {
            "kind": "goods",
            "category": "clothing",
            "title": "棉被",
            "deadline": f.days_ago(-30).isoformat(),
            "quantity": 2,
            "unit": "床",
            "unit_value_fen": 150_00,
        },
    }
    first = post(cleo, "/visits/raise-need", body)
    again = post(cleo, "/visits/raise-need", body)
    assert (first.status_code, again.status_code) == (201, 200)
    need = Need.objects.get()
    assert (first.json()["need_id"], need.household_id, need.status) == (
        need.pk,
        home.pk,
        Status.SUBMITTED,
    )
    assert first.json()["visit"]["need_id"] == need.pk
    bad = post(cleo, "/visits/raise-need", body | {"need": body["need"] | {"title": ""}})
    assert bad.status_code == 200  # the same key: the first answer again, nothing checked anew
    fresh = post(
        cleo,
        "/visits/raise-need",
        {"visit": a_visit(home, client_key="raise-2"), "need": body["need"] | {"title": ""}},
    )
    assert (fresh.status_code, list(errors(fresh))) == (400, ["need.title"])
    assert Visit.objects.count() == 1 and Need.objects.count() == 1


def test_the_coverage_of_a_township(cleo, home, tina, tom, cody, victor, dora, alice):
    unvisited = nf.household(head="李四")
    f.visit(Person.objects.get(account=cleo), household=home, on=f.days_ago(0))
    response = get(tina, "/visits/coverage")
    assert response.status_code == 200
    body = response.json()
    assert (body["region"], body["poor_households"]) == (TOWNSHIP_A, 2)
    assert [h["registry_number"] for h in body["not_by_anyone"]] == [unvisited.registry_number]
    assert [h["registry_number"] for h in body["not_by_cadre"]] == [unvisited.registry_number]
    assert body["villages"] == [
        {
            "village": VILLAGE_A1,
            "village_name": "桃李村",
            "poor_households": 2,
            "not_by_cadre": 1,
            "not_by_township_secretary": 2,
            "not_by_anyone": 1,
        }
    ]
    assert get(tom, "/visits/coverage", region=TOWNSHIP_A).status_code == 404
    assert get(victor, "/visits/coverage").status_code == 200
    assert get(alice, "/visits/coverage", region=TOWNSHIP_A).json()["poor_households"] == 2
    assert get(cody, "/visits/coverage").status_code == 403
    assert get(dora, "/visits/coverage").status_code == 403
    assert get(None, "/visits/coverage").status_code == 401


def test_the_city_office_sets_the_campaign_days(tree, alice, tina):
    body = json.dumps({"day": "2025-10-18", "name": "扶贫日"})
    refused = api_client_for(tina).put(
        "/api/v1/visits/campaign-days", body, content_type="application/json"
    )
    assert refused.status_code == 403 and not CampaignDay.objects.exists()
    done = api_client_for(alice).put(
        "/api/v1/visits/campaign-days", body, content_type="application/json"
    )
    assert done.status_code == 200
    assert get(tina, "/visits/campaign-days").json() == [{"day": "2025-10-18", "name": "扶贫日"}]
    assert api_client_for(tina).delete("/api/v1/visits/campaign-days/2025-10-18").status_code == 403
    assert (
        api_client_for(alice).delete("/api/v1/visits/campaign-days/2025-10-18").status_code == 204
    )
    assert (
        api_client_for(alice).delete("/api/v1/visits/campaign-days/2025-10-18").status_code == 404
    )
    assert AuditEvent.objects.filter(action__startswith="visit.campaign_day").count() == 2


def test_nothing_of_township_b_is_named_to_township_a(tina, tree):
    outsider = f.visitor(region=TOWNSHIP_B)
    home_b = nf.household(village=VILLAGE_B1, head="钱五")
    response = post(tina, "/visits", a_visit(home_b, visitor_id=outsider.pk))
    assert response.status_code == 404
    assert (
        "钱五" not in response.content.decode()
        and home_b.registry_number not in response.content.decode()
    )
