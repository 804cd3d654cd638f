"""The dashboard per role, in its region only, every figure leading to its records; and the
city's headline figures on the public home page, kept through the public cache."""

import datetime
import json
import re
from urllib.parse import parse_qs

from django.test import Client
from django.utils import timezone

from conftest import CITY, OTHER_CITY, TOWNSHIP_A, TOWNSHIP_B, add_other_city, client_for, make_user
from tongxing.accounts.actions import register_donor
from tongxing.accounts.models import Role
from tongxing.indicators import engine
from tongxing.needs.tests.test_figures import board  # noqa: F401 (the fixture)


def chart_data(html: str, chart_id: str) -> dict:
    found = re.search(rf'<script id="{chart_id}-data" type="application/json">(.*?)</script>', html)
    return json.loads(found.group(1))


def test_the_city_office_sees_the_city_with_charts_and_tables(board, alice):  # noqa: F811
    response = client_for(alice).get("/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    year = timezone.localdate().year
    assert (
        f"/indicators/needs.goods.posted/records/?region=590100000000&amp;from={year}-01-01" in html
    )
    goods = chart_data(html, "chart-needs-goods")
    assert [sum(line["values"]) for line in goods["series"]] == [3, 1, 1]
    assert goods["series"][0]["urls"][0].startswith(
        "/indicators/needs.goods.posted_within/records/?region=590100000000&from="
    )
    rates = chart_data(html, "chart-rates")
    assert rates["categories"] == ["柳塘镇", "松林乡"]
    assert rates["series"][0]["values"] == [50.0, 0.0]  # goods: A 1 of 2, B 0 of 1
    assert f"region={TOWNSHIP_A}" in rates["series"][0]["urls"][0]
    # Every chart has its table, with the same figures as links.
    assert html.count('<table class="list">') == len(re.findall(r'data-chart="', html))
    assert 'type="application/json"' in html


def test_a_township_admin_sees_its_township_only(board, tom):  # noqa: F811
    response = client_for(tom).get("/dashboard/")
    html = response.content.decode()
    assert response.status_code == 200
    assert [sum(line["values"]) for line in chart_data(html, "chart-needs-goods")["series"]] == [
        1,
        0,
        0,
    ]
    rates = chart_data(html, "chart-rates")
    assert rates["categories"] == ["梅竹村"]  # its villages
    assert "590100000000" not in html and TOWNSHIP_A not in html
    assert client_for(tom).get(f"/dashboard/?region={TOWNSHIP_A}").status_code == 404
    assert client_for(tom).get(f"/dashboard/?region={TOWNSHIP_B}").status_code == 200


def test_a_province_office_sees_its_cities(board):  # noqa: F811
    add_other_city()
    office = make_user("paula", Role.CITY_ADMIN, "590000000000")
    html = client_for(office).get("/dashboard/").content.decode()
    rates = chart_data(html, "chart-rates")
    assert rates["categories"] == ["青禾市", "远山市"]
    assert rates["series"][0]["values"] == [33.33, None]  # goods: 1 of 3; none posted
    assert f"region={CITY}" in rates["series"][0]["urls"][0]
    assert f"region={OTHER_CITY}" in rates["series"][0]["urls"][1]
    assert '<th scope="col">City</th>' in html


def test_a_village_admin_sees_no_areas_beneath_it(board, vera):  # noqa: F811
    html = client_for(vera).get("/dashboard/").content.decode()
    assert "chart-rates" not in html
    assert "chart-needs-goods" in html


def test_donors_are_refused_and_strangers_sent_to_log_in(board, dora):  # noqa: F811
    assert client_for(dora).get("/dashboard/").status_code == 403
    response = Client().get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_bad_period_is_named_on_its_field_and_the_year_is_shown(board, alice):  # noqa: F811
    response = client_for(alice).get("/dashboard/?from=2030-01-01&to=2029-01-01")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('role="alert"') == 1
    year = timezone.localdate().year
    assert f"{year}-01-01 –" in html
    assert client_for(alice).get("/dashboard/?year=abc").status_code == 200


def test_a_year_picks_its_months(board, alice):  # noqa: F811
    year = timezone.localdate().year - 1
    html = client_for(alice).get(f"/dashboard/?year={year}").content.decode()
    goods = chart_data(html, "chart-needs-goods")
    assert len(goods["categories"]) == 12
    assert [sum(line["values"]) for line in goods["series"]] == [0, 0, 0]


def test_the_home_page_shows_the_city_headline_without_links(board):  # noqa: F811
    html = Client().get("/").content.decode()
    assert 'data-testid="home-headline"' in html
    assert 'data-code="needs.goods.posted"><strong>3</strong>' in html
    assert 'data-code="needs.delivered_rate"><strong>33.33%</strong>' in html
    goods = chart_data(html, "chart-needs-goods")
    assert all(url is None for line in goods["series"] for url in line["urls"])
    assert "/records/" not in html
    assert "王" not in html  # no household, no child


def test_the_home_headline_is_kept_until_the_board_changes(board, alice, django_assert_num_queries):  # noqa: F811
    Client().get("/")
    with django_assert_num_queries(1):  # the board's version
        Client().get("/")
    from tongxing.public_cache import bump

    bump("board")
    html = Client().get("/").content.decode()
    assert 'data-code="needs.goods.posted"><strong>3</strong>' in html


def test_every_bar_counts_what_its_link_lists(board, alice):  # noqa: F811
    html = client_for(alice).get("/dashboard/").content.decode()
    checked = 0
    for chart_id in ("chart-needs-goods", "chart-needs-funds", "chart-donors", "chart-wishes"):
        for line in chart_data(html, chart_id)["series"]:
            for value, url in zip(line["values"], line["urls"], strict=True):
                path, query = url.split("?")
                asked = parse_qs(query)
                code = path.split("/")[2]
                listed = engine.records(
                    code,
                    asked["region"][0][:4],
                    datetime.date.fromisoformat(asked["from"][0]),
                    datetime.date.fromisoformat(asked["to"][0]),
                )
                assert listed.count() == value, (chart_id, line["name"], url)
                checked += value
    assert checked > 0


def test_a_caring_person_signing_up_counts_on_the_home_page_at_once(board):  # noqa: F811
    def donors_shown() -> str:
        html = Client().get("/").content.decode()
        found = re.search(r'data-code="platform.donors_registered"><strong>([^<]*)<', html)
        return found.group(1)

    before = donors_shown()
    register_donor(username="new-caring-person", password="a long passphrase 42")
    assert int(donors_shown()) == int(before) + 1


def test_the_pairing_money_and_sales_charts_are_the_figures_and_lead_to_records(board, alice):  # noqa: F811
    from conftest import VILLAGE_A1
    from tongxing.commerce.tests import factories as commerce
    from tongxing.programs import actions as programme_actions
    from tongxing.programs.tests import factories as programmes

    # A village of township A paired with an enterprise that pledged 3 万元 and gave 1.
    village = programmes.Region.objects.get(code=VILLAGE_A1)
    programme = programmes.programme()
    target = programme_actions.add_target(programme=programme, region=village, by=None)
    pairing = programme_actions.pair(
        target=target, helper=programmes.enterprise(), since=programmes.START, by=None
    )
    programme_actions.record_pledge(
        pairing=pairing, amount_fen=3_000_000, purpose="修路", pledged_on=programmes.START, by=None
    )
    programme_actions.record_disbursement(
        pairing=pairing,
        kind="funds",
        amount_fen=1_000_000,
        disbursed_on=programmes.START,
        by=None,
    )
    # A certified cooperative sold 1.5 万元 online in May.
    seller = commerce.supplier(name="青禾果业合作社", serial=9)
    commerce.sale(seller, amount_fen=1_500_000, sold_on=datetime.date(2026, 5, 20))

    html = client_for(alice).get("/dashboard/?year=2026").content.decode()
    money = chart_data(html, "chart-pairing-money")
    assert money["categories"] == ["柳塘镇", "松林乡"]
    assert [line["values"] for line in money["series"]] == [[3.0, 0.0], [1.0, 0.0]]
    assert money["series"][0]["urls"][0].startswith(
        f"/indicators/pairing.pledged_fen/records/?region={TOWNSHIP_A}"
    )
    records = client_for(alice).get(money["series"][0]["urls"][0]).content.decode()
    assert "¥30,000" in records
    assert "chart-visit-coverage" in html and "chart-trainings" in html
    helpers = chart_data(html, "chart-helper-money")
    assert helpers["categories"] == ["青禾食品有限公司"]
    assert [line["values"] for line in helpers["series"]] == [[3.0], [1.0]]
    assert helpers["series"][0]["urls"] == [f"/programmes/{programme.pk}/"]
    sales = chart_data(html, "chart-sales")
    online = sales["series"][0]
    assert online["values"][4] == 1.5 and sum(online["values"]) == 1.5  # May
    assert "from=2026-05-01&to=2026-05-31" in online["urls"][4]
    assert sum(sales["series"][1]["values"]) == 0  # nothing offline
