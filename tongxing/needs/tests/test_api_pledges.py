"""Pledges and contributions through the API: who may pledge, deliver, confirm and thank;
idempotent contributions; and a donor's own pledges and impact.

Personas as in test_api.py: Hana is the household's account (village A1), Cleo the cadre
assigned to it, Wade the village admin of B1; Dora (donor) and Olga (organisation
representative) pledge.
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from ninja.responses import NinjaJSONEncoder

from conftest import TOWNSHIP_A, VILLAGE_B1, api_client_for, make_user
from tongxing.access import Role
from tongxing.needs.actions import delivery, pledges, posting
from tongxing.needs.models import (
    Feedback,
    IdempotentRequest,
    Need,
    Pledge,
    PledgeStatus,
)
from tongxing.needs.tests import factories as f
from tongxing.registry import actions as registry_actions
from tongxing.registry.tests.factories import assign


@pytest.fixture
def home(tree):
    return f.household(head="张建国", child="张小宝")


@pytest.fixture
def hana(home):
    """The household's own account."""
    user = make_user("hana", Role.HOUSEHOLD)
    registry_actions.link_household_account(household=home, account=user, by=None)
    return user


@pytest.fixture
def cleo(home):
    """The cadre of township A assigned to the household."""
    account = make_user("cleo", Role.CADRE, TOWNSHIP_A)
    assign(account, home)
    return account


@pytest.fixture
def wade(tree):
    return make_user("wade", Role.VILLAGE_ADMIN, VILLAGE_B1)


@pytest.fixture
def goods(home):
    """Three quilts (棉被, ¥150 each) for the household, on the board."""
    return f.published(f.goods_data(home))


@pytest.fixture
def funds(home):
    """¥1,000 of hospital bills, all or nothing, on the board."""
    return f.published(f.funds_data(home, target_fen=1000_00))


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def client(request, who):
    return api_client_for(request.getfixturevalue(who) if who else None)


def post(api, url, body=None, **headers):
    if body is None:
        return api.post(url, content_type="application/json", headers=headers)
    return api.post(url, body, content_type="application/json", headers=headers)


def stamp(value) -> str:
    return json.loads(json.dumps(value, cls=NinjaJSONEncoder))


def errors(response) -> list[dict]:
    return response.json()["errors"]


def pledged(need: Need, by, quantity: int = 1) -> Pledge:
    return pledges.pledge_goods(need=need, by=by, quantity=quantity).pledge


def delivered(need: Need, by, quantity: int = 1) -> Pledge:
    return delivery.deliver_pledge(pledge=pledged(need, by, quantity), by=by)


# --- Pledging goods -------------------------------------------------------------------------

PLEDGE_MATRIX = [
    (None, 401),
    ("dora", 201),
    ("olga", 201),
    ("hana", 403),
    ("cleo", 403),
    ("cody", 403),
    ("victor", 403),
    ("vera", 403),
    ("wade", 403),
    ("tina", 403),
    ("tom", 403),
    ("alice", 403),
    ("carl", 403),
]


@pytest.mark.parametrize(("who", "status"), PLEDGE_MATRIX)
def test_pledging_goods(request, goods, who, status):
    body = {"quantity": 2, "deliver_by": str(f.in_days(7)), "note": "周六送到"}
    response = post(client(request, who), f"/api/v1/needs/{goods.pk}/pledges", body)
    assert response.status_code == status
    goods.refresh_from_db()
    if status != 201:
        assert (Pledge.objects.count(), goods.pledged) == (0, 0)
        return
    pledge = Pledge.objects.get()
    assert goods.pledged == 2
    assert response.json() == {
        "id": pledge.pk,
        "need": goods.pk,
        "status": "pledged",
        "quantity": 2,
        "value_fen": 300_00,
        "deliver_by": str(f.in_days(7)),
        "note": "周六送到",
        "payment_method": "",
        "payment_reference": "",
        "consent_to_move": False,
        "created_at": stamp(pledge.created_at),
        "delivered_at": None,
        "confirmed_at": None,
        "ended_at": None,
        "end_reason": "",
        "refunded_at": None,
        "feedback": None,
    }
    assert "Idempotent-Replayed" not in response.headers


