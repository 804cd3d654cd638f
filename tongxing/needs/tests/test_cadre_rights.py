"""A cadre acts only for the households assigned to them (product.md: "assigned households /
villages"), and a viewer for none: the rights of the actions, read from the database at the
moment of each action, and what the needs' selectors let a cadre see.

Cleo is the cadre of township A assigned to 张建国's household (village A1); Cody is a cadre
of the same township helping no one; Victor a viewer of it (root conftest).
"""

import datetime
from dataclasses import replace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from conftest import TOWNSHIP_A, VILLAGE_A2, VILLAGE_B1, make_user
from tongxing.access import Role
from tongxing.needs import records, rights, selectors
from tongxing.needs.actions import delivery, pledges, posting
from tongxing.needs.models import Feedback, Need, PledgeStatus, Status
from tongxing.needs.tests import factories as f
from tongxing.registry.models import HelperAssignment
from tongxing.registry.tests.factories import assign


@pytest.fixture
def home(tree):
    return f.household(head="张建国", child="张小明")


@pytest.fixture
def cleo(home):
    account = make_user("cleo", Role.CADRE, TOWNSHIP_A)
    assign(account, home)
    return account


@pytest.fixture
def delivered(home, tina, dora):
    """Two of three quilts delivered by Dora, waiting for the household's confirmation."""
    need = f.published(f.goods_data(home), reviewer=tina)
    pledge = pledges.pledge_goods(need=need, by=dora, quantity=2).pledge
    return delivery.deliver_pledge(pledge=pledge, by=dora)


def end(account, household, *, days_ago: int) -> None:
    """End the account's assignment to the household on a day `days_ago` before today."""
    assignment = HelperAssignment.objects.get(person__account=account, household=household)
    assignment.until = timezone.localdate() - datetime.timedelta(days=days_ago)
    assignment.save(update_fields=["until"])


def collective(village=None, **changes) -> posting.NeedData:
    """A need of a whole village (village A1 unless given): no household's."""
    values = {"title": "村口路灯", **changes}
    data = f.goods_data(None, village=village or f.village(), **values)
    return replace(data, category="other")


# --- Posting --------------------------------------------------------------------------------


def test_a_cadre_posts_for_a_household_assigned_to_them(cleo, home):
    need = posting.create_need(data=f.goods_data(home), by=cleo, submit=True)
    assert (need.household, need.posted_by, need.on_behalf, need.status) == (
        home,
        cleo,
        True,
        Status.SUBMITTED,
    )


def test_a_cadre_posts_for_no_household_they_do_not_help(cody, home):
    with pytest.raises(PermissionDenied):
        posting.create_need(data=f.goods_data(home), by=cody)
    with pytest.raises(PermissionDenied):
        posting.create_need(data=f.wish_data(home), by=cody)  # the child's household's
    assert Need.objects.count() == 0


def test_a_cadre_posts_a_collective_need_of_a_village_of_their_region_only(cody):
    need = posting.create_need(data=collective(f.village(VILLAGE_A2)), by=cody)
    assert (need.household, need.village_id) == (None, VILLAGE_A2)
    with pytest.raises(PermissionDenied):
        posting.create_need(data=collective(f.village(VILLAGE_B1)), by=cody)
    assert Need.objects.count() == 1


def test_an_assignment_outside_the_region_gives_no_right(cody):
    elsewhere = f.household(village=VILLAGE_B1, head="王五")
    assign(cody, elsewhere)
    with pytest.raises(PermissionDenied):
        posting.create_need(data=f.goods_data(elsewhere), by=cody)
    assert Need.objects.count() == 0


def test_a_viewer_posts_nothing(victor, home):
    with pytest.raises(PermissionDenied):
        posting.create_need(data=f.goods_data(home), by=victor)
    with pytest.raises(PermissionDenied):
        posting.create_need(data=collective(), by=victor)
    assert Need.objects.count() == 0


# --- Editing, submitting, cancelling --------------------------------------------------------


def test_a_cadre_edits_the_needs_of_their_household_whoever_posted_them(cleo, home, vera):
    need = posting.create_need(data=f.goods_data(home), by=vera)
    posting.update_need(need=need, data=f.goods_data(home, title="厚棉被"), by=cleo)
    posting.submit_need(need=need, by=cleo)
    need.refresh_from_db()
    assert (need.title, need.status) == ("厚棉被", Status.SUBMITTED)


def test_a_cadre_changes_a_collective_need_they_posted_not_anothers(cody, vera):
    theirs = posting.create_need(data=collective(), by=vera)
    his = posting.create_need(data=collective(title="晒谷场"), by=cody)
    assert (rights.may_edit(cody, theirs), rights.may_edit(cody, his)) == (False, True)
    with pytest.raises(PermissionDenied):
        posting.cancel_need(need=theirs, by=cody, reason="重复")
    posting.cancel_need(need=his, by=cody, reason="重复")
    theirs.refresh_from_db()
    his.refresh_from_db()
    assert (theirs.status, his.status) == (Status.DRAFT, Status.CANCELLED)


