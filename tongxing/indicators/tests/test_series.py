"""The monthly series against hand-built records: each month counts what happened in it,
as the engine counts a period; the region's prefix filters; one query per table."""

import datetime

import pytest
from django.utils import timezone

from conftest import make_user
from tongxing.access import Role
from tongxing.accounts.models import User
from tongxing.indicators import series
from tongxing.needs.models import Need, Pledge
from tongxing.needs.tests.test_figures import board  # noqa: F401 (the fixture)

CITY = "5901"
TOWNSHIP_B = "590101002"


def moment(year: int, month: int, day: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, 12))


@pytest.fixture
def spread_board(board):  # noqa: F811
    """The board's needs moved to known days of last year."""
    year = timezone.localdate().year - 1
    # The quilt: posted in January, matched in February, confirmed in March.
    Need.objects.filter(pk=board["done"].pk).update(
        published_at=moment(year, 1, 5),
        matched_at=moment(year, 2, 1),
        confirmed_at=moment(year, 3, 31),
    )
    # The rice: posted in February, never matched.
    Need.objects.filter(pk=board["half"].pk).update(published_at=moment(year, 2, 10))
    # The funds: posted and matched in March.
    Need.objects.filter(pk=board["funds"].pk).update(
        published_at=moment(year, 3, 1), matched_at=moment(year, 3, 2)
    )
    # B's goods: posted the year before, matched in nothing: outside every period here.
    Need.objects.filter(kind="goods", village__code__startswith=TOWNSHIP_B).update(
        published_at=moment(year - 1, 12, 31)
    )
    # The wish: delivered in April.
    Pledge.objects.filter(need=board["wish"]).update(delivered_at=moment(year, 4, 20))
    User.objects.filter(username="dora").update(date_joined=moment(year, 2, 14))
    return year


def test_needs_by_month_count_each_step_in_its_own_month(spread_board, django_assert_num_queries):
    year = spread_board
    with django_assert_num_queries(1):
        months = series.need_months(CITY, datetime.date(year, 1, 1), datetime.date(year, 4, 30))
    goods = [(row["posted"], row["matched"], row["confirmed"]) for row in months["goods"]]
    assert goods == [(1, 0, 0), (1, 1, 0), (0, 0, 1), (0, 0, 0)]
    funds = [(row["posted"], row["matched"], row["confirmed"]) for row in months["funds"]]
    assert funds == [(0, 0, 0), (0, 0, 0), (1, 1, 0), (0, 0, 0)]
    assert [row["month"].first.month for row in months["goods"]] == [1, 2, 3, 4]


def test_a_period_cut_mid_month_counts_only_its_days(spread_board):
    year = spread_board
    months = series.need_months(CITY, datetime.date(year, 1, 6), datetime.date(year, 3, 30))
    goods = [(row["posted"], row["matched"], row["confirmed"]) for row in months["goods"]]
    # The quilt was posted on 5 January and confirmed on 31 March: both outside.
    assert goods == [(0, 0, 0), (1, 1, 0), (0, 0, 0)]
    assert months["goods"][0]["month"].start == datetime.date(year, 1, 6)
    assert months["goods"][-1]["month"].end == datetime.date(year, 3, 30)


def test_another_township_sees_none_of_them(spread_board):
    year = spread_board
    months = series.need_months(TOWNSHIP_B, datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    assert all(row["posted"] == row["matched"] == 0 for row in months["goods"])
    assert len(months["goods"]) == 12


def test_donors_and_wishes_by_month(spread_board, django_assert_num_queries):
    year = spread_board
    make_user("dan", Role.DONOR)  # this year: outside the period
    start, end = datetime.date(year, 1, 1), datetime.date(year, 6, 30)
    with django_assert_num_queries(1):
        donors = series.donor_months(start, end)
    assert [row["donors"] for row in donors] == [0, 1, 0, 0, 0, 0]
    with django_assert_num_queries(1):
        wishes = series.wish_months(CITY, start, end)
    assert [row["children"] for row in wishes] == [0, 0, 0, 1, 0, 0]
    assert [row["children"] for row in series.wish_months(TOWNSHIP_B, start, end)] == [0] * 6


def test_the_months_of_the_year_add_up_to_the_engines_flows(board):  # noqa: F811
    today = timezone.localdate()
    start = datetime.date(today.year, 1, 1)
    months = series.need_months(CITY, start, today)
    assert sum(row["posted"] for row in months["goods"]) == 3
    assert sum(row["matched"] for row in months["goods"]) == 1
    assert sum(row["confirmed"] for row in months["goods"]) == 1
    assert sum(row["children"] for row in series.wish_months(CITY, start, today)) == 1
