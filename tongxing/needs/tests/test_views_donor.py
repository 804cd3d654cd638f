"""A donor's pages: pledging from a need's page, and My pledges with its buttons."""

import re

import pytest
from django.utils import timezone

from conftest import client_for
from tongxing.access import Role
from tongxing.needs.actions import delivery, pledges, posting
from tongxing.needs.models import IdempotentRequest, Need, Pledge, PledgeStatus
from tongxing.needs.tests import factories


def persona(request, name):
    return request.getfixturevalue(name) if name else None


def login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith("/accounts/login/")


@pytest.fixture
def home(tree):
    return factories.household(child="张小明")


@pytest.fixture
def quilts(home, tina):
    """Three quilts (床) at ¥150 each, on the board."""
    return factories.published(factories.goods_data(home), reviewer=tina)


@pytest.fixture
def fees(home, tina):
    """¥1,000 to raise for a hospital stay, all or nothing."""
    return factories.published(factories.funds_data(home), reviewer=tina)


def pledge_form(**changes) -> dict:
    values = {"quantity": "2", "deliver_by": "", "note": "", "idempotency_key": "key-1"}
    values.update(changes)
    return values


def errors(response) -> dict:
    return {field: list(messages) for field, messages in response.context["form"].errors.items()}


# --- Pledging -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("vera", 403),
        ("cody", 403),
        ("victor", 403),
        ("tina", 403),
        ("tom", 403),
        ("alice", 403),
        ("carl", 403),
        ("dora", 302),
        ("olga", 302),
    ],
)
def test_only_donors_and_organisations_pledge(request, quilts, who, status):
    response = client_for(persona(request, who)).post(f"/needs/{quilts.pk}/pledge/", pledge_form())
    assert response.status_code == status
    if who is None:
        assert login_redirect(response)
    pledged = who in ("dora", "olga")
    assert Pledge.objects.count() == (1 if pledged else 0)
    assert Need.objects.get(pk=quilts.pk).pledged == (2 if pledged else 0)


def test_a_pledge_records_quantity_date_and_note_and_goes_to_my_pledges(quilts, dora):
    deliver_by = factories.in_days(5)
    response = client_for(dora).post(
        f"/needs/{quilts.pk}/pledge/",
        pledge_form(deliver_by=deliver_by.isoformat(), note="我周五送过去"),
    )
    assert response.status_code == 302 and response.url == "/needs/my-pledges/"
    pledge = Pledge.objects.get()
    assert (pledge.donor, pledge.quantity, pledge.value_fen) == (dora, 2, 300_00)
    assert (pledge.deliver_by, pledge.note) == (deliver_by, "我周五送过去")


def test_a_pledge_only_takes_the_get_method_as_a_page_not_a_change(quilts, dora):
    assert client_for(dora).get(f"/needs/{quilts.pk}/pledge/").status_code == 405
    assert Pledge.objects.count() == 0


def test_the_double_submitted_form_makes_one_pledge(quilts, dora):
    client = client_for(dora)
    first = client.post(f"/needs/{quilts.pk}/pledge/", pledge_form(idempotency_key="abc"))
    second = client.post(
        f"/needs/{quilts.pk}/pledge/", pledge_form(idempotency_key="abc"), follow=True
    )
    assert first.status_code == 302
    assert second.redirect_chain == [("/needs/my-pledges/", 302)]
    assert "This pledge was already recorded: it counts once." in second.content.decode()
    assert Pledge.objects.count() == 1
    assert Need.objects.get(pk=quilts.pk).pledged == 2
    assert IdempotentRequest.objects.count() == 1


def test_two_forms_shown_twice_make_two_pledges(quilts, dora):
    client = client_for(dora)
    client.post(f"/needs/{quilts.pk}/pledge/", pledge_form(quantity="1", idempotency_key="a"))
    client.post(f"/needs/{quilts.pk}/pledge/", pledge_form(quantity="1", idempotency_key="b"))
    assert Need.objects.get(pk=quilts.pk).pledged == 2


