"""The API of consumption assistance: each operation for the roles that may use it, 403
for the others, 404 outside the caller's region, 400 naming the field, nothing changed."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import VILLAGE_B1, api_client_for
from tongxing.commerce import actions
from tongxing.commerce.models import Channel, ProcurementTarget, Sale, Supplier
from tongxing.commerce.tests.factories import (
    budget_unit,
    enterprise,
    household_supplier,
    product,
    rep_of,
    sale,
    supplier,
)

D = datetime.date


@pytest.fixture
def market(tree):
    coop = supplier()  # village A1, certified since 2024
    far = supplier(name="乙镇合作社", region=VILLAGE_B1, serial=2)
    home = household_supplier(head="王秀英")
    sale(coop, amount_fen=100_00, sold_on=D(2025, 3, 1))
    sale(coop, amount_fen=200_00, sold_on=D(2025, 4, 1), channel=Channel.OFFLINE)
    sale(far, amount_fen=400_00, sold_on=D(2025, 3, 5))
    sale(home, amount_fen=8_00, sold_on=D(2025, 3, 9))
    return {"coop": coop, "far": far, "home": home}


def api(request, who):
    return api_client_for(request.getfixturevalue(who) if who else None)


@pytest.mark.parametrize(
    "who,status,count",
    [
        ("alice", 200, 4),
        ("tina", 200, 3),
        ("tom", 200, 1),
        ("victor", 200, 3),
        ("vera", 200, 3),
        ("dora", 403, None),
        (None, 401, None),
    ],
)
def test_the_sales_list_is_cut_to_the_callers_region(request, market, who, status, count):
    response = api(request, who).get("/api/v1/commerce/sales")
    assert response.status_code == status
    if count is not None:
        assert response.json()["count"] == count


def test_the_sales_list_filters_by_channel_month_and_dates(market, tina):
    client = api_client_for(tina)
    by_channel = client.get("/api/v1/commerce/sales?channel=offline").json()
    assert [s["amount_fen"] for s in by_channel["items"]] == [200_00]
    by_month = client.get("/api/v1/commerce/sales?month=2025-03").json()
    assert sorted(s["amount_fen"] for s in by_month["items"]) == [8_00, 100_00]
    by_dates = client.get("/api/v1/commerce/sales?date_from=2025-03-02&date_to=2025-04-01").json()
    assert sorted(s["amount_fen"] for s in by_dates["items"]) == [8_00, 200_00]
    assert client.get("/api/v1/commerce/sales?month=2025-13").status_code == 422


def test_a_household_seller_is_named_by_a_masked_name_and_its_village(market, tina):
    items = api_client_for(tina).get("/api/v1/commerce/sales?month=2025-03").json()["items"]
    names = {s["seller_name"] for s in items}
    assert names == {"青禾农业合作社", "王**（桃李村）"}


def test_an_org_rep_lists_and_records_only_its_own_sales(market, olga):
    rep_of(olga, market["coop"].organisation)
    client = api_client_for(olga)
    assert client.get("/api/v1/commerce/sales").json()["count"] == 2
    payload = {
        "seller": market["coop"].pk,
        "channel": "online",
        "sold_on": "2025-05-01",
        "amount_fen": 9_99,
    }
    assert (
        client.post("/api/v1/commerce/sales", payload, content_type="application/json").status_code
        == 201
    )
    payload["seller"] = market["far"].pk
    response = client.post("/api/v1/commerce/sales", payload, content_type="application/json")
    assert response.status_code == 404
    assert Sale.objects.filter(seller=market["far"]).count() == 1


@pytest.mark.parametrize(
    "who,status",
    [("tina", 201), ("tom", 404), ("vera", 403), ("victor", 403), ("dora", 403), (None, 401)],
)
def test_recording_a_sale_permission_matrix(request, market, who, status):
    before = Sale.objects.count()
    payload = {
        "seller": market["coop"].pk,
        "channel": "offline",
        "sold_on": "2025-05-01",
        "amount_fen": 1_00,
    }
    response = api(request, who).post(
        "/api/v1/commerce/sales", payload, content_type="application/json"
    )
    assert response.status_code == status
    assert Sale.objects.count() == before + (1 if status == 201 else 0)


def test_a_bad_sale_answers_400_naming_the_field(market, tina):
    payload = {
        "seller": market["coop"].pk,
        "channel": "online",
        "sold_on": "2999-01-01",
        "amount_fen": 1_00,
    }
    response = api_client_for(tina).post(
        "/api/v1/commerce/sales", payload, content_type="application/json"
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["sold_on"]
    payload.update(sold_on="2025-01-01", amount_fen=0)
    response = api_client_for(tina).post(
        "/api/v1/commerce/sales", payload, content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "amount_fen"


def test_suppliers_are_registered_and_certified_by_the_offices(tree, alice, tina, vera):
    org = enterprise(name="新禾合作社", serial=5)
    client = api_client_for(tina)
    assert (
        api_client_for(vera)
        .post(
            "/api/v1/commerce/suppliers", {"organisation": org.pk}, content_type="application/json"
        )
        .status_code
        == 403
    )
    response = client.post(
        "/api/v1/commerce/suppliers", {"organisation": org.pk}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["name"] == "新禾合作社"
    supplier_id = response.json()["id"]
    certify = {"criterion": "employs", "certified_on": "2025-01-01"}
    url = f"/api/v1/commerce/suppliers/{supplier_id}/certifications"
    assert client.post(url, certify, content_type="application/json").status_code == 403
    response = api_client_for(alice).post(url, certify, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["certified_today"] is True
    assert response.json()["certifications"][0]["certified_on"] == "2025-01-01"
    revoke = f"/api/v1/commerce/suppliers/{supplier_id}/revocation"
    response = api_client_for(alice).post(
        revoke, {"revoked_on": "2025-06-01", "reason": "停产"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["certified_today"] is False


def test_another_citys_office_finds_no_supplier_of_ours(market, carl):
    client = api_client_for(carl)
    assert client.get(f"/api/v1/commerce/suppliers/{market['coop'].pk}").status_code == 404
    assert client.get("/api/v1/commerce/suppliers").json()["count"] == 0


def test_the_pavilion_is_public_and_names_no_one(market, alice):
    rice = product(market["coop"])
    eggs = product(market["home"], name="土鸡蛋")
    actions.list_in_pavilion(product=rice, listed_from=D(2025, 1, 1), by=alice)
    actions.list_in_pavilion(product=eggs, listed_from=D(2025, 1, 1), by=alice)
    response = api_client_for(None).get("/api/v1/commerce/pavilion")
    assert response.status_code == 200
    items = response.json()["items"]
    assert {i["name"] for i in items} == {"高山大米", "土鸡蛋"}
    assert "王秀英" not in response.content.decode()
    assert {i["seller"] for i in items} == {"青禾农业合作社", "王**（桃李村）"}


def test_products_are_added_by_the_office_or_the_own_rep_and_listed_by_the_city(
    market, tina, olga, alice
):
    payload = {
        "supplier": market["coop"].pk,
        "name": "云雾茶",
        "category": "tea",
        "unit": "斤",
        "price_fen": 120_00,
    }
    response = api_client_for(tina).post(
        "/api/v1/commerce/products", payload, content_type="application/json"
    )
    assert response.status_code == 201
    product_id = response.json()["id"]
    assert (
        api_client_for(olga)
        .post(
            "/api/v1/commerce/products",
            {**payload, "name": "别的"},
            content_type="application/json",
        )
        .status_code
        == 404
    )
    url = f"/api/v1/commerce/products/{product_id}/listing"
    assert (
        api_client_for(tina)
        .post(url, {"listed_from": "2025-01-01"}, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        api_client_for(alice)
        .post(url, {"listed_from": "2025-01-01"}, content_type="application/json")
        .status_code
        == 201
    )


def test_procurement_targets_and_attainment(market, alice, tina):
    school = budget_unit()
    sale(
        market["coop"],
        channel=Channel.PROCUREMENT,
        buyer=school,
        amount_fen=3000_00,
        sold_on=D(2025, 6, 1),
    )
    payload = {
        "budget_unit": school.pk,
        "year": 2025,
        "canteen_spending_fen": 100_000_00,
        "reserved_share_bp": 1000,
    }
    assert (
        api_client_for(tina)
        .put("/api/v1/commerce/procurement/targets", payload, content_type="application/json")
        .status_code
        == 403
    )
    response = api_client_for(alice).put(
        "/api/v1/commerce/procurement/targets", payload, content_type="application/json"
    )
    # 3,000 yuan of 100,000 × 10% = 10,000 yuan: 30%.
    assert response.status_code == 200
    assert response.json()["target_fen"] == 10_000_00 and response.json()["attainment_bp"] == 3000
    listed = api_client_for(tina).get("/api/v1/commerce/procurement/targets?year=2025").json()
    assert [t["purchased_fen"] for t in listed] == [3000_00]
    assert ProcurementTarget.objects.count() == 1


def test_sales_by_channel_and_month(market, tina):
    rows = api_client_for(tina).get("/api/v1/commerce/sales/by-month?year=2025").json()
    assert rows == [
        {"channel": "offline", "month": 4, "amount_fen": 200_00, "orders": 0, "sales": 1},
        {"channel": "online", "month": 3, "amount_fen": 108_00, "orders": 0, "sales": 2},
    ]


def test_the_import_through_the_api_all_or_nothing(market, tina, vera):
    good = "销售日期,销售主体,销售渠道,销售金额\n2025-05-01,青禾农业合作社,线上,12.5\n".encode()
    bad = good + "2025-05-02,乙镇合作社,线上,1\n".encode()
    client = api_client_for(tina)
    refused = client.post(
        "/api/v1/commerce/sales/import", {"file": SimpleUploadedFile("s.csv", bad)}
    )
    assert refused.status_code == 400
    assert [(e["row"], e["column"]) for e in refused.json()["errors"]] == [(3, "seller")]
    before = Sale.objects.count()
    ok = client.post("/api/v1/commerce/sales/import", {"file": SimpleUploadedFile("s.csv", good)})
    assert ok.status_code == 200 and ok.json()["rows_imported"] == 1
    again = client.post(
        "/api/v1/commerce/sales/import", {"file": SimpleUploadedFile("s.csv", good)}
    )
    assert again.json()["rows_imported"] == 0 and Sale.objects.count() == before + 1
    assert (
        api_client_for(vera)
        .post("/api/v1/commerce/sales/import", {"file": SimpleUploadedFile("s.csv", good)})
        .status_code
        == 403
    )
    assert Supplier.objects.count() == 3
