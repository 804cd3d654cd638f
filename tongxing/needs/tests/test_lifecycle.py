"""The life of each kind of need, from posting to closing, through the actions.

Vera (village admin of A1) posts on the household's behalf; Tina (township A) reviews;
Dora (a caring person) pledges and contributes.
"""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import make_user
from tongxing.access import Role
from tongxing.needs import selectors
from tongxing.needs.actions import deadlines, delivery, pledges, posting, review
from tongxing.needs.models import (
    FundingPolicy,
    IdempotentRequest,
    Need,
    Pledge,
    PledgeStatus,
    Progress,
    Status,
)
from tongxing.needs.tests import factories as f
from tongxing.notifications.models import Notification


@pytest.fixture
def home(tree):
    return f.household(child="张小明")


def kinds_of_events(need: Need) -> list[str]:
    return [event.action for event in selectors.need_events(need)]


def later(days: int) -> datetime.date:
    return f.in_days(days)


# --- Goods ----------------------------------------------------------------------------------


def test_a_goods_need_goes_from_draft_to_closed(home, vera, tina, dora):
    need = posting.create_need(data=f.goods_data(home), by=vera)
    assert (need.status, need.on_behalf, need.posted_by) == (Status.DRAFT, True, vera)
    assert (need.target, need.value_fen, need.public_name) == (3, 450_00, "张**")

    posting.submit_need(need=need, by=vera)
    review.review_need(need=need, by=tina, approve=True)
    need.refresh_from_db()
    assert need.status == Status.PUBLISHED and need.rule_findings == []

    first = pledges.pledge_goods(
        need=need, by=dora, quantity=2, deliver_by=later(5), note="周末送到"
    ).pledge
    need.refresh_from_db()
    assert (need.pledged, need.pledged_progress, need.is_matched) == (2, Progress.PARTIAL, False)

    second = pledges.pledge_goods(need=need, by=dora, quantity=1).pledge
    need.refresh_from_db()
    assert (need.pledged_progress, need.matched_at is not None) == (Progress.COMPLETE, True)

    delivery.deliver_pledge(pledge=first, by=dora)
    need.refresh_from_db()
    assert (need.delivered, need.delivered_progress, need.confirmed) == (2, Progress.PARTIAL, 0)

    photo = SimpleUploadedFile("receipt.png", f.png(), content_type="image/png")
    delivery.confirm_pledge(pledge=first, by=vera, evidence=photo)
    first.refresh_from_db()
    assert (first.status, first.confirmed_on_behalf, bool(first.evidence)) == (
        PledgeStatus.CONFIRMED,
        True,
        True,
    )
    need.refresh_from_db()
    assert need.status == Status.PUBLISHED  # one pledge still waits for its delivery

    delivery.deliver_pledge(pledge=second, by=dora)
    delivery.confirm_pledge(pledge=second, by=vera, note="已当面交给户主")
    need.refresh_from_db()
    assert (need.status, need.confirmed, need.confirmed_progress) == (
        Status.CLOSED,
        3,
        Progress.COMPLETE,
    )
    assert kinds_of_events(need) == [
        "need.created",
        "need.submitted",
        "need.published",
        "need.pledged",
        "need.pledged",
        "need.matched",
        "need.delivered",
        "need.confirmed",
        "need.delivered",
        "need.confirmed",
        "need.closed",
    ]


def test_the_donor_sees_the_households_thanks(home, vera, tina, dora):
    need = f.published(f.goods_data(home, quantity=1), by=vera, reviewer=tina)
    pledge = pledges.pledge_goods(need=need, by=dora, quantity=1).pledge
    delivery.confirm_pledge(pledge=pledge, by=vera, note="收到")

    delivery.give_feedback(pledge=pledge, by=vera, rating=5, thanks="谢谢好心人！")

    mine = selectors.pledges_of(dora).get()
    assert (mine.feedback.rating, mine.feedback.thanks, mine.feedback.on_behalf) == (
        5,
        "谢谢好心人！",
        True,
    )
    impact = selectors.impact_of(dora)
    assert (impact.pledges, impact.confirmed, impact.thanks, impact.average_rating) == (
        1,
        1,
        1,
        5.0,
    )
    assert Notification.objects.filter(recipient=dora, kind="pledge_thanked").count() == 1
    with pytest.raises(ValidationError):
        delivery.give_feedback(pledge=pledge, by=vera, rating=4)


