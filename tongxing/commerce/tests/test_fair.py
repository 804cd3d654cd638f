"""The consumption fair (消费帮扶赶集会): a sale at a fair names the fair, and the fair's
figures (indicators.md §8, fair.*) on a small data set whose answers are worked out by hand
below, with their drill-downs."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from conftest import CITY as CITY_CODE
from conftest import TOWNSHIP_A as TOWNSHIP_A_CODE
from conftest import VILLAGE_A2, VILLAGE_B1, api_client_for, client_for
from tongxing import figures
from tongxing.commerce import actions
from tongxing.commerce.figures import MEASURES as COMMERCE
from tongxing.commerce.imports import import_sales
from tongxing.commerce.models import Channel, Criterion, Sale, Source
from tongxing.commerce.tests.factories import (
    fair,
    rep_of,
    sale,
    supplier,
)
from tongxing.events.figures import MEASURES as EVENTS
from tongxing.events.models import EventKind
from tongxing.events.tests.factories import household

D = datetime.date
CITY, TOWNSHIP_A, TOWNSHIP_B = "5901", "590101001", "590101002"
YEAR_2025 = figures.window(D(2025, 1, 1), D(2025, 12, 31))
FAIR_CODES = [code for code in {**COMMERCE, **EVENTS} if code.startswith("fair.")]
MEASURES = {code: {**COMMERCE, **EVENTS}[code] for code in FAIR_CODES}


def household_seller(number: str, seq: int, *, village: str):
    """A registered household selling its own produce, certified since 2024."""
    seller = actions.register_supplier(household=household(number, seq, village=village), by=None)
    actions.certify_supplier(
        supplier=seller,
        criterion=Criterion.IN_REGISTERED_VILLAGE,
        certified_on=D(2024, 1, 1),
        by=None,
    )
    return seller


@pytest.fixture
def stalls(tree):
    """Seven suppliers at three fairs (all certified since 2024 but the stranger).

    coop: cooperative of A1 (a township's stall, A).  home_a: household of A2 (A).
    home_b: household of B1 (B).  firm: private enterprise of B1.  shop: e-commerce
    company of A1.  city_coop: cooperative of the city itself (no township: an
    enterprise's stall).  stranger: private enterprise of A2, never certified.
    """
    s = {
        "coop": supplier(),
        "home_a": household_seller("H-201", 21, village=VILLAGE_A2),
        "home_b": household_seller("H-301", 31, village=VILLAGE_B1),
        "firm": supplier(
            name="乙镇果业公司", kind="private_enterprise", region=VILLAGE_B1, serial=2
        ),
        "shop": supplier(name="甲镇电商公司", kind="ecommerce_company", serial=3),
        "city_coop": supplier(name="青禾市茶叶合作社", region=CITY_CODE, serial=4),
        "stranger": supplier(
            name="外地商贸公司",
            kind="private_enterprise",
            region=VILLAGE_A2,
            serial=5,
            certified_on=None,
        ),
    }
    city_fair = fair(viewers=12_000)  # 2025-09-20 to 22, held by the city
    township_fair = fair(
        title="甲镇农产品展销会",
        starts_on=D(2025, 6, 1),
        ends_on=D(2025, 6, 1),
        region=TOWNSHIP_A_CODE,
        viewers=300,
    )
    last_year = fair(
        title="2024年消费帮扶赶集会",
        starts_on=D(2024, 9, 20),
        ends_on=D(2024, 9, 22),
        viewers=5_000,
    )
    fair(title="直播大赛", kind=EventKind.CONTEST, viewers=999)  # not a fair

    def at(who, channel, day, amount_fen, orders=0, event=city_fair):
        sale(
            s[who], channel=channel, sold_on=day, amount_fen=amount_fen, orders=orders, event=event
        )

    online, offline = Channel.FAIR_ONLINE, Channel.FAIR_OFFLINE
    at("firm", online, D(2025, 9, 20), 3000_00, orders=40)
    at("shop", online, D(2025, 9, 21), 5000_00, orders=60)
    at("coop", online, D(2025, 9, 22), 1000_00, orders=10)
    at("stranger", online, D(2025, 9, 20), 9999_00, orders=99)  # not assistance
    at("firm", offline, D(2025, 9, 20), 2000_00)
    at("firm", offline, D(2025, 9, 21), 1500_00)
    at("shop", offline, D(2025, 9, 22), 800_00)
    at("city_coop", offline, D(2025, 9, 21), 700_00)
    at("coop", offline, D(2025, 9, 20), 600_00)
    at("home_a", offline, D(2025, 9, 21), 50_00)
    at("home_b", offline, D(2025, 9, 22), 30_00)
    at("stranger", offline, D(2025, 9, 21), 5000_00)  # not assistance
    at("coop", offline, D(2025, 6, 1), 400_00, event=township_fair)
    at("firm", offline, D(2024, 9, 21), 9000_00, event=last_year)  # last year
    sale(s["firm"], channel=Channel.OFFLINE, sold_on=D(2025, 9, 20), amount_fen=77_00)  # no fair
    return {**s, "city_fair": city_fair, "township_fair": township_fair}


def test_the_citys_fair_figures_of_2025(stalls):
    values = figures.evaluate(MEASURES, CITY, YEAR_2025)
    assert values == {
        # The city's fair 12,000 and township A's 300; not 2024's nor the contest's.
        "fair.online_viewers": 12_300,
        # firm 40 + shop 60 + coop 10; not the stranger's 99 (never certified).
        "fair.online_orders": 110,
        "fair.online_sales_fen": 9000_00,
        # firm (two sales), shop, and the city's own cooperative.
        "fair.offline_enterprises": 3,
        "fair.offline_enterprise_sales_fen": 2000_00 + 1500_00 + 800_00 + 700_00,
        # A (coop 600 + 400 at its own fair, home_a 50) and B (home_b 30).
        "fair.townships": 2,
        "fair.township_sales_fen": 1080_00,
        "fair.total_sales_fen": 15_080_00,
    }
    # Online, the enterprises' stalls and the townships' make the whole: no sale twice.
    assert (
        values["fair.online_sales_fen"]
        + values["fair.offline_enterprise_sales_fen"]
        + values["fair.township_sales_fen"]
        == values["fair.total_sales_fen"]
    )


def test_the_fair_figures_by_township(stalls):
    by = figures.evaluate_by(MEASURES, CITY, YEAR_2025, length=9)
    assert by[TOWNSHIP_A] == {
        "fair.online_viewers": 300,
        "fair.online_orders": 70,  # shop 60 + coop 10
        "fair.online_sales_fen": 6000_00,
        "fair.offline_enterprises": 1,  # shop
        "fair.offline_enterprise_sales_fen": 800_00,
        "fair.townships": 1,
        "fair.township_sales_fen": 1050_00,
        "fair.total_sales_fen": 7850_00,
    }
    assert by[TOWNSHIP_B] == {
        "fair.online_viewers": 0,
        "fair.online_orders": 40,
        "fair.online_sales_fen": 3000_00,
        "fair.offline_enterprises": 1,  # firm
        "fair.offline_enterprise_sales_fen": 3500_00,
        "fair.townships": 1,
        "fair.township_sales_fen": 30_00,
        "fair.total_sales_fen": 6530_00,
    }
    assert figures.evaluate(MEASURES, TOWNSHIP_B, YEAR_2025) == by[TOWNSHIP_B]


@pytest.mark.parametrize("code", FAIR_CODES)
def test_each_fair_figures_records_add_up_to_it(stalls, code):
    measure = MEASURES[code]
    value = figures.evaluate({code: measure}, CITY, YEAR_2025)[code]
    behind = figures.records(measure, CITY, YEAR_2025)
    if measure.how == figures.SUM:
        assert sum(behind.values_list(measure.field, flat=True)) == value
    else:
        assert behind.count() == value


def test_the_drill_downs_list_the_enterprises_and_the_townships(stalls):
    enterprises = figures.records(COMMERCE["fair.offline_enterprises"], CITY, YEAR_2025)
    assert set(enterprises) == {stalls["firm"], stalls["shop"], stalls["city_coop"]}
    townships = figures.records(COMMERCE["fair.townships"], CITY, YEAR_2025)
    assert sorted(townships.values_list("code", flat=True)) == [TOWNSHIP_A_CODE, "590101002000"]
    viewers = figures.records(EVENTS["fair.online_viewers"], CITY, YEAR_2025)
    assert set(viewers) == {stalls["city_fair"], stalls["township_fair"]}


# --- The rules of a sale at a fair ----------------------------------------------------------


def at_fair(seller, event, by):
    return actions.record_sale(
        seller=seller,
        channel=Channel.FAIR_OFFLINE,
        sold_on=D(2025, 9, 21),
        amount_fen=1_00,
        event=event,
        by=by,
    )


def refusal(**changes) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        sale(**changes)
    return caught.value.message_dict


def test_a_sale_at_a_fair_names_a_fair_within_whose_days_it_was_made(tree):
    coop, city_fair = supplier(), fair()
    contest = fair(title="直播大赛", kind=EventKind.CONTEST)
    kept = {"s": coop, "sold_on": D(2025, 9, 21)}
    assert refusal(**kept, channel=Channel.FAIR_OFFLINE) == {
        "event": ["A sale at a fair names the fair."]
    }
    assert refusal(**kept, channel=Channel.ONLINE, event=city_fair) == {
        "event": ["Only a sale at a fair (fair, online or offline) names a fair."]
    }
    assert refusal(**kept, channel=Channel.FAIR_ONLINE, event=contest) == {
        "event": ["“直播大赛” is not a fair."]
    }
    assert refusal(
        s=coop, sold_on=D(2025, 9, 23), channel=Channel.FAIR_ONLINE, event=city_fair
    ) == {
        "event": [
            "The fair “2025年消费帮扶赶集会” ran from 2025-09-20 to 2025-09-22: "
            "the sale's date is not one of its days."
        ]
    }
    assert Sale.objects.count() == 0
    made = sale(**kept, channel=Channel.FAIR_ONLINE, event=city_fair)
    assert made.event == city_fair and list(city_fair.sales.all()) == [made]


def test_the_database_refuses_a_fair_sale_without_its_fair_and_another_with_one(tree):
    coop, city_fair = supplier(), fair()
    common = {
        "seller": coop,
        "sold_on": D(2025, 9, 21),
        "amount_fen": 1_00,
        "region_id": coop.region_id,
    }
    for channel, event in ((Channel.FAIR_OFFLINE, None), (Channel.OFFLINE, city_fair)):
        with pytest.raises(IntegrityError), transaction.atomic():
            Sale.objects.create(**common, channel=channel, event=event, source=Source.MANUAL)


def test_a_township_names_the_citys_fair_and_its_own_but_not_another_townships(tree, tina, tom):
    city_fair = fair()
    township_a_fair = fair(title="甲镇展销会", region=TOWNSHIP_A_CODE)
    far = supplier(name="乙镇合作社", region=VILLAGE_B1, serial=2)
    at_fair(far, city_fair, tom)
    with pytest.raises(PermissionDenied):
        at_fair(far, township_a_fair, tom)
    at_fair(supplier(), township_a_fair, tina)
    assert Sale.objects.filter(event=township_a_fair).count() == 1


# --- Through the API, the pages, the import and the export ----------------------------------


def post_sale(who, **payload):
    body = {"channel": "fair_offline", "sold_on": "2025-09-21", "amount_fen": 5_00, **payload}
    return api_client_for(who).post("/api/v1/commerce/sales", body, content_type="application/json")


def test_the_api_records_a_fair_sale_and_answers_400_naming_the_event(tree, tina, tom):
    coop, city_fair = supplier(), fair()
    training = fair(title="电商培训", kind=EventKind.TRAINING, region=TOWNSHIP_A_CODE)
    township_a_fair = fair(title="甲镇展销会", region=TOWNSHIP_A_CODE)
    far = supplier(name="乙镇合作社", region=VILLAGE_B1, serial=2)
    for who, payload in (
        (tina, {"seller": coop.pk}),  # no fair
        (tina, {"seller": coop.pk, "event": training.pk}),  # not a fair
        (tina, {"seller": coop.pk, "event": 99_999}),  # no such fair
        (tom, {"seller": far.pk, "event": township_a_fair.pk}),  # another township's
        (tina, {"seller": coop.pk, "event": city_fair.pk, "channel": "online"}),
        (tina, {"seller": coop.pk, "event": city_fair.pk, "sold_on": "2025-09-19"}),
    ):
        response = post_sale(who, **payload)
        assert response.status_code == 400, payload
        assert [e["field"] for e in response.json()["errors"]] == ["event"], payload
    assert Sale.objects.count() == 0
    response = post_sale(tina, seller=coop.pk, event=city_fair.pk)
    assert response.status_code == 201
    assert response.json()["event"] == city_fair.pk
    assert response.json()["event_title"] == "2025年消费帮扶赶集会"
    listed = api_client_for(tina).get(f"/api/v1/commerce/sales?event={city_fair.pk}").json()
    assert [s["amount_fen"] for s in listed["items"]] == [5_00]


def test_an_org_rep_records_only_its_own_organisations_fair_sales(tree, olga):
    coop, city_fair = supplier(), fair()
    firm = supplier(name="乙镇果业公司", kind="private_enterprise", region=VILLAGE_B1, serial=2)
    rep_of(olga, coop.organisation)
    assert post_sale(olga, seller=coop.pk, event=city_fair.pk).status_code == 201
    assert post_sale(olga, seller=firm.pk, event=city_fair.pk).status_code == 404
    with pytest.raises(PermissionDenied):
        at_fair(firm, city_fair, olga)
    assert list(Sale.objects.values_list("seller_id", flat=True)) == [coop.pk]


def test_the_page_records_a_fair_sale_and_the_export_names_the_fair(tree, tina):
    coop, city_fair = supplier(), fair()
    client = client_for(tina)
    form = {"seller": coop.pk, "channel": "fair_offline", "sold_on": "2025-09-21", "amount": "12"}
    response = client.post("/commerce/sales/new/", form)
    assert (
        response.status_code == 400
        and "A sale at a fair names the fair." in response.content.decode()
    )
    response = client.post("/commerce/sales/new/", {**form, "event": city_fair.pk})
    assert response.status_code == 302
    assert Sale.objects.get().event == city_fair
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(client.get("/commerce/sales/export/").content)).active
    rows = list(sheet.values)
    assert rows[0][-1] == "Fair" and rows[1][-1] == "2025年消费帮扶赶集会"


def row(**values) -> dict[str, str]:
    return {"sold_on": "2025-09-21", "seller": "青禾农业合作社", "amount": "100", **values}


def test_the_import_names_the_fair_by_number_or_title_and_faults_row_by_row(tree, tina):
    supplier()
    city_fair = fair()
    fair(title="甲镇展销会", region=TOWNSHIP_A_CODE)
    fair(
        title="甲镇展销会", region=TOWNSHIP_A_CODE, starts_on=D(2025, 10, 1), ends_on=D(2025, 10, 1)
    )
    far_fair = fair(title="乙镇展销会", region="590101002000")
    rows = [
        row(channel="消费会线下"),
        row(channel="消费会线上", event="没有的展销会"),
        row(channel="线上", event=str(city_fair.pk)),
        row(channel="消费会线下", event="2025年消费帮扶赶集会", sold_on="2025-09-25"),
        row(channel="消费会线下", event="甲镇展销会"),
        row(channel="消费会线下", event="乙镇展销会"),
    ]
    result = import_sales(rows=list(enumerate(rows, start=2)), by=tina)
    assert [(e.row, e.column) for e in result.errors] == [(n, "event") for n in range(2, 8)]
    assert [e.message for e in result.errors] == [
        "A sale at a fair names the fair.",
        "No fair “没有的展销会” that your sales may name.",
        "Only a sale at a fair (fair, online or offline) names a fair.",
        "The fair “2025年消费帮扶赶集会” ran from 2025-09-20 to 2025-09-22: "
        "the sale's date is not one of its days.",
        "More than one fair is called “甲镇展销会”: give its number.",
        f"No fair “{far_fair.title}” that your sales may name.",
    ]
    assert Sale.objects.count() == 0
    good = [
        row(channel="消费会线上", event=str(city_fair.pk), amount="10"),
        row(channel="消费会线下", event="2025年消费帮扶赶集会", amount="20"),
        row(channel="线下", amount="30"),
    ]
    result = import_sales(rows=list(enumerate(good, start=2)), by=tina)
    assert result.ok and result.rows_imported == 3
    assert sorted(Sale.objects.values_list("amount_fen", "event_id").order_by("amount_fen")) == [
        (10_00, city_fair.pk),
        (20_00, city_fair.pk),
        (30_00, None),
    ]
