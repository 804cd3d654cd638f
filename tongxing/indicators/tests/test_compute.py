"""The engine on the needs board's hand-built records (the board of the needs' figure
tests): every computed code worked out by hand, the codes not recorded never 0, the
additive codes of the city the sum of its townships', the command and the API."""

import datetime
import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from conftest import TOWNSHIP_B, api_client_for
from tongxing.indicators import engine
from tongxing.indicators.catalogue import INDICATORS
from tongxing.needs import figures as needs_figures
from tongxing.needs.tests.test_figures import board  # noqa: F401 (the fixture)

CITY = "5901"


def this_year() -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    return datetime.date(today.year, 1, 1), today


def values(figures: dict) -> dict:
    return {code: figure.value for code, figure in figures.items() if figure.state == "computed"}


def test_the_city_figures_worked_out_by_hand(board):  # noqa: F811
    start, end = this_year()
    figures = engine.compute(CITY, start, end)
    board_codes = {
        indicator.code
        for indicator in INDICATORS
        if indicator.of_period or indicator.measure in needs_figures.MEASURES
    }
    # The other apps keep their records, and the board holds none of them: nothing counts.
    others = {code: value for code, value in values(figures).items() if code not in board_codes}
    assert others and set(others.values()) <= {0, None}, others
    assert {code: value for code, value in values(figures).items() if code in board_codes} == {
        # Goods: the quilt (matched, confirmed), the rice (half pledged), B's goods.
        "needs.goods.posted": 3,
        "needs.goods.matched": 1,
        "needs.goods.match_rate": 33.33,
        "needs.funds.posted": 1,
        "needs.funds.matched": 1,
        "needs.funds.match_rate": 100.0,
        # Of three matched needs (quilt, funds, wish) only the quilt was confirmed.
        "needs.delivered_rate": 33.33,
        # One child, her wish (80 yuan) delivered; she is the one left-behind child in need.
        "wishes.children": 1,
        "wishes.townships": 1,
        "wishes.raised_fen": 80_00,
        "wishes.fulfilled_children": 1,
        "wishes.coverage_rate": 100.0,
        "platform.as_of": end,
        "platform.donors_registered": 1,  # Dora
        "platform.donors_gave": 1,  # she pledged
        "platform.households_registered": 3,
        "platform.admins": 4,  # Alice, Tina, Tom, Vera
    }
    rate = figures["needs.goods.match_rate"]
    assert (rate.numerator, rate.denominator) == (1, 3)
    shown = engine.as_json(figures)
    assert shown["wishes.raised_fen"] == {
        "value": 80_00,
        "display": "0.01万元",
        "unit": "fen",
        "state": "computed",
    }
    assert shown["needs.goods.match_rate"]["display"] == "33.33%"
    assert shown["platform.as_of"]["value"] == end.isoformat()


def test_a_rate_of_nothing_is_no_value_and_not_zero(board):  # noqa: F811
    start, end = this_year()
    figures = engine.compute(TOWNSHIP_B[:9], start, end)
    assert figures["needs.goods.match_rate"].value == 0.0
    assert figures["needs.funds.match_rate"].value is None
    assert engine.as_json(figures)["needs.funds.match_rate"]["display"] == "—"


def test_codes_without_records_are_not_recorded_never_0(board):  # noqa: F811
    start, end = this_year()
    shown = engine.as_json(engine.compute(CITY, start, end))
    assert list(shown) == [indicator.code for indicator in INDICATORS]
    for indicator in INDICATORS:
        row = shown[indicator.code]
        if indicator.recorded:
            assert row["state"] == "computed"
            continue
        assert row == {
            "value": None,
            "display": "not recorded yet",
            "unit": str(indicator.unit),
            "state": "not_recorded",
        }


# --- The period ------------------------------------------------------------------------------

TODAY = datetime.date(2026, 6, 30)