def test_a_pledge_the_donor_forgot_to_mark_delivered_can_still_be_confirmed(home, vera, tina, dora):
    need = f.published(f.goods_data(home, quantity=1), by=vera, reviewer=tina)
    pledge = pledges.pledge_goods(need=need, by=dora, quantity=1).pledge

    delivery.confirm_pledge(pledge=pledge, by=vera, note="收到了")

    need.refresh_from_db()
    assert (need.delivered, need.confirmed, need.status) == (1, 1, Status.CLOSED)


def test_staff_confirming_for_the_household_must_give_evidence(home, vera, tina, dora):
    need = f.published(f.goods_data(home, quantity=1), by=vera, reviewer=tina)
    pledge = pledges.pledge_goods(need=need, by=dora, quantity=1).pledge

    with pytest.raises(ValidationError) as refused:
        delivery.confirm_pledge(pledge=pledge, by=vera)
    assert refused.value.message_dict == {
        "evidence": ["Confirming for the household: add a photo or a note."]
    }
    not_a_photo = SimpleUploadedFile("x.png", b"%PDF-1.4 not an image", content_type="image/png")
    with pytest.raises(ValidationError) as refused:
        delivery.confirm_pledge(pledge=pledge, by=vera, evidence=not_a_photo)
    assert refused.value.message_dict == {"evidence": ["Upload a photo (JPEG, PNG, WebP or GIF)."]}
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.PLEDGED


def test_the_household_confirms_for_itself_without_evidence(home, vera, tina, dora):
    own = make_user("zhang", Role.HOUSEHOLD)
    from tongxing.registry.actions import link_household_account

    link_household_account(household=home, account=own, by=vera)
    need = f.published(f.goods_data(home, quantity=1), by=own, reviewer=tina)
    assert need.on_behalf is False
    pledge = pledges.pledge_goods(need=need, by=dora, quantity=1).pledge

    delivery.confirm_pledge(pledge=pledge, by=own)

    pledge.refresh_from_db()
    assert (pledge.status, pledge.confirmed_on_behalf) == (PledgeStatus.CONFIRMED, False)


def test_a_donor_withdraws_a_pledge_not_yet_delivered(home, vera, tina, dora):
    need = f.published(f.goods_data(home, quantity=2), by=vera, reviewer=tina)
    pledge = pledges.pledge_goods(need=need, by=dora, quantity=2).pledge
    need.refresh_from_db()
    assert need.matched_at is not None

    pledges.withdraw_pledge(pledge=pledge, by=dora, reason="临时出差")

    need.refresh_from_db()
    assert (need.pledged, need.matched_at) == (0, None)
    pledge.refresh_from_db()
    assert (pledge.status, pledge.end_reason) == (PledgeStatus.WITHDRAWN, "临时出差")


# --- Review ---------------------------------------------------------------------------------


def test_a_rejected_need_can_be_corrected_and_submitted_again(home, vera, tina):
    need = posting.create_need(data=f.goods_data(home), by=vera, submit=True)
    with pytest.raises(ValidationError) as refused:
        review.review_need(need=need, by=tina, approve=False)
    assert refused.value.message_dict == {"reason": ["Say why the need is rejected."]}

    review.review_need(need=need, by=tina, approve=False, reason="数量偏多，请核实")
    need.refresh_from_db()
    assert (need.status, need.status_reason) == (Status.REJECTED, "数量偏多，请核实")
    assert Notification.objects.filter(recipient=vera, kind="need_rejected").count() == 1

    posting.update_need(need=need, data=f.goods_data(home, quantity=2), by=vera)
    posting.submit_need(need=need, by=vera)
    review.review_need(need=need, by=tina, approve=True)
    need.refresh_from_db()
    assert (need.status, need.target, need.status_reason) == (Status.PUBLISHED, 2, "")


