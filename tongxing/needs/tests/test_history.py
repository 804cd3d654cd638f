"""Needs recorded in bulk (`records.record_needs`): the same rows and audit events as the
same lives lived step by step through the single actions, and the same refusals."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import make_user
from tongxing.access import Role
from tongxing.audit.models import AuditEvent
from tongxing.needs import records, selectors
from tongxing.needs.actions import deadlines, delivery, pledges, posting, review, rules
from tongxing.needs.demo import demo_clock
from tongxing.needs.models import Feedback, FundingPolicy, Need, Pledge, Status
from tongxing.needs.tests import factories as f

BASE = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 30))


def at(days: float, hour: int = 10) -> datetime.datetime:
    """A moment of the past: days after a Monday some months ago, at an hour."""
    return BASE.replace(hour=hour) + datetime.timedelta(days=days)


def due(days: int) -> datetime.date:
    return BASE.date() + datetime.timedelta(days=days)


@pytest.fixture
def home(tree):
    return f.household(child="李小红", head="欧阳明")


@pytest.fixture
def dan(db):
    return make_user("dan", Role.DONOR)


def live_through(history: records.NeedHistory) -> Need:
    """Live a history step by step through the single actions, each at its moment."""
    state = {}
    steps = []

    def step(moment, run):
        steps.append((moment, len(steps), run))

    def post():
        state["need"] = posting.create_need(
            data=history.data, by=history.poster, submit=history.submitted
        )

    step(history.posted_at, post)
    if history.outcome == Status.CANCELLED:
        step(
            history.ended_at,
            lambda: posting.cancel_need(
                need=state["need"], by=history.poster, reason=history.reason
            ),
        )
    else:
        step(
            history.reviewed_at,
            lambda: review.review_need(
                need=state["need"],
                by=history.reviewer,
                approve=history.outcome != Status.REJECTED,
                reason=history.reason,
                override_reason=history.override_reason,
            ),
        )
    if history.outcome == Status.EXPIRED:
        day = timezone.localdate(history.ended_at)
        step(history.ended_at, lambda: deadlines.sweep(today=day))
    for number, gift in enumerate(history.gifts):
        step(gift.pledged_at, lambda gift=gift, n=number: give(state, history, gift, n))
        if gift.delivered_at:
            step(
                gift.delivered_at,
                lambda gift=gift: delivery.deliver_pledge(
                    pledge=state[id(gift)], by=gift.donor, note=gift.delivery_note
                ),
            )
        step(
            gift.confirmed_at,
            lambda gift=gift: delivery.confirm_pledge(
                pledge=state[id(gift)], by=history.confirmer, note=gift.confirmation_note
            ),
        )
        if gift.rating is not None:
            step(
                gift.thanked_at,
                lambda gift=gift: delivery.give_feedback(
                    pledge=state[id(gift)],
                    by=history.confirmer,
                    rating=gift.rating,
                    thanks=gift.thanks,
                ),
            )
    with demo_clock(BASE) as clock:
        for moment, _seq, run in sorted(steps, key=lambda s: (s[0], s[1])):
            clock.moment = moment
            run()
    return Need.objects.get(pk=state["need"].pk)


def give(state, history, gift, number):
    need = state["need"]
    if need.kind == "funds":
        result = pledges.contribute(
            need=need,
            by=gift.donor,
            amount_fen=gift.quantity,
            payment_reference=gift.payment_reference,
            consent_to_move=gift.consent_to_move,
            idempotency_key=f"key-{need.pk}-{number}",
        )
    else:
        result = pledges.pledge_goods(need=need, by=gift.donor, quantity=gift.quantity)
    state[id(gift)] = result.pledge


def rows_of(need: Need) -> dict:
    """Everything a need left behind, with its own keys replaced by positions."""
    pledges = list(Pledge.objects.filter(need=need).order_by("created_at", "pk"))
    keys = {pledge.pk: n for n, pledge in enumerate(pledges)}

    def fields(obj, *skip):
        skip = {"id", "updated_at", *skip}
        return {
            field.attname: getattr(obj, field.attname)
            for field in obj._meta.concrete_fields
            if field.attname not in skip
        }

    def plain(data):
        if isinstance(data, dict) and "pledge" in data:
            return {**data, "pledge": keys[data["pledge"]]}
        return data

    return {
        "need": fields(need),
        "pledges": [fields(pledge, "need_id") for pledge in pledges],
        "feedback": [
            fields(feedback, "pledge_id")
            for feedback in Feedback.objects.filter(pledge__need=need).order_by(
                "pledge__created_at"
            )
        ],
        "events": [
            (
                event.at,
                event.actor_id,
                event.action,
                event.region_code,
                event.before,
                plain(event.after),
            )
            for event in reversed(selectors.need_events(need))
        ],
    }


def goods_history(home, vera, tina, dora, dan) -> records.NeedHistory:
    return records.NeedHistory(
        data=f.goods_data(home, deadline=due(30)),
        poster=vera,
        posted_at=at(0),
        outcome=Status.CLOSED,
        reviewer=tina,
        reviewed_at=at(1, 16),
        confirmer=vera,
        gifts=[
            records.GiftHistory(
                donor=dora,
                quantity=2,
                pledged_at=at(2),
                delivered_at=at(4),
                delivery_note="已送到村委会",
                confirmed_at=at(5),
                confirmation_note="户主已签字",
                rating=5,
                thanks="谢谢！",
                thanked_at=at(6),
            ),
            # Never marked delivered: the village admin confirms it directly.
            records.GiftHistory(
                donor=dan,
                quantity=1,
                pledged_at=at(3),
                confirmed_at=at(5, 15),
                confirmation_note="已入户",
            ),
        ],
    )


def funds_history(home, vera, tina, dora, dan) -> records.NeedHistory:
    return records.NeedHistory(
        data=f.funds_data(home, target_fen=800_00, deadline=due(40)),
        poster=vera,
        posted_at=at(0, 11),
        outcome=Status.CLOSED,
        reviewer=tina,
        reviewed_at=at(2, 16),
        confirmer=vera,
        gifts=[
            records.GiftHistory(
                donor=dora,
                quantity=300_00,
                pledged_at=at(3),
                confirmed_at=at(8),
                payment_reference="4200000001",
                consent_to_move=True,
                confirmation_note="款项已转交",
            ),
            records.GiftHistory(
                donor=dan,
                quantity=500_00,
                pledged_at=at(6),
                confirmed_at=at(8, 11),
                payment_reference="6222000002",
                confirmation_note="款项已转交",
                rating=4,
                thanks="感谢",
                thanked_at=at(9),
            ),
        ],
    )


def other_histories(home, vera, tina) -> list[records.NeedHistory]:
    return [
        records.NeedHistory(
            data=f.wish_data(home, deadline=due(20)),
            poster=vera,
            posted_at=at(0, 9),
            outcome=Status.EXPIRED,
            reviewer=tina,
            reviewed_at=at(1, 16),
            ended_at=at(21, 1),
        ),
        records.NeedHistory(
            data=f.service_data(home, deadline=due(25)),
            poster=vera,
            posted_at=at(0, 14),
            outcome=Status.REJECTED,
            reviewer=tina,
            reviewed_at=at(2, 16),
            reason="情况说明不清",
        ),
        records.NeedHistory(
            data=f.goods_data(home, category="food", title="大米", unit="袋", deadline=due(30)),
            poster=vera,
            posted_at=at(1),
            outcome=Status.CANCELLED,
            ended_at=at(2),
            reason="已通过临时救助解决",
        ),
        records.NeedHistory(
            data=f.goods_data(home, category="daily", title="热水壶", unit="个", deadline=due(30)),
            poster=vera,
            posted_at=at(1, 15),
            outcome=Status.CANCELLED,
            submitted=False,
            ended_at=at(1, 17),
            reason="信息录入有误",
        ),
    ]


def test_a_recorded_need_leaves_what_its_life_step_by_step_leaves(home, vera, tina, dora, dan):
    histories = [
        goods_history(home, vera, tina, dora, dan),
        funds_history(home, vera, tina, dora, dan),
        *other_histories(home, vera, tina),
    ]
    lived = [rows_of(live_through(history)) for history in histories]
    recorded = records.record_needs(histories=histories, by=None)

    assert [rows_of(need) for need in recorded] == lived
    statuses = [row["need"]["status"] for row in lived]
    assert statuses == ["closed", "closed", "expired", "rejected", "cancelled", "cancelled"]
    assert lived[0]["need"]["public_name"] == "欧阳**"  # the head's compound surname
    assert lived[2]["need"]["public_name"] == "李**"  # the child's
    assert len(lived[0]["events"]) == 11 and len(lived[1]["feedback"]) == 1


def test_the_recorded_needs_count_in_the_figures(home, vera, tina, dora, dan):
    histories = [goods_history(home, vera, tina, dora, dan), *other_histories(home, vera, tina)]
    records.record_needs(histories=histories, by=None)
    figures = selectors.need_figures(region="", as_of=due(60))
    assert (figures["needs.goods.posted"], figures["needs.goods.matched"]) == (1, 1)
    assert (figures["needs.wish.posted"], figures["needs.wish.matched"]) == (1, 0)
    assert figures["needs.delivered_rate"] == 100.0
    # On the day of the first pledge the goods were published, not yet matched.
    figures = selectors.need_figures(region="", as_of=due(2))
    assert (figures["needs.goods.posted"], figures["needs.goods.matched"]) == (1, 0)
    # The givers' first moment is kept for the platform's figures, as the actions keep it.
    dora.refresh_from_db()
    assert dora.first_gave_at == min(p.created_at for p in Pledge.objects.filter(donor=dora))


def test_one_bad_history_refuses_the_batch_and_says_where(home, vera, tina, dora, dan):
    good = goods_history(home, vera, tina, dora, dan)
    bad = funds_history(home, vera, tina, dora, dan)
    bad.gifts[1].quantity = 600_00  # more than the need
    bad.gifts[0].pledged_at = at(1)  # before publication
    bad.gifts[0].payment_reference = ""
    bad.gifts[1].rating = 6
    late = other_histories(home, vera, tina)[0]
    late.reviewer = dora  # a donor does not review
    late.ended_at = at(5)  # before the deadline
    events, needs = AuditEvent.objects.count(), Need.objects.count()

    with pytest.raises(ValidationError) as refused:
        records.record_needs(histories=[good, bad, late], by=None)

    errors = refused.value.message_dict
    assert set(errors) == {"2.gifts", "2.gifts.1", "2.gifts.2", "3.ended_at"}
    assert "Give the reference of the transfer (up to 64 characters)." in errors["2.gifts.1"]
    assert "A pledge comes between publication and the deadline." in errors["2.gifts.1"]
    assert "Give a rating from 1 to 5." in errors["2.gifts.2"]
    late.ended_at = at(21, 1)
    with pytest.raises(ValidationError) as refused:
        records.record_needs(histories=[late], by=None)
    assert refused.value.message_dict == {
        "1.reviewer": ["This person may not review needs of this village."]
    }
    assert (AuditEvent.objects.count(), Need.objects.count()) == (events, needs)


def test_a_need_the_rules_flag_is_recorded_published_only_with_a_reason(home, vera, tina, dora):
    rules.set_value_cap(
        region=f.village().parent.parent.parent, category="clothing", cap_fen=100_00, by=None
    )
    history = records.NeedHistory(
        data=f.goods_data(home, quantity=1, deadline=due(30)),
        poster=vera,
        posted_at=at(0),
        outcome=Status.CLOSED,
        reviewer=tina,
        reviewed_at=at(1),
        confirmer=vera,
        gifts=[
            records.GiftHistory(
                donor=dora,
                quantity=1,
                pledged_at=at(2),
                confirmed_at=at(3),
                confirmation_note="已收到",
            )
        ],
    )
    with pytest.raises(ValidationError) as refused:
        records.record_needs(histories=[history], by=None)
    assert refused.value.message_dict["1.override_reason"] == [
        "The review rules flag this need: give your reason to publish it.",
        "The estimated value ¥150 is above the cap of ¥100.",
    ]
    history.override_reason = "经入户核实，确有需要。"
    need = records.record_needs(histories=[history], by=None)[0]
    assert need.override_reason == "经入户核实，确有需要。"
    assert [finding["rule"] for finding in need.rule_findings] == ["value_cap"]


def test_only_the_system_records_histories(home, vera, tina, alice):
    history = other_histories(home, vera, tina)[1]
    for person in (alice, vera):
        with pytest.raises(PermissionDenied):
            records.record_needs(histories=[history], by=person)
    assert not Need.objects.exists()


def test_a_history_still_open_or_in_the_future_is_refused(home, vera, tina):
    history = other_histories(home, vera, tina)[1]
    history.outcome = Status.PUBLISHED
    with pytest.raises(ValidationError) as refused:
        records.record_needs(histories=[history], by=None)
    assert list(refused.value.message_dict) == ["1.outcome"]
    history.outcome = Status.REJECTED
    history.posted_at = timezone.now() + datetime.timedelta(hours=1)
    with pytest.raises(ValidationError) as refused:
        records.record_needs(histories=[history], by=None)
    assert list(refused.value.message_dict) == ["1.posted_at"]
    assert not Need.objects.exists()


def test_funding_policy_is_kept(home, vera, tina, dora, dan):
    history = funds_history(home, vera, tina, dora, dan)
    history.data.funding_policy = FundingPolicy.KEEP_WHAT_IS_RAISED
    need = records.record_needs(histories=[history], by=None)[0]
    assert need.funding_policy == FundingPolicy.KEEP_WHAT_IS_RAISED