def test_the_period_of_a_year_or_a_range_of_days():
    assert engine.period_of(year=2025, today=TODAY) == engine.Period(
        datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
    )
    assert engine.period_of(year=2026, today=TODAY).end == TODAY
    assert engine.period_of(today=TODAY) == engine.Period(datetime.date(2026, 1, 1), TODAY)


@pytest.mark.parametrize(
    ("asked", "field"),
    [
        ({"year": 2025, "start": datetime.date(2025, 1, 1)}, "year"),
        ({"year": 2027}, "year"),
        ({"year": 1999}, "year"),
        ({"start": datetime.date(2026, 3, 1), "end": datetime.date(2026, 2, 1)}, "from"),
        ({"end": datetime.date(2026, 7, 1)}, "to"),
    ],
)
def test_a_period_out_of_bounds_names_its_field(asked, field):
    with pytest.raises(ValidationError) as caught:
        engine.period_of(**asked, today=TODAY)
    assert list(caught.value.message_dict) == [field]


# --- The command -----------------------------------------------------------------------------


def test_the_command_prints_json(board):  # noqa: F811
    out = StringIO()
    call_command("indicators", "--region", "590100000000", "--json", stdout=out)
    shown = json.loads(out.getvalue())
    assert shown["needs.goods.posted"]["value"] == 3
    assert shown["plans.target_attainment"]["state"] == "not_recorded"


def test_the_command_prints_a_line_per_code(board):  # noqa: F811
    out = StringIO()
    call_command("indicators", "--region", TOWNSHIP_B, stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == len(INDICATORS)
    assert "needs.goods.posted\t1\tGoods needs posted" in lines


def test_the_command_refuses_an_unknown_region(tree):
    with pytest.raises(CommandError) as caught:
        call_command("indicators", "--region", "599999999999")
    assert caught.value.returncode == 2


CLI = Path(sys.executable).parent / "tongxing"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--year", "2020", "--from", "2020-01-01"], "not allowed with"),
        (["--year", "2020", "--to", "2020-02-01"], "Give a year or a range of days, not both."),
        (["--from", "2020-13-01"], "YYYY-MM-DD"),
        (["--from", "2020-03-01", "--to", "2020-02-01"], "The period ends before it starts."),
        (["--to", "2999-01-01"], "Give a day up to today: figures are not forecasts."),
    ],
)
def test_bad_flags_exit_2_with_one_message_and_no_traceback(args, says):
    done = subprocess.run(
        [str(CLI), "indicators", *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stderr
    # The command speaks the office's language (Simplified Chinese unless configured).
    with translation.override("zh-hans"):
        assert gettext(says) in done.stderr
    assert "Traceback" not in done.stderr and not done.stdout


# --- The API ---------------------------------------------------------------------------------


def test_the_api_defaults_to_my_region(board, tina):  # noqa: F811
    response = api_client_for(tina).get("/api/v1/indicators")
    assert response.status_code == 200, response.content
    shown = response.json()
    # Township A: the quilt and the rice; B's goods are not Tina's.
    assert shown["needs.goods.posted"] == {
        "value": 2,
        "display": "2",
        "unit": "items",
        "state": "computed",
    }
    assert shown["plans.target_attainment"]["display"] == "not recorded yet"


def test_the_api_reads_a_year_of_a_region_below_mine(board, alice):  # noqa: F811
    year = timezone.localdate().year
    response = api_client_for(alice).get(f"/api/v1/indicators?region={TOWNSHIP_B}&year={year}")
    assert response.status_code == 200
    assert response.json()["needs.goods.posted"]["value"] == 1


def test_the_api_names_a_bad_period(alice):
    response = api_client_for(alice).get("/api/v1/indicators?from=2026-03-01&to=2026-02-01")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "from"


@pytest.mark.parametrize(
    ("who", "status"), [(None, 401), ("dora", 403), ("tina", 404), ("tom", 200)]
)
def test_who_reads_township_bs_figures(request, tree, who, status):
    client = Client() if who is None else api_client_for(request.getfixturevalue(who))
    response = client.get(f"/api/v1/indicators?region={TOWNSHIP_B}")
    assert response.status_code == status