def test_reviewers_hear_of_needs_waiting_and_posters_of_the_decision(home, vera, tina, tom):
    need = posting.create_need(data=f.goods_data(home), by=vera, submit=True)
    assert list(
        Notification.objects.filter(kind="need_submitted").values_list(
            "recipient__username", flat=True
        )
    ) == ["tina"]

    review.review_need(need=need, by=tina, approve=True)

    published = Notification.objects.get(recipient=vera, kind="need_published")
    assert published.title == "Your need is on the board"
    assert published.body == "“棉被” was approved and published."


def test_only_a_reviewer_of_the_region_reviews(home, vera, tina, tom, alice, carl):
    need = posting.create_need(data=f.goods_data(home), by=vera, submit=True)
    for outsider in (vera, tom, carl):
        with pytest.raises(PermissionDenied):
            review.review_need(need=need, by=outsider, approve=True)
    need.refresh_from_db()
    assert need.status == Status.SUBMITTED
    review.review_need(need=need, by=alice, approve=True)  # the city office may
    need.refresh_from_db()
    assert need.status == Status.PUBLISHED


def test_a_village_admin_posts_only_in_their_village(tree, vera):
    elsewhere = f.household(village="590101002001")
    with pytest.raises(PermissionDenied):
        posting.create_need(data=f.goods_data(elsewhere), by=vera)
    assert Need.objects.count() == 0


def test_donors_cannot_post_and_staff_cannot_pledge(home, vera, tina, dora):
    with pytest.raises(PermissionDenied):
        posting.create_need(data=f.goods_data(home), by=dora)
    need = f.published(f.goods_data(home), by=vera, reviewer=tina)
    with pytest.raises(PermissionDenied):
        pledges.pledge_goods(need=need, by=vera, quantity=1)
    need.refresh_from_db()
    assert need.pledged == 0


def test_bad_input_names_every_field_at_fault(home, vera):
    data = f.goods_data(
        home, category="medical_bills", title=" ", quantity=0, unit="", deadline=later(-1)
    )
    with pytest.raises(ValidationError) as refused:
        posting.create_need(data=data, by=vera)
    assert refused.value.message_dict == {
        "category": ["Choose a category of this kind of need."],
        "title": ["Say what is needed."],
        "deadline": ["The deadline has passed."],
        "quantity": ["Give a quantity from 1 to 10,000."],
        "unit": ["Give the unit (piece, bag, set…)."],
    }
    assert Need.objects.count() == 0


# --- Cancellation ---------------------------------------------------------------------------


def test_cancelling_releases_pledges_and_returns_money(home, vera, tina, dora):
    goods = f.published(f.goods_data(home), by=vera, reviewer=tina)
    delivered = pledges.pledge_goods(need=goods, by=dora, quantity=1).pledge
    delivery.deliver_pledge(pledge=delivered, by=dora)
    waiting = pledges.pledge_goods(need=goods, by=dora, quantity=1).pledge

    with pytest.raises(ValidationError):
        posting.cancel_need(need=goods, by=vera, reason="")
    posting.cancel_need(need=goods, by=vera, reason="户主已搬迁")

    goods.refresh_from_db()
    waiting.refresh_from_db()
    assert (goods.status, goods.status_reason, goods.pledged, goods.delivered) == (
        Status.CANCELLED,
        "户主已搬迁",
        1,
        1,
    )
    assert waiting.status == PledgeStatus.WITHDRAWN
    # The delivery already made can still be confirmed.
    delivery.confirm_pledge(pledge=delivered, by=vera, note="收到")
    assert Notification.objects.filter(recipient=dora, kind="need_cancelled").count() == 1

    funds = f.published(
        f.funds_data(home, category="schooling", title="学费"), by=vera, reviewer=tina
    )
    gift = pledges.contribute(
        need=funds, by=dora, amount_fen=300_00, payment_reference="T9", idempotency_key="a"
    ).pledge
    posting.cancel_need(need=funds, by=tina, reason="已由民政救助解决")
    gift.refresh_from_db()
    assert gift.status == PledgeStatus.RETURNED
    assert Notification.objects.filter(recipient=dora, kind="contribution_returned").count() == 1