def test_a_pledge_beyond_what_remains_says_what_remains_and_changes_nothing(quilts, dora, olga):
    pledges.pledge_goods(need=quilts, by=olga, quantity=2)
    response = client_for(dora).post(f"/needs/{quilts.pk}/pledge/", pledge_form(quantity="2"))
    assert response.status_code == 400
    assert errors(response) == {"quantity": ["Only 1 piece of bedding is still needed."]}
    assert Pledge.objects.filter(donor=dora).count() == 0
    assert Need.objects.get(pk=quilts.pk).pledged == 2
    # The refused attempt left no key behind: the same key works for the next try.
    assert not IdempotentRequest.objects.filter(user=dora).exists()


def test_a_need_filled_meanwhile_says_so_above_the_form(quilts, dora, olga):
    pledges.pledge_goods(need=quilts, by=olga, quantity=3)
    response = client_for(dora).post(f"/needs/{quilts.pk}/pledge/", pledge_form(quantity="1"))
    assert response.status_code == 400
    assert errors(response) == {"__all__": ["This need is fully pledged already. Thank you!"]}
    html = response.content.decode()
    assert "This need is fully pledged already. Thank you!" in html
    assert 'data-testid="fully-pledged"' in html


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"quantity": "abc"}, {"quantity": ["Enter a whole number."]}),
        ({"quantity": "0"}, {"quantity": ["Ensure this value is greater than or equal to 1."]}),
        ({"quantity": ""}, {"quantity": ["This field is required."]}),
        ({"deliver_by": "2020-01-01"}, {"deliver_by": ["The date has passed."]}),
        ({"deliver_by": "next friday"}, {"deliver_by": ["Enter a valid date."]}),
        (
            {"note": "x" * 301},
            {"note": ["Ensure this value has at most 300 characters (it has 301)."]},
        ),
        ({"idempotency_key": ""}, {"idempotency_key": ["This field is required."]}),
    ],
)
def test_a_bad_pledge_shows_field_errors_and_changes_nothing(quilts, dora, changes, expected):
    response = client_for(dora).post(f"/needs/{quilts.pk}/pledge/", pledge_form(**changes))
    assert response.status_code == 400
    assert errors(response) == expected
    assert Pledge.objects.count() == 0
    assert Need.objects.get(pk=quilts.pk).pledged == 0


def test_a_refused_form_comes_back_with_a_new_key(quilts, dora):
    response = client_for(dora).post(
        f"/needs/{quilts.pk}/pledge/", pledge_form(quantity="9", idempotency_key="old")
    )
    key = response.context["form"]["idempotency_key"].value()
    assert key != "old" and len(key) == 32


def test_taking_a_micro_wish_takes_it_whole(home, tina, dora):
    wish = factories.published(factories.wish_data(home), reviewer=tina)
    response = client_for(dora).post(
        f"/needs/{wish.pk}/pledge/", {"idempotency_key": "w1", "note": "新书包马上到"}
    )
    assert response.status_code == 302
    pledge = Pledge.objects.get()
    assert (pledge.quantity, pledge.value_fen, pledge.note) == (1, 80_00, "新书包马上到")
    response = client_for(dora).get(f"/needs/{wish.pk}/")
    assert response.status_code == 200
    assert 'data-testid="pledge-form"' not in response.content.decode()


def contribution(**changes) -> dict:
    values = {
        "amount_yuan": "200.50",
        "payment_reference": "WX-20261129-001",
        "consent_to_move": "on",
        "idempotency_key": "c-1",
    }
    values.update(changes)
    return values


def test_a_contribution_is_recorded_in_fen_with_its_transfer(fees, dora):
    response = client_for(dora).post(f"/needs/{fees.pk}/pledge/", contribution())
    assert response.status_code == 302
    pledge = Pledge.objects.get()
    assert (pledge.quantity, pledge.value_fen) == (20050, 20050)
    assert (pledge.payment_method, pledge.payment_reference) == (
        "offline_transfer",
        "WX-20261129-001",
    )
    assert pledge.consent_to_move is True


def test_the_double_submitted_contribution_counts_once(fees, dora):
    client = client_for(dora)
    client.post(f"/needs/{fees.pk}/pledge/", contribution())
    client.post(f"/needs/{fees.pk}/pledge/", contribution())
    assert Pledge.objects.count() == 1
    assert Need.objects.get(pk=fees.pk).pledged == 20050


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"payment_reference": ""}, {"payment_reference": ["This field is required."]}),
        (
            {"amount_yuan": "0.5"},
            {"amount_yuan": ["Ensure this value is greater than or equal to 1."]},
        ),
        ({"amount_yuan": "2000"}, {"amount_yuan": ["Only ¥1,000 is still needed."]}),
        ({"amount_yuan": "十元"}, {"amount_yuan": ["Enter a number."]}),
    ],
)
def test_a_bad_contribution_shows_field_errors_and_changes_nothing(fees, dora, changes, expected):
    response = client_for(dora).post(f"/needs/{fees.pk}/pledge/", contribution(**changes))
    assert response.status_code == 400
    assert errors(response) == expected
    assert Pledge.objects.count() == 0
    assert Need.objects.get(pk=fees.pk).pledged == 0