def test_a_need_a_cadre_posted_is_no_longer_theirs_once_the_assignment_ended(cleo, home):
    need = posting.create_need(data=f.goods_data(home), by=cleo)
    end(cleo, home, days_ago=1)
    with pytest.raises(PermissionDenied):
        posting.update_need(need=need, data=f.goods_data(home, title="厚棉被"), by=cleo)
    with pytest.raises(PermissionDenied):
        posting.submit_need(need=need, by=cleo)
    with pytest.raises(PermissionDenied):
        posting.cancel_need(need=need, by=cleo, reason="不需要了")
    with pytest.raises(PermissionDenied):
        posting.create_need(data=f.service_data(home), by=cleo)
    need.refresh_from_db()
    assert (need.title, need.status, Need.objects.count()) == ("棉被", Status.DRAFT, 1)


def test_an_assignment_holds_through_its_last_day(cleo, home):
    end(cleo, home, days_ago=0)
    need = posting.create_need(data=f.goods_data(home), by=cleo)
    assert need.posted_by == cleo


# --- Confirming and thanking ----------------------------------------------------------------


def test_the_issues_cadre_confirms_no_delivery(cody, delivered):
    """Issue 9: a township-scoped cadre with no assignment confirmed a delivery."""
    with pytest.raises(PermissionDenied):
        delivery.confirm_pledge(pledge=delivered, by=cody, note="已收到")
    delivered.refresh_from_db()
    need = Need.objects.get(pk=delivered.need_id)
    assert (delivered.status, need.confirmed) == (PledgeStatus.DELIVERED, 0)


def test_the_assigned_cadre_confirms_and_thanks_for_the_household(cleo, delivered):
    confirmed = delivery.confirm_pledge(pledge=delivered, by=cleo, note="已收到两床")
    assert (confirmed.status, confirmed.confirmed_by, confirmed.confirmed_on_behalf) == (
        PledgeStatus.CONFIRMED,
        cleo,
        True,
    )
    feedback = delivery.give_feedback(pledge=confirmed, by=cleo, rating=5, thanks="谢谢")
    assert (feedback.by, feedback.on_behalf) == (cleo, True)


def test_the_right_is_read_when_the_cadre_acts_not_when_the_page_was_opened(cleo, delivered):
    need = selectors.access_need(cleo, delivered.need_id)  # the page she opened
    assert rights.may_act_for_household(cleo, need)
    end(cleo, need.household, days_ago=1)
    with pytest.raises(PermissionDenied):
        delivery.confirm_pledge(pledge=delivered, by=cleo, note="已收到")
    delivered.refresh_from_db()
    assert delivered.status == PledgeStatus.DELIVERED


def test_a_cadre_whose_assignment_ended_thanks_no_donor(cleo, delivered, vera):
    confirmed = delivery.confirm_pledge(pledge=delivered, by=vera, note="已收到")
    end(cleo, confirmed.need.household, days_ago=1)
    with pytest.raises(PermissionDenied):
        delivery.give_feedback(pledge=confirmed, by=cleo, rating=5)
    assert Feedback.objects.count() == 0


def test_a_cadre_confirms_nothing_for_a_collective_need(cody, vera, tina, dora):
    need = f.published(collective(), by=cody, reviewer=tina)
    pledge = pledges.pledge_goods(need=need, by=dora, quantity=1).pledge
    with pytest.raises(PermissionDenied):
        delivery.confirm_pledge(pledge=pledge, by=cody, note="已装好")
    delivery.confirm_pledge(pledge=pledge, by=vera, note="已装好")  # the village's office does


def test_a_viewer_confirms_and_thanks_nothing(victor, delivered, vera):
    with pytest.raises(PermissionDenied):
        delivery.confirm_pledge(pledge=delivered, by=victor, note="已收到")
    confirmed = delivery.confirm_pledge(pledge=delivered, by=vera, note="已收到")
    with pytest.raises(PermissionDenied):
        delivery.give_feedback(pledge=confirmed, by=victor, rating=5)
    assert Feedback.objects.count() == 0


# --- What a cadre sees ----------------------------------------------------------------------


def test_a_cadre_sees_the_needs_of_their_households_and_the_collective_ones(cleo, home, vera):
    other = f.household(head="李四")
    mine = posting.create_need(data=f.goods_data(home), by=vera)
    posting.create_need(data=f.goods_data(other), by=vera)
    lamp = posting.create_need(data=collective(f.village(VILLAGE_A2)), by=None)
    posting.create_need(data=collective(f.village(VILLAGE_B1)), by=None)
    assert set(selectors.needs_visible_to(cleo)) == {mine, lamp}


def test_a_cadre_sees_nothing_of_a_household_once_the_assignment_ended(cleo, home, vera):
    need = posting.create_need(data=f.goods_data(home), by=vera)
    end(cleo, home, days_ago=1)
    assert list(selectors.needs_visible_to(cleo)) == []
    with pytest.raises(Http404):
        selectors.access_need(cleo, need.pk)


# --- Needs on record ------------------------------------------------------------------------


def test_a_recorded_need_posted_by_a_cadre_needs_the_household_assigned(cody, home, tina):
    posted = timezone.now() - datetime.timedelta(days=60)
    data = f.goods_data(home, deadline=timezone.localdate(posted) + datetime.timedelta(days=30))
    history = records.NeedHistory(
        data=data,
        poster=cody,
        posted_at=posted,
        outcome=Status.REJECTED,
        reviewer=tina,
        reviewed_at=posted + datetime.timedelta(days=1),
        reason="已有同类帮扶",
    )
    with pytest.raises(ValidationError) as refused:
        records.record_needs(histories=[history], by=None)
    assert refused.value.message_dict == {
        "1.poster": ["This person may not post needs for this household."]
    }
    assert Need.objects.count() == 0