# --- Funds ----------------------------------------------------------------------------------


def test_an_all_or_nothing_need_that_meets_its_target_releases_the_money(home, vera, tina, dora):
    need = f.published(f.funds_data(home, target_fen=500_00), by=vera, reviewer=tina)
    one = pledges.contribute(
        need=need, by=dora, amount_fen=200_00, payment_reference="A1", idempotency_key="1"
    ).pledge
    need.refresh_from_db()
    assert need.delivered == 0  # held until the target is met

    pledges.contribute(
        need=need, by=dora, amount_fen=300_00, payment_reference="A2", idempotency_key="2"
    )

    need.refresh_from_db()
    one.refresh_from_db()
    assert (need.pledged, need.delivered, one.status) == (500_00, 500_00, PledgeStatus.DELIVERED)
    delivery.confirm_pledge(pledge=one, by=vera, note="款已到账")
    for pledge in Pledge.objects.filter(need=need, status=PledgeStatus.DELIVERED):
        delivery.confirm_pledge(pledge=pledge, by=vera, note="款已到账")
    need.refresh_from_db()
    assert need.status == Status.CLOSED


def test_an_all_or_nothing_need_past_its_deadline_returns_every_contribution(
    home, vera, tina, dora, alice
):
    need = f.published(f.funds_data(home, target_fen=1000_00), by=vera, reviewer=tina)
    gift = pledges.contribute(
        need=need, by=dora, amount_fen=400_00, payment_reference="B1", idempotency_key="b"
    ).pledge

    result = deadlines.sweep(today=need.deadline + datetime.timedelta(days=1))

    assert (result.expired, result.warned) == (1, 0)
    need.refresh_from_db()
    gift.refresh_from_db()
    assert (need.status, need.pledged, need.escalated_at is not None) == (
        Status.EXPIRED,
        0,
        True,
    )
    assert gift.status == PledgeStatus.RETURNED
    assert Notification.objects.filter(recipient=dora, kind="contribution_returned").count() == 1
    # Escalated to the office's queue, which hears of it.
    assert list(selectors.escalated_needs(alice)) == [need]
    assert Notification.objects.filter(recipient=alice, kind="need_expired").count() == 1
    # Sweeping again changes nothing.
    assert deadlines.sweep(today=need.deadline + datetime.timedelta(days=2)).expired == 0


def test_with_consent_a_failed_contribution_moves_to_another_need(home, vera, tina, dora):
    failing = f.published(f.funds_data(home, target_fen=1000_00), by=vera, reviewer=tina)
    other_home = f.household(head="李四")
    other = f.published(
        f.funds_data(other_home, target_fen=800_00, deadline=later(60)), by=vera, reviewer=tina
    )
    gift = pledges.contribute(
        need=failing,
        by=dora,
        amount_fen=300_00,
        payment_reference="C1",
        consent_to_move=True,
        idempotency_key="c",
    ).pledge

    deadlines.sweep(today=failing.deadline + datetime.timedelta(days=1))

    gift.refresh_from_db()
    other.refresh_from_db()
    assert gift.status == PledgeStatus.MOVED
    assert (gift.moved_to.need, gift.moved_to.quantity, other.pledged) == (other, 300_00, 300_00)
    assert Notification.objects.filter(recipient=dora, kind="contribution_moved").count() == 1


def test_a_keep_what_is_raised_need_hands_over_what_it_got_at_its_deadline(home, vera, tina, dora):
    need = f.published(
        f.funds_data(home, target_fen=1000_00, policy=FundingPolicy.KEEP_WHAT_IS_RAISED),
        by=vera,
        reviewer=tina,
    )
    gift = pledges.contribute(
        need=need, by=dora, amount_fen=250_00, payment_reference="D1", idempotency_key="d"
    ).pledge

    deadlines.sweep(today=need.deadline + datetime.timedelta(days=1))

    need.refresh_from_db()
    gift.refresh_from_db()
    assert (need.status, need.pledged, need.delivered) == (Status.EXPIRED, 250_00, 250_00)
    assert gift.status == PledgeStatus.DELIVERED
    delivery.confirm_pledge(pledge=gift, by=vera, note="款已到账")
    need.refresh_from_db()
    assert need.status == Status.CLOSED  # everything pledged is confirmed