def test_a_pledge_beyond_what_remains_is_refused_saying_what_remains(goods, dora, olga):
    first = post(api_client_for(dora), f"/api/v1/needs/{goods.pk}/pledges", {"quantity": 2})
    assert first.status_code == 201
    response = post(api_client_for(olga), f"/api/v1/needs/{goods.pk}/pledges", {"quantity": 2})
    assert response.status_code == 400
    message = "Only 1 piece of bedding is still needed."
    assert errors(response) == [{"field": "quantity", "message": message}]
    goods.refresh_from_db()
    assert (Pledge.objects.count(), goods.pledged) == (1, 2)


def test_a_fully_pledged_need_takes_no_more(goods, dora, olga):
    pledged(goods, dora, 3)
    response = post(api_client_for(olga), f"/api/v1/needs/{goods.pk}/pledges", {"quantity": 1})
    assert response.status_code == 400
    assert errors(response) == [
        {"field": "", "message": "This need is fully pledged already. Thank you!"}
    ]


@pytest.mark.parametrize(
    ("deliver_by", "message"),
    [
        ("9999-12-31", "Give a date within the coming year."),
        (str(f.in_days(367)), "Give a date within the coming year."),
        (str(f.in_days(-1)), "The date has passed."),
    ],
)
def test_a_delivery_date_lies_within_the_coming_year(goods, dora, deliver_by, message):
    body = {"quantity": 1, "deliver_by": deliver_by}
    response = post(api_client_for(dora), f"/api/v1/needs/{goods.pk}/pledges", body)
    assert response.status_code == 400
    assert errors(response) == [{"field": "deliver_by", "message": message}]
    goods.refresh_from_db()
    assert (Pledge.objects.count(), goods.pledged) == (0, 0)


def test_a_need_not_on_the_board_takes_no_pledge(home, dora):
    draft = posting.create_need(data=f.goods_data(home), by=None)
    response = post(api_client_for(dora), f"/api/v1/needs/{draft.pk}/pledges", {"quantity": 1})
    assert response.status_code == 404
    assert Pledge.objects.count() == 0


def test_a_micro_wish_is_taken_whole(home, dora):
    wish = f.published(f.wish_data(home))
    response = post(api_client_for(dora), f"/api/v1/needs/{wish.pk}/pledges", {})
    assert response.status_code == 201
    assert (response.json()["quantity"], response.json()["value_fen"]) == (1, 80_00)