def test_pledging_to_a_need_not_on_the_board_is_not_found(home, vera, dora):
    draft = posting.create_need(data=factories.goods_data(home), by=vera)
    response = client_for(dora).post(f"/needs/{draft.pk}/pledge/", pledge_form())
    assert response.status_code == 404
    assert Pledge.objects.count() == 0


# --- My pledges -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("vera", 403),
        ("cody", 403),
        ("victor", 403),
        ("tina", 403),
        ("tom", 403),
        ("alice", 403),
        ("carl", 403),
        ("dora", 200),
        ("olga", 200),
    ],
)
def test_my_pledges_is_for_donors_and_organisations(request, tree, who, status):
    response = client_for(persona(request, who)).get("/needs/my-pledges/")
    assert response.status_code == status
    if who is None:
        assert login_redirect(response)


def test_my_pledges_lists_only_ones_own(quilts, fees, dora, olga):
    mine = pledges.pledge_goods(need=quilts, by=dora, quantity=1).pledge
    pledges.pledge_goods(need=quilts, by=olga, quantity=1)
    page = client_for(dora).get("/needs/my-pledges/").context["page"]
    assert list(page) == [mine]


def test_my_pledges_shows_status_thanks_rating_and_impact(quilts, fees, vera, dora):
    pledge = pledges.pledge_goods(need=quilts, by=dora, quantity=2).pledge
    delivery.confirm_pledge(pledge=pledge, by=vera, note="收到两床棉被")
    delivery.give_feedback(pledge=pledge, by=vera, rating=4, thanks="谢谢您的棉被！")
    pledges.contribute(
        need=fees, by=dora, amount_fen=300_00, payment_reference="T-1", idempotency_key="k"
    )
    response = client_for(dora).get("/needs/my-pledges/")
    html = response.content.decode()
    assert 'aria-label="4 of 5">★★★★☆</span> 谢谢您的棉被！' in html
    assert "confirmed" in html and "pledged" in html
    impact = response.context["impact"]
    assert (impact.needs_helped, impact.households_helped, impact.confirmed) == (2, 1, 1)
    assert (impact.value_fen, impact.money_fen, impact.thanks) == (600_00, 300_00, 1)
    assert impact.average_rating == 4.0
    assert "¥300" in html


def split(html: str) -> dict[str, str]:
    """The impact's amounts by their data-testid: {"impact-promised": "¥300", …}."""
    found = re.findall(r'data-testid="(impact-[a-z-]+)"><dt>[^<]*</dt><dd>([^<]*)</dd>', html)
    return dict(found)


def test_my_impact_says_what_was_only_promised_delivered_and_received(tree, tina, vera, home, dora):
    need = factories.published(
        factories.goods_data(home, quantity=10, unit_value_fen=150_00), reviewer=tina
    )
    promised = pledges.pledge_goods(need=need, by=dora, quantity=2).pledge
    delivered = pledges.pledge_goods(need=need, by=dora, quantity=3).pledge
    received = pledges.pledge_goods(need=need, by=dora, quantity=4).pledge
    withdrawn = pledges.pledge_goods(need=need, by=dora, quantity=1).pledge
    delivery.deliver_pledge(pledge=delivered, by=dora)
    delivery.confirm_pledge(pledge=received, by=vera, note="收到四床")
    pledges.withdraw_pledge(pledge=withdrawn, by=dora)
    assert promised.status == PledgeStatus.PLEDGED

    html = client_for(dora).get("/needs/my-pledges/").content.decode()

    # Nothing says "given" of a promise: each amount is named by how far it got.
    assert "given in all" not in html
    assert split(html) == {
        "impact-promised": "¥300",
        "impact-delivered": "¥450",
        "impact-received": "¥600",
    }
    assert "Promised, not yet delivered" in html
    assert "Received, as the household confirmed" in html