def test_a_contribution_needs_a_key_and_a_transfer_reference(home, vera, tina, dora):
    need = f.published(f.funds_data(home), by=vera, reviewer=tina)
    with pytest.raises(ValidationError) as refused:
        pledges.contribute(
            need=need, by=dora, amount_fen=100_00, payment_reference="T", idempotency_key=""
        )
    assert refused.value.message_dict == {
        "idempotency_key": ["Send an Idempotency-Key of 1 to 100 characters."]
    }
    with pytest.raises(ValidationError) as refused:
        pledges.contribute(
            need=need, by=dora, amount_fen=100_00, payment_reference=" ", idempotency_key="k"
        )
    assert refused.value.message_dict == {
        "payment_reference": ["Give the reference of your transfer."]
    }
    need.refresh_from_db()
    assert need.pledged == 0


def test_a_key_reused_for_another_request_is_refused(home, vera, tina, dora):
    need = f.published(f.funds_data(home), by=vera, reviewer=tina)
    pledges.contribute(
        need=need, by=dora, amount_fen=100_00, payment_reference="T1", idempotency_key="same"
    )
    with pytest.raises(ValidationError) as refused:
        pledges.contribute(
            need=need, by=dora, amount_fen=999_00, payment_reference="T2", idempotency_key="same"
        )
    assert refused.value.message_dict == {
        "idempotency_key": ["This key was already used for another request."]
    }
    need.refresh_from_db()
    assert need.pledged == 100_00


# --- Services and micro-wishes --------------------------------------------------------------


def test_a_service_need_is_taken_place_by_place(home, vera, tina, olga):
    need = f.published(f.service_data(home, quantity=2), by=vera, reviewer=tina)
    assert (need.target, need.unit, need.place) == (2, "", "柳塘镇")
    pledge = pledges.pledge_goods(need=need, by=olga, quantity=1, note="工厂包装岗").pledge
    delivery.deliver_pledge(pledge=pledge, by=olga)
    delivery.confirm_pledge(pledge=pledge, by=vera, note="已上岗")
    need.refresh_from_db()
    assert (need.pledged, need.confirmed, need.status) == (1, 1, Status.PUBLISHED)


def test_a_micro_wish_is_taken_whole_by_one_donor(home, vera, tina, dora):
    need = f.published(f.wish_data(home), by=vera, reviewer=tina)
    assert (need.target, need.value_fen, need.public_name, need.child.name) == (
        1,
        80_00,
        "张**",
        "张小明",
    )
    pledge = pledges.pledge_goods(need=need, by=dora, quantity=5).pledge
    assert (pledge.quantity, pledge.value_fen) == (1, 80_00)
    other = make_user("erin", Role.DONOR)
    with pytest.raises(ValidationError):
        pledges.pledge_goods(need=need, by=other)


def test_a_wish_is_only_for_a_left_behind_child(home, vera):
    head = home.members.get(relation="head")
    with pytest.raises(ValidationError) as refused:
        posting.create_need(data=f.wish_data(home, child=head), by=vera)
    assert refused.value.message_dict == {
        "child": ["Micro-wishes are for children registered as left behind."]
    }


# --- Deadlines ------------------------------------------------------------------------------


def test_posters_are_warned_before_a_need_expires_and_it_is_escalated_after(
    home, vera, tina, alice
):
    need = f.published(f.goods_data(home, deadline=later(2)), by=vera, reviewer=tina)

    assert deadlines.sweep().warned == 1
    assert deadlines.sweep().warned == 0  # once
    warning = Notification.objects.get(recipient=vera, kind="need_expiring")
    assert "still lacks 3 pieces of bedding" in warning.body

    deadlines.sweep(today=later(3))
    need.refresh_from_db()
    assert (need.status, need.escalated_to, need.escalated_at is not None) == (
        Status.EXPIRED,
        None,
        True,
    )
    assert "need.expired" in kinds_of_events(need)

    review.reopen_need(need=need, by=alice, deadline=later(30))
    need.refresh_from_db()
    assert (need.status, need.deadline) == (Status.PUBLISHED, later(30))