def test_a_pledge_of_goods_honours_an_idempotency_key(goods, dora):
    api = api_client_for(dora)
    url = f"/api/v1/needs/{goods.pk}/pledges"
    first = post(api, url, {"quantity": 1}, **{"Idempotency-Key": "quilt-1"})
    again = post(api, url, {"quantity": 1}, **{"Idempotency-Key": "quilt-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    goods.refresh_from_db()
    assert (Pledge.objects.count(), goods.pledged) == (1, 1)


# --- Contributions and their Idempotency-Key --------------------------------------------------


def contribute(api, need, key: str | None, amount: int = 200_00, reference: str = "WX-0001"):
    headers = {"Idempotency-Key": key} if key is not None else {}
    body = {"amount_fen": amount, "payment_reference": reference, "consent_to_move": True}
    return post(api, f"/api/v1/needs/{need.pk}/pledges", body, **headers)


@pytest.mark.parametrize(("who", "status"), PLEDGE_MATRIX)
def test_contributing_money(request, funds, who, status):
    response = contribute(client(request, who), funds, "k-1")
    assert response.status_code == status
    funds.refresh_from_db()
    if status != 201:
        assert (Pledge.objects.count(), IdempotentRequest.objects.count(), funds.pledged) == (
            0,
            0,
            0,
        )
        return
    body = response.json()
    assert (body["quantity"], body["value_fen"], body["status"]) == (200_00, 200_00, "pledged")
    assert (body["payment_method"], body["payment_reference"], body["consent_to_move"]) == (
        "offline_transfer",
        "WX-0001",
        True,
    )
    assert funds.pledged == 200_00


def test_the_same_key_twice_makes_one_contribution(funds, dora):
    api = api_client_for(dora)
    first = contribute(api, funds, "k-1")
    again = contribute(api, funds, "k-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    funds.refresh_from_db()
    assert (Pledge.objects.count(), funds.pledged) == (1, 200_00)


def test_the_same_key_with_another_body_is_refused(funds, dora):
    api = api_client_for(dora)
    contribute(api, funds, "k-1")
    response = contribute(api, funds, "k-1", amount=300_00)
    assert response.status_code == 400
    assert errors(response) == [
        {"field": "idempotency_key", "message": "This key was already used for another request."}
    ]
    funds.refresh_from_db()
    assert (Pledge.objects.count(), funds.pledged) == (1, 200_00)


def test_another_donor_may_use_the_same_key(funds, dora, olga):
    contribute(api_client_for(dora), funds, "k-1")
    response = contribute(api_client_for(olga), funds, "k-1")
    assert response.status_code == 201
    assert Pledge.objects.count() == 2


def test_a_contribution_without_a_key_is_refused_and_nothing_recorded(funds, dora):
    response = contribute(api_client_for(dora), funds, None)
    assert response.status_code == 400
    assert errors(response) == [
        {
            "field": "idempotency_key",
            "message": "A contribution needs an Idempotency-Key header: a unique value that "
            "you send again if you retry, so the money counts once.",
        }
    ]
    funds.refresh_from_db()
    assert (Pledge.objects.count(), IdempotentRequest.objects.count(), funds.pledged) == (0, 0, 0)


def test_a_contribution_without_a_transfer_reference_is_refused(funds, dora):
    response = contribute(api_client_for(dora), funds, "k-1", reference="  ")
    assert response.status_code == 400
    assert errors(response) == [
        {"field": "payment_reference", "message": "Give the reference of your transfer."}
    ]
    assert (Pledge.objects.count(), IdempotentRequest.objects.count()) == (0, 0)


def test_a_contribution_beyond_the_target_is_refused_saying_what_remains(funds, dora):
    response = contribute(api_client_for(dora), funds, "k-1", amount=1500_00)
    assert response.status_code == 400
    assert [e["message"] for e in errors(response)] == ["Only ¥1,000 is still needed."]
    # A refused request keeps no key: the donor may retry it with a smaller amount.
    assert (Pledge.objects.count(), IdempotentRequest.objects.count()) == (0, 0)
    assert contribute(api_client_for(dora), funds, "k-1", amount=1000_00).status_code == 201


def test_an_amount_beyond_any_need_is_a_schema_error(funds, dora):
    response = contribute(api_client_for(dora), funds, "k-1", amount=10**19)
    assert response.status_code == 422
    assert [e["field"] for e in errors(response)] == ["amount_fen"]
    assert (Pledge.objects.count(), IdempotentRequest.objects.count()) == (0, 0)


def test_the_contribution_that_completes_a_need_comes_back_released(funds, dora):
    response = contribute(api_client_for(dora), funds, "k-1", amount=1000_00)
    assert response.status_code == 201
    assert response.json()["status"] == "delivered"
    funds.refresh_from_db()
    assert (funds.pledged, funds.delivered) == (1000_00, 1000_00)


# --- Delivering and withdrawing ------------------------------------------------------------

DONOR_MATRIX = [
    (None, 401),
    ("dora", 200),
    ("olga", 404),  # another donor's pledge
    ("hana", 403),
    ("cleo", 403),
    ("cody", 403),
    ("victor", 403),
    ("vera", 403),
    ("wade", 403),
    ("tina", 403),
    ("tom", 403),
    ("alice", 403),
    ("carl", 403),
]


@pytest.mark.parametrize(("who", "status"), DONOR_MATRIX)
def test_marking_a_pledge_delivered(request, goods, dora, who, status):
    pledge = pledged(goods, dora, 2)
    response = post(
        client(request, who), f"/api/v1/pledges/{pledge.pk}/deliver", {"note": "已送到村委会"}
    )
    assert response.status_code == status
    pledge.refresh_from_db()
    goods.refresh_from_db()
    if status != 200:
        assert (pledge.status, goods.delivered) == (PledgeStatus.PLEDGED, 0)
        return
    assert (pledge.status, pledge.note, goods.delivered) == (
        PledgeStatus.DELIVERED,
        "已送到村委会",
        2,
    )
    assert response.json()["status"] == "delivered"


def test_a_pledge_is_delivered_without_a_note(goods, dora):
    pledge = pledged(goods, dora)
    response = post(api_client_for(dora), f"/api/v1/pledges/{pledge.pk}/deliver")
    assert response.status_code == 200
    assert response.json()["status"] == "delivered"


@pytest.mark.parametrize(("who", "status"), DONOR_MATRIX)
def test_withdrawing_a_pledge(request, goods, dora, who, status):
    pledge = pledged(goods, dora, 2)
    response = post(
        client(request, who), f"/api/v1/pledges/{pledge.pk}/withdraw", {"reason": "买不到了"}
    )
    assert response.status_code == status
    pledge.refresh_from_db()
    goods.refresh_from_db()
    if status != 200:
        assert (pledge.status, goods.pledged) == (PledgeStatus.PLEDGED, 2)
        return
    assert (pledge.status, pledge.end_reason, goods.pledged) == (
        PledgeStatus.WITHDRAWN,
        "买不到了",
        0,
    )


def test_a_delivered_pledge_cannot_be_withdrawn(goods, dora):
    pledge = delivered(goods, dora)
    response = post(api_client_for(dora), f"/api/v1/pledges/{pledge.pk}/withdraw")
    assert response.status_code == 400
    assert errors(response) == [
        {"field": "", "message": "Only a pledge not yet delivered can be withdrawn."}
    ]


# --- Confirming receipt and thanking ------------------------------------------------------------

HOUSEHOLD_MATRIX = [
    (None, 401),
    ("dora", 403),
    ("olga", 403),
    ("hana", 200),
    ("cleo", 200),
    ("cody", 404),  # the cadre: of the township, helping no one
    ("victor", 403),
    ("vera", 200),
    ("wade", 404),
    ("tina", 200),
    ("tom", 404),
    ("alice", 200),
    ("carl", 404),
]


@pytest.mark.parametrize(("who", "status"), HOUSEHOLD_MATRIX)
def test_confirming_receipt(request, goods, dora, who, status):
    pledge = delivered(goods, dora, 2)
    response = client(request, who).post(
        f"/api/v1/pledges/{pledge.pk}/confirm", {"note": "已当面交付"}
    )
    assert response.status_code == status
    pledge.refresh_from_db()
    goods.refresh_from_db()
    if status != 200:
        assert (pledge.status, goods.confirmed) == (PledgeStatus.DELIVERED, 0)
        return
    assert (pledge.status, goods.confirmed) == (PledgeStatus.CONFIRMED, 2)
    body = response.json()
    assert (body["status"], body["confirmation_note"], body["confirmed_on_behalf"]) == (
        "confirmed",
        "已当面交付",
        who != "hana",
    )
    assert body["confirmed_by"] == str(request.getfixturevalue(who))


def test_staff_confirm_for_the_household_with_a_photo(goods, dora, vera, media):
    pledge = delivered(goods, dora)
    photo = SimpleUploadedFile("quilt.png", f.png(), content_type="image/png")
    response = api_client_for(vera).post(
        f"/api/v1/pledges/{pledge.pk}/confirm", {"evidence": photo}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["has_evidence"], body["confirmed_on_behalf"]) == (
        "confirmed",
        True,
        True,
    )
    assert (body["confirmed_by"], body["confirmation_note"]) == ("Vera", "")
    pledge.refresh_from_db()
    assert pledge.evidence.name.startswith("evidence/")
    # Kept re-encoded (without metadata): the same white pixel, not the same bytes.
    assert f.picture((media / pledge.evidence.name).read_bytes()) == ("PNG", (1, 1), (255, 0, 0))


def test_staff_confirming_without_a_photo_or_a_note_are_refused(goods, dora, vera):
    pledge = delivered(goods, dora)
    response = api_client_for(vera).post(f"/api/v1/pledges/{pledge.pk}/confirm")
    assert response.status_code == 400
    assert errors(response) == [
        {"field": "evidence", "message": "Confirming for the household: add a photo or a note."}
    ]
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.DELIVERED


def test_a_file_that_is_not_a_photo_is_refused(goods, dora, vera, media):
    pledge = delivered(goods, dora)
    upload = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 not a photo", "application/pdf")
    response = api_client_for(vera).post(
        f"/api/v1/pledges/{pledge.pk}/confirm", {"evidence": upload, "note": "收据"}
    )
    assert response.status_code == 400
    assert errors(response) == [
        {"field": "evidence", "message": "Upload a photo (JPEG, PNG, WebP or GIF)."}
    ]
    pledge.refresh_from_db()
    assert (pledge.status, pledge.evidence.name) == (PledgeStatus.DELIVERED, "")
    assert list(media.iterdir()) == []


def test_the_household_confirms_in_its_own_name_without_evidence(goods, dora, hana):
    pledge = delivered(goods, dora)
    response = api_client_for(hana).post(f"/api/v1/pledges/{pledge.pk}/confirm")
    assert response.status_code == 200
    assert (response.json()["confirmed_on_behalf"], response.json()["confirmed_by"]) == (
        False,
        "Hana",
    )


def test_a_note_longer_than_300_characters_is_a_schema_error(goods, dora, vera):
    pledge = delivered(goods, dora)
    response = api_client_for(vera).post(
        f"/api/v1/pledges/{pledge.pk}/confirm", {"note": "好" * 301}
    )
    assert response.status_code == 422
    assert [e["field"] for e in errors(response)] == ["form.note"]


@pytest.mark.parametrize(("who", "status"), HOUSEHOLD_MATRIX)
def test_thanking_the_donor(request, goods, dora, vera, who, status):
    pledge = delivered(goods, dora)
    delivery.confirm_pledge(pledge=pledge, by=vera, note="已送到")
    response = post(
        client(request, who),
        f"/api/v1/pledges/{pledge.pk}/feedback",
        {"rating": 5, "thanks": "谢谢好心人"},
    )
    assert response.status_code == (201 if status == 200 else status)
    if status != 200:
        assert Feedback.objects.count() == 0
        return
    feedback = Feedback.objects.get()
    assert response.json() == {
        "rating": 5,
        "thanks": "谢谢好心人",
        "on_behalf": who != "hana",
        "at": stamp(feedback.at),
    }


def test_a_rating_outside_one_to_five_is_refused(goods, dora, vera):
    pledge = delivered(goods, dora)
    delivery.confirm_pledge(pledge=pledge, by=vera, note="已送到")
    response = post(api_client_for(vera), f"/api/v1/pledges/{pledge.pk}/feedback", {"rating": 6})
    assert response.status_code == 400
    assert errors(response) == [{"field": "rating", "message": "Give a rating from 1 to 5."}]
    assert Feedback.objects.count() == 0


# --- A donor's own pledges and impact --------------------------------------------------------

MINE_MATRIX = [
    (None, 401),
    ("dora", 200),
    ("olga", 200),
    ("hana", 403),
    ("cleo", 403),
    ("cody", 403),
    ("victor", 403),
    ("vera", 403),
    ("wade", 403),
    ("tina", 403),
    ("tom", 403),
    ("alice", 403),
    ("carl", 403),
]


@pytest.mark.parametrize(("who", "status"), MINE_MATRIX)
def test_listing_my_pledges(request, goods, dora, who, status):
    pledge = pledged(goods, dora)
    response = client(request, who).get("/api/v1/me/pledges")
    assert response.status_code == status
    if status == 200:
        expected = [pledge.pk] if who == "dora" else []
        assert [item["id"] for item in response.json()["items"]] == expected


def test_my_pledges_show_their_need_and_the_thanks(goods, dora, vera):
    pledge = delivered(goods, dora, 2)
    delivery.confirm_pledge(pledge=pledge, by=vera, note="已送到")
    delivery.give_feedback(pledge=pledge, by=vera, rating=5, thanks="谢谢好心人")
    response = api_client_for(dora).get("/api/v1/me/pledges")
    [item] = response.json()["items"]
    assert (item["id"], item["status"], item["quantity"]) == (pledge.pk, "confirmed", 2)
    assert item["feedback"]["rating"] == 5 and item["feedback"]["thanks"] == "谢谢好心人"
    need = item["need"]
    assert (need["id"], need["title"], need["public_name"], need["township_name"]) == (
        goods.pk,
        "棉被",
        "张**",
        "柳塘镇",
    )
    assert (need["pledged"], need["confirmed"]) == (2, 2)
    assert "record" not in need and "household" not in json.dumps(item)


def test_my_returned_contribution_says_when_it_was_paid_back(
    funds, dora, vera, django_capture_on_commit_callbacks
):
    contribute(api_client_for(dora), funds, "k-1")
    with django_capture_on_commit_callbacks(execute=True):
        posting.cancel_need(need=funds, by=vera, reason="已由民政救助解决")

    [item] = api_client_for(dora).get("/api/v1/me/pledges").json()["items"]

    pledge = Pledge.objects.get()
    assert pledge.refunded_at is not None
    assert (item["status"], item["refunded_at"]) == ("returned", stamp(pledge.refunded_at))


@pytest.mark.parametrize(("who", "status"), MINE_MATRIX)
def test_reading_my_impact(request, goods, dora, vera, who, status):
    pledge = delivered(goods, dora, 2)
    delivery.confirm_pledge(pledge=pledge, by=vera, note="已送到")
    delivery.give_feedback(pledge=pledge, by=vera, rating=4)
    response = client(request, who).get("/api/v1/me/impact")
    assert response.status_code == status
    if status != 200:
        return
    if who == "olga":
        assert response.json()["pledges"] == 0
        return
    assert response.json() == {
        "pledges": 1,
        "needs_helped": 1,
        "households_helped": 1,
        "promised_fen": 0,
        "delivered_fen": 0,
        "received_fen": 300_00,
        "money_fen": 0,
        "money_held_fen": 0,
        "money_released_fen": 0,
        "value_fen": 300_00,
        "confirmed": 1,
        "thanks": 1,
        "average_rating": 4.0,
    }


def test_my_impact_counts_a_promise_as_promised_not_as_given(goods, funds, dora):
    pledges.pledge_goods(need=goods, by=dora, quantity=1)
    pledges.contribute(
        need=funds, by=dora, amount_fen=100_00, payment_reference="WX-1", idempotency_key="i"
    )
    body = api_client_for(dora).get("/api/v1/me/impact").json()
    assert (body["promised_fen"], body["delivered_fen"], body["received_fen"]) == (150_00, 0, 0)
    assert (body["money_fen"], body["money_held_fen"], body["money_released_fen"]) == (
        100_00,
        100_00,
        0,
    )
    assert (body["value_fen"], body["confirmed"]) == (250_00, 0)


def test_the_household_sees_who_helped_but_not_their_transfer_references(funds, dora, hana, alice):
    pledges.contribute(
        need=funds, by=dora, amount_fen=100_00, payment_reference="WX-778899", idempotency_key="h"
    )

    as_household = api_client_for(hana).get(f"/api/v1/needs/{funds.pk}").json()
    as_office = api_client_for(alice).get(f"/api/v1/needs/{funds.pk}").json()

    assert [(p["donor"], p["payment_reference"]) for p in as_household["record"]["pledges"]] == [
        ("Dora", "")
    ]
    assert [p["payment_reference"] for p in as_office["record"]["pledges"]] == ["WX-778899"]
