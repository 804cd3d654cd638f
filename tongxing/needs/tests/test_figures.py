"""The figures of the needs board (indicators.md §6) and of micro-wishes (§4), for any
region and date, computed from the records."""

import datetime

import pytest
from django.utils import timezone

from conftest import VILLAGE_B1, make_user
from tongxing.access import Role
from tongxing.needs import selectors
from tongxing.needs.actions import delivery, pledges, posting
from tongxing.needs.models import Need, Pledge
from tongxing.needs.tests import factories as f
from tongxing.registry.models import Household, HouseholdStatus

CITY = "5901"
TOWNSHIP_A = "590101001"
TOWNSHIP_B = "590101002"


@pytest.fixture
def board(vera, tina, tom, dora, alice):
    """Needs of townships A and B in known states.

    A: goods matched and confirmed; goods half pledged; funds fully funded; a wish taken
    and delivered; a draft (never published). B: goods published, nothing pledged.
    """
    home_a = f.household(child="王小丫")
    other_a = f.household(head="李四")
    home_b = f.household(village=VILLAGE_B1, head="赵六")
    done = f.published(f.goods_data(home_a, quantity=1), by=vera, reviewer=tina)
    pledge = pledges.pledge_goods(need=done, by=dora, quantity=1).pledge
    delivery.confirm_pledge(pledge=pledge, by=vera, note="收到")
    half = f.published(
        f.goods_data(other_a, quantity=4, category="food", title="大米"), by=vera, reviewer=tina
    )
    pledges.pledge_goods(need=half, by=dora, quantity=2)
    funds = f.published(f.funds_data(other_a, target_fen=200_00), by=vera, reviewer=tina)
    pledges.contribute(
        need=funds, by=dora, amount_fen=200_00, payment_reference="R1", idempotency_key="r1"
    )
    wish = f.published(f.wish_data(home_a), by=vera, reviewer=tina)
    gift = pledges.pledge_goods(need=wish, by=dora).pledge
    delivery.deliver_pledge(pledge=gift, by=dora)
    posting.create_need(data=f.goods_data(home_a, category="daily", title="暖壶"), by=vera)
    f.published(f.goods_data(home_b), by=alice, reviewer=tom)
    return {"done": done, "half": half, "funds": funds, "wish": wish}


def today() -> datetime.date:
    return timezone.localdate()


def test_the_city_figures_count_every_published_need_by_kind(board):
    figures = selectors.need_figures(region=CITY, as_of=today())
    assert figures == {
        "platform.as_of": today(),
        "needs.goods.posted": 3,
        "needs.goods.matched": 1,
        "needs.goods.match_rate": 33.33,
        "needs.funds.posted": 1,
        "needs.funds.matched": 1,
        "needs.funds.match_rate": 100.0,
        "needs.service.posted": 0,
        "needs.service.matched": 0,
        "needs.service.match_rate": None,
        "needs.wish.posted": 1,
        "needs.wish.matched": 1,
        "needs.wish.match_rate": 100.0,
        # Of three matched needs only the quilt was confirmed in full.
        "needs.delivered_rate": 33.33,
    }


def test_a_townships_figures_count_only_its_villages(board):
    figures = selectors.need_figures(region=TOWNSHIP_B, as_of=today())
    assert (figures["needs.goods.posted"], figures["needs.goods.matched"]) == (1, 0)
    assert figures["needs.funds.posted"] == 0


def test_figures_as_of_an_earlier_date_leave_out_what_came_later(board):
    Need.objects.filter(pk=board["funds"].pk).update(
        published_at=timezone.now() + datetime.timedelta(days=3)
    )
    Need.objects.filter(pk=board["done"].pk).update(
        matched_at=timezone.now() + datetime.timedelta(days=3)
    )
    figures = selectors.need_figures(region=CITY, as_of=today())
    assert (figures["needs.funds.posted"], figures["needs.goods.matched"]) == (0, 0)
    later = selectors.need_figures(region=CITY, as_of=today() + datetime.timedelta(days=3))
    assert (later["needs.funds.posted"], later["needs.goods.matched"]) == (1, 1)


def test_a_withdrawn_pledge_unmatches_the_need(board, dora):
    half_pledge = Pledge.objects.get(need=board["half"])
    more = pledges.pledge_goods(need=board["half"], by=dora, quantity=2).pledge
    assert selectors.need_figures(region=CITY, as_of=today())["needs.goods.matched"] == 2

    pledges.withdraw_pledge(pledge=more, by=dora)

    assert selectors.need_figures(region=CITY, as_of=today())["needs.goods.matched"] == 1
    half_pledge.refresh_from_db()
    assert half_pledge.status == "pledged"


def test_the_micro_wish_figures_of_the_year(board):
    year = today().year
    figures = selectors.wish_figures(
        region=CITY, start=datetime.date(year, 1, 1), end=datetime.date(year, 12, 31)
    )
    assert figures == {
        "wishes.children": 1,
        "wishes.townships": 1,
        "wishes.raised_fen": 80_00,
        "wishes.fulfilled_children": 1,
        # One left-behind child is registered in need, and her wish came true.
        "wishes.coverage_rate": 100.0,
    }
    before = selectors.wish_figures(
        region=CITY, start=datetime.date(year - 1, 1, 1), end=datetime.date(year - 1, 12, 31)
    )
    assert before["wishes.children"] == 0 and before["wishes.raised_fen"] == 0


def test_the_coverage_counts_only_the_children_it_covers(board):
    """A wish that comes true for a child of a household now out of poverty counts among the
    children whose wish came true, not in the coverage of the left-behind children in need:
    that rate never passes 100%."""
    year = today().year
    Household.objects.filter(pk=board["wish"].household_id).update(status=HouseholdStatus.EXITED)
    f.household(head="钱七", child="钱小宝")  # in need, left behind, no wish yet
    figures = selectors.wish_figures(
        region=CITY, start=datetime.date(year, 1, 1), end=datetime.date(year, 12, 31)
    )
    assert figures["wishes.fulfilled_children"] == 1
    assert figures["wishes.coverage_rate"] == 0.0  # 0 of the 1 child in need


def test_the_platform_figures(board):
    make_user("donor2", Role.DONOR)
    figures = selectors.platform_figures(region=CITY, as_of=today())
    assert figures == {
        "platform.as_of": today(),
        "platform.donors_registered": 2,
        # Dora pledged; the second donor has not given yet.
        "platform.donors_gave": 1,
        "platform.households_registered": 3,
        # Alice, Tina, Tom and Vera; the donors and the other city's office are not admins.
        "platform.admins": 4,
    }


def test_a_donor_whose_every_pledge_ended_has_not_given(tina, vera):
    donor = make_user("donor3", Role.DONOR)
    need = f.published(f.goods_data(f.household(head="钱七"), quantity=3), by=vera, reviewer=tina)
    first = pledges.pledge_goods(need=need, by=donor, quantity=1).pledge
    second = pledges.pledge_goods(need=need, by=donor, quantity=1).pledge
    donor.refresh_from_db()
    assert donor.first_gave_at == first.created_at

    # Withdrawing the first leaves the second as when the donor first gave.
    pledges.withdraw_pledge(pledge=first, by=donor)
    donor.refresh_from_db()
    assert donor.first_gave_at == second.created_at
    gave = selectors.platform_figures(region=CITY, as_of=today())["platform.donors_gave"]

    pledges.withdraw_pledge(pledge=second, by=donor)
    donor.refresh_from_db()
    assert donor.first_gave_at is None
    after = selectors.platform_figures(region=CITY, as_of=today())["platform.donors_gave"]
    assert after == gave - 1