def test_an_expired_need_with_partial_help_closes_when_that_help_is_confirmed(
    home, vera, tina, dora
):
    need = f.published(f.goods_data(home), by=vera, reviewer=tina)
    pledge = pledges.pledge_goods(need=need, by=dora, quantity=1).pledge
    deadlines.sweep(today=need.deadline + datetime.timedelta(days=1))
    need.refresh_from_db()
    assert need.status == Status.EXPIRED

    delivery.deliver_pledge(pledge=pledge, by=dora)
    delivery.confirm_pledge(pledge=pledge, by=vera, note="收到")

    need.refresh_from_db()
    assert need.status == Status.CLOSED


def past_its_deadline(need: Need) -> Need:
    """The day after the need's deadline, before the daily sweep has expired it."""
    Need.objects.filter(pk=need.pk).update(deadline=later(-1))
    need.refresh_from_db()
    assert need.status == Status.PUBLISHED
    return need


def test_a_need_past_its_deadline_takes_no_pledge_before_the_sweep(home, vera, tina, dora):
    need = past_its_deadline(f.published(f.goods_data(home), by=vera, reviewer=tina))

    with pytest.raises(ValidationError) as refused:
        pledges.pledge_goods(need=need, by=dora, quantity=1, idempotency_key="late")

    assert refused.value.messages == ["This need's deadline has passed."]
    need.refresh_from_db()
    assert (need.pledged, Pledge.objects.count(), IdempotentRequest.objects.count()) == (0, 0, 0)


def test_a_need_past_its_deadline_takes_no_contribution_before_the_sweep(home, vera, tina, dora):
    need = past_its_deadline(f.published(f.funds_data(home), by=vera, reviewer=tina))

    with pytest.raises(ValidationError) as refused:
        pledges.contribute(
            need=need, by=dora, amount_fen=100_00, payment_reference="L1", idempotency_key="late"
        )

    assert refused.value.messages == ["This need's deadline has passed."]
    need.refresh_from_db()
    assert (need.pledged, Pledge.objects.count(), IdempotentRequest.objects.count()) == (0, 0, 0)


def test_the_sweep_command_reports_what_it_did(home, vera, tina, capsys):
    from django.core.management import call_command

    f.published(f.goods_data(home, deadline=later(1)), by=vera, reviewer=tina)
    call_command("needs_sweep")
    assert capsys.readouterr().out.strip() == "Warned 1 needs about to expire; expired 0."
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("needs_sweep", "--today", "yesterday")


def test_the_sweep_command_refreshes_the_planner_statistics(home, vera, tina):
    from django.core.management import call_command
    from django.db import connection

    for n in range(5):
        f.published(f.goods_data(f.household(), title=f"棉被{n}"), by=vera, reviewer=tina)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Forget what an earlier ANALYZE of this test database found.
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone()[0]:
                cursor.execute("DELETE FROM sqlite_stat1")
            question = "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'needs_need'"
            call_command("needs_sweep")
            cursor.execute(question)
            assert cursor.fetchone()[0] > 0
            return
        # PostgreSQL's estimate of the table's rows is what its last ANALYZE counted (-1
        # before any): five needs, once the sweep has gathered them.
        question = "SELECT reltuples FROM pg_class WHERE relname = 'needs_need'"
        cursor.execute(question)
        assert cursor.fetchone()[0] != 5
        call_command("needs_sweep")
        cursor.execute(question)
        assert cursor.fetchone()[0] == 5


def test_notifications_go_by_email_once_the_change_is_committed(
    home, vera, tina, dora, django_capture_on_commit_callbacks
):
    vera.email = "vera@example.org"
    vera.save()
    need = posting.create_need(data=f.goods_data(home), by=vera, submit=True)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        review.review_need(need=need, by=tina, approve=True)

    assert len(callbacks) == 1
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["vera@example.org"], "Your need is on the board")
    ]
