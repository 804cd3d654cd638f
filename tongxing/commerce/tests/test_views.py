"""The pages of consumption assistance: who opens each, what they show (a household seller
only by a masked name), and the forms that change something."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from conftest import VILLAGE_B1, client_for
from tongxing.commerce import actions
from tongxing.commerce.models import Channel, ProcurementTarget, Product, Sale, Supplier
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
    coop = supplier()
    far = supplier(name="乙镇合作社", region=VILLAGE_B1, serial=2)
    home = household_supplier(head="王秀英")
    sale(coop, amount_fen=100_00, sold_on=D(2025, 3, 1))
    sale(far, amount_fen=400_00, sold_on=D(2025, 3, 5), channel=Channel.OFFLINE)
    sale(home, amount_fen=8_00, sold_on=D(2025, 4, 9))
    return {"coop": coop, "far": far, "home": home}


def page(request, who, url):
    return client_for(request.getfixturevalue(who) if who else None).get(url)


@pytest.mark.parametrize(
    "who,status",
    [("alice", 200), ("tina", 200), ("vera", 200), ("victor", 200), ("cody", 200), ("dora", 403)],
)
@pytest.mark.parametrize("url", ["/commerce/", "/commerce/sales/", "/commerce/procurement/"])
def test_the_staff_pages_open_to_staff_only(request, market, who, status, url):
    assert page(request, who, url).status_code == status


def test_anonymous_visitors_are_sent_to_log_in(market):
    response = client_for(None).get("/commerce/sales/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_sales_list_shows_the_region_and_filters_by_channel_and_month(market, tina, tom):
    text = client_for(tina).get("/commerce/sales/").content.decode()
    assert "青禾农业合作社" in text and "王**（桃李村）" in text and "乙镇合作社" not in text
    assert "王秀英" not in text
    text = client_for(tina).get("/commerce/sales/?month=2025-04").content.decode()
    assert "王**（桃李村）" in text and "青禾农业合作社" not in text
    text = client_for(tom).get("/commerce/sales/?channel=offline").content.decode()
    assert "乙镇合作社" in text and "¥400" in text


def test_another_regions_supplier_page_is_404(market, tom, carl):
    url = f"/commerce/suppliers/{market['coop'].pk}/"
    assert client_for(tom).get(url).status_code == 404
    assert client_for(carl).get(url).status_code == 404


def test_the_pavilion_is_public_and_names_a_household_by_a_masked_name(market, alice):
    eggs = product(market["home"], name="土鸡蛋", price_fen=1_50)
    actions.list_in_pavilion(product=eggs, listed_from=D(2025, 1, 1), by=alice)
    response = client_for(None).get("/commerce/pavilion/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "土鸡蛋" in text and "¥1.50" in text and "王**（桃李村）" in text
    assert "王秀英" not in text and "H-101" not in text


def test_an_office_records_a_sale_in_yuan(market, tina):
    client = client_for(tina)
    form = {
        "seller": market["coop"].pk,
        "channel": "offline",
        "sold_on": "2025-05-01",
        "amount": "1234.56",
        "orders": "2",
        "quantity": "",
    }
    response = client.post("/commerce/sales/new/", form)
    assert response.status_code == 302
    assert Sale.objects.get(sold_on=D(2025, 5, 1)).amount_fen == 123_456
    # A seller of another township is not among the choices: nothing is recorded.
    form.update(seller=market["far"].pk, sold_on="2025-05-02")
    assert client.post("/commerce/sales/new/", form).status_code == 400
    assert not Sale.objects.filter(sold_on=D(2025, 5, 2)).exists()


def test_a_future_sale_is_refused_beside_its_field(market, tina):
    form = {
        "seller": market["coop"].pk,
        "channel": "online",
        "sold_on": "2999-01-01",
        "amount": "5",
    }
    response = client_for(tina).post("/commerce/sales/new/", form)
    assert response.status_code == 400 and "The date has not come yet." in response.content.decode()


@pytest.mark.parametrize("who,status", [("vera", 403), ("victor", 403), ("dora", 403)])
def test_those_who_do_not_record_sales_may_not_post_one(request, market, who, status):
    form = {
        "seller": market["coop"].pk,
        "channel": "online",
        "sold_on": "2025-05-01",
        "amount": "5",
    }
    client = client_for(request.getfixturevalue(who))
    assert client.post("/commerce/sales/new/", form).status_code == status
    assert Sale.objects.count() == 3


def test_an_org_rep_sees_and_records_its_own_sales(market, olga):
    rep_of(olga, market["coop"].organisation)
    client = client_for(olga)
    text = client.get("/commerce/sales/").content.decode()
    assert "青禾农业合作社" in text and "王**" not in text
    form = {"seller": market["far"].pk, "channel": "online", "sold_on": "2025-05-01", "amount": "5"}
    assert client.post("/commerce/sales/new/", form).status_code == 400
    form["seller"] = market["coop"].pk
    assert client.post("/commerce/sales/new/", form).status_code == 302
    assert Sale.objects.filter(seller=market["far"]).count() == 1


def test_the_import_page_imports_a_good_file_and_lists_a_bad_ones_faults(market, tina):
    good = "销售日期,销售主体,销售渠道,销售金额\n2025-05-01,青禾农业合作社,线上,12.5\n".encode()
    bad = good + "2025-05-02,乙镇合作社,线下,1\n".encode()
    client = client_for(tina)
    response = client.post("/commerce/sales/import/", {"file": SimpleUploadedFile("s.csv", bad)})
    text = response.content.decode()
    assert response.status_code == 400 and "No supplier “乙镇合作社” in your region." in text
    assert "销售主体" in text  # the column as the file heads it
    response = client.post("/commerce/sales/import/", {"file": SimpleUploadedFile("s.csv", good)})
    assert response.status_code == 200 and Sale.objects.filter(amount_fen=12_50).count() == 1


def test_the_export_lists_the_filtered_sales_without_names(market, tina):
    response = client_for(tina).get("/commerce/sales/export/?month=2025-04")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[1][2] == "王**（桃李村）" and rows[1][4] == 8 and len(rows) == 2


def test_the_city_office_registers_certifies_and_lists(tree, alice, tina):
    org = enterprise(name="新禾合作社", serial=5)
    client = client_for(tina)
    response = client.post("/commerce/suppliers/new/", {"organisation": org.pk})
    assert response.status_code == 302
    supplier = Supplier.objects.get(organisation=org)
    certify = f"/commerce/suppliers/{supplier.pk}/certify/"
    assert (
        client.post(certify, {"criterion": "employs", "certified_on": "2025-01-01"}).status_code
        == 403
    )
    assert (
        client_for(alice)
        .post(certify, {"criterion": "employs", "certified_on": "2025-01-01"})
        .status_code
        == 302
    )
    assert supplier.certifications.count() == 1
    form = {"name": "云雾茶", "category": "tea", "unit": "斤", "price": "88.8"}
    assert client.post(f"/commerce/suppliers/{supplier.pk}/products/new/", form).status_code == 302
    tea = Product.objects.get(name="云雾茶")
    assert tea.price_fen == 88_80
    listing = f"/commerce/products/{tea.pk}/listing/"
    assert client.post(listing, {"day": "2025-01-01"}).status_code == 403
    assert client_for(alice).post(listing, {"day": "2025-01-01"}).status_code == 302
    assert "云雾茶" in client_for(None).get("/commerce/pavilion/").content.decode()


def test_a_household_is_registered_by_its_registry_number_in_the_region(tree, tina, tom):
    from tongxing.registry.tests.factories import register

    register(number="H-777")
    assert (
        client_for(tom).post("/commerce/suppliers/new/", {"registry_number": "H-777"}).status_code
        == 400
    )
    assert (
        client_for(tina).post("/commerce/suppliers/new/", {"registry_number": "H-777"}).status_code
        == 302
    )
    assert Supplier.objects.get().household.registry_number == "H-777"


def test_the_procurement_page_sets_a_target_and_shows_attainment(market, alice, tina):
    school = budget_unit()
    sale(
        market["coop"],
        channel=Channel.PROCUREMENT,
        buyer=school,
        amount_fen=2500_00,
        sold_on=D(2025, 6, 1),
    )
    form = {
        "budget_unit": school.pk,
        "year": "2025",
        "canteen_spending": "100000",
        "reserved_share": "5",
    }
    assert client_for(tina).post("/commerce/procurement/?year=2025", form).status_code == 403
    assert client_for(alice).post("/commerce/procurement/?year=2025", form).status_code == 302
    assert ProcurementTarget.objects.get().reserved_share_bp == 500
    # 2,500 of 100,000 × 5% = 5,000 yuan: 50.00%.
    text = client_for(tina).get("/commerce/procurement/?year=2025").content.decode()
    assert "50.00%" in text and "¥5,000" in text