def test_my_impact_splits_money_held_from_money_released(tree, tina, home, dora):
    held = factories.published(factories.funds_data(home, target_fen=1000_00), reviewer=tina)
    kept = factories.published(
        factories.funds_data(
            home,
            title="助学费用",
            category="schooling",
            target_fen=200_00,
            policy="keep",
        ),
        reviewer=tina,
    )
    pledges.contribute(
        need=held, by=dora, amount_fen=300_00, payment_reference="T-1", idempotency_key="a"
    )
    pledges.contribute(
        need=kept, by=dora, amount_fen=200_00, payment_reference="T-2", idempotency_key="b"
    )

    html = client_for(dora).get("/needs/my-pledges/").content.decode()

    assert split(html) == {
        "impact-money": "¥500",
        "impact-money-released": "¥200",
        "impact-money-held": "¥300",
    }


def test_the_buttons_show_only_for_goods_not_yet_delivered(quilts, fees, dora):
    pledges.pledge_goods(need=quilts, by=dora, quantity=1)
    pledges.contribute(
        need=fees, by=dora, amount_fen=300_00, payment_reference="T-1", idempotency_key="k"
    )
    html = client_for(dora).get("/needs/my-pledges/").content.decode()
    assert html.count('data-testid="deliver"') == 1
    assert html.count('data-testid="withdraw"') == 1


def test_marking_delivered(quilts, dora):
    pledge = pledges.pledge_goods(need=quilts, by=dora, quantity=2).pledge
    response = client_for(dora).post(f"/needs/pledges/{pledge.pk}/deliver/")
    assert response.status_code == 302 and response.url == "/needs/my-pledges/"
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.DELIVERED
    assert Need.objects.get(pk=quilts.pk).delivered == 2


def test_withdrawing(quilts, dora):
    pledge = pledges.pledge_goods(need=quilts, by=dora, quantity=2).pledge
    response = client_for(dora).post(f"/needs/pledges/{pledge.pk}/withdraw/")
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.WITHDRAWN
    assert Need.objects.get(pk=quilts.pk).pledged == 0


@pytest.mark.parametrize("button", ["deliver", "withdraw"])
@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("olga", 404),
        ("vera", 403),
        ("cody", 403),
        ("victor", 403),
        ("tina", 403),
        ("alice", 403),
    ],
)
def test_only_the_donor_presses_the_buttons_of_a_pledge(request, quilts, dora, button, who, status):
    pledge = pledges.pledge_goods(need=quilts, by=dora, quantity=2).pledge
    response = client_for(persona(request, who)).post(f"/needs/pledges/{pledge.pk}/{button}/")
    assert response.status_code == status
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.PLEDGED
    assert Need.objects.get(pk=quilts.pk).pledged == 2


def test_withdrawing_a_delivered_pledge_is_refused_with_a_message(quilts, dora):
    pledge = pledges.pledge_goods(need=quilts, by=dora, quantity=2).pledge
    delivery.deliver_pledge(pledge=pledge, by=dora)
    response = client_for(dora).post(f"/needs/pledges/{pledge.pk}/withdraw/")
    assert response.status_code == 400
    assert "Only a pledge not yet delivered can be withdrawn." in response.content.decode()
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.DELIVERED


def test_a_contribution_cannot_be_marked_delivered(fees, dora):
    pledge = pledges.contribute(
        need=fees, by=dora, amount_fen=300_00, payment_reference="T-1", idempotency_key="k"
    ).pledge
    response = client_for(dora).post(f"/needs/pledges/{pledge.pk}/deliver/")
    assert response.status_code == 400
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.PLEDGED


def test_an_organisations_rep_pledges_like_a_donor(quilts, olga):
    assert olga.role == Role.ORG_REP
    client_for(olga).post(f"/needs/{quilts.pk}/pledge/", pledge_form(quantity="3"))
    assert Need.objects.get(pk=quilts.pk).pledged == 3
    assert client_for(olga).get(f"/needs/{quilts.pk}/").context["open_for_pledges"] is False


def test_delivering_today_is_a_date_not_past(quilts, dora):
    today = timezone.localdate().isoformat()
    response = client_for(dora).post(f"/needs/{quilts.pk}/pledge/", pledge_form(deliver_by=today))
    assert response.status_code == 302
