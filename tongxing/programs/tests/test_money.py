"""Pledges (意向) and disbursements (落实): the rule against silent excess, the review of
what an organisation records, the money per township and per helper, and who may do it."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conftest import TOWNSHIP_A, VILLAGE_A1, VILLAGE_B1, make_user
from tongxing.access import Role
from tongxing.programs import actions, selectors
from tongxing.programs.models import Disbursement, PairingPledge, Review
from tongxing.programs.tests import factories as f

D = datetime.date
PLEDGE_DAY = datetime.date(2026, 3, 10)


@pytest.fixture
def paired(alice):
    """百企联百村 with 青禾食品 paired with A1 and 松林建材 with B1, since 1 March 2026."""
    prog = f.programme()
    food = f.enterprise()
    build = f.enterprise("松林建材公司", serial=12, region=VILLAGE_B1)
    return {
        "programme": prog,
        "a1": f.pairing(prog, VILLAGE_A1, food),
        "b1": f.pairing(prog, VILLAGE_B1, build),
        "food": food,
        "build": build,
    }


def pledge(pairing, amount_fen, by, day=PLEDGE_DAY):
    return actions.record_pledge(
        pairing=pairing, amount_fen=amount_fen, purpose="修村道", pledged_on=day, by=by
    )


def disburse(pairing, amount_fen, by, **extra):
    values = {"kind": "funds", "disbursed_on": D(2026, 4, 1), **extra}
    return actions.record_disbursement(pairing=pairing, amount_fen=amount_fen, by=by, **values)


def test_a_disbursement_within_the_pledges_is_recorded_unflagged(paired, alice):
    pledge(paired["a1"], 50_000_00, alice)
    first = disburse(paired["a1"], 30_000_00, alice)
    second = disburse(paired["a1"], 20_000_00, alice)
    assert (first.exceeds_pledge, second.exceeds_pledge) == (False, False)
    assert first.status == Review.ACCEPTED


def test_a_disbursement_beyond_the_pledges_is_refused_without_a_reason(paired, alice):
    pledge(paired["a1"], 50_000_00, alice)
    disburse(paired["a1"], 30_000_00, alice)
    with pytest.raises(ValidationError) as exc:
        disburse(paired["a1"], 20_000_01, alice)
    assert exc.value.message_dict["amount_fen"] == [
        "This brings the pairing's disbursements to ¥50,000.01, beyond the ¥50,000.00 "
        "pledged. Give a reason to record it."
    ]
    assert Disbursement.objects.count() == 1


def test_with_a_reason_the_excess_is_recorded_and_flagged(paired, alice):
    excess = disburse(paired["a1"], 1_000_00, alice, excess_reason="追加的冬衣款")
    assert (excess.exceeds_pledge, excess.excess_reason) == (True, "追加的冬衣款")


def test_rejected_pledges_do_not_cover_a_disbursement(paired, alice, olga):
    f.speak_for(olga, paired["food"])
    mine = pledge(paired["a1"], 10_000_00, olga)
    actions.review_pledge(pledge=mine, accept=False, note="重复登记", by=alice)
    with pytest.raises(ValidationError):
        disburse(paired["a1"], 5_000_00, alice)


def test_materials_need_a_description_and_count_at_their_value(paired, alice):
    pledge(paired["a1"], 8_000_00, alice)
    with pytest.raises(ValidationError) as exc:
        disburse(paired["a1"], 3_000_00, alice, kind="materials")
    assert list(exc.value.message_dict) == ["description"]
    coats = disburse(paired["a1"], 3_000_00, alice, kind="materials", description="棉衣 60 件")
    assert (coats.kind, coats.amount_fen) == ("materials", 3_000_00)


@pytest.mark.parametrize(
    ("amount", "day", "field"),
    [
        (0, D(2026, 3, 10), "amount_fen"),
        (-5, D(2026, 3, 10), "amount_fen"),
        (100_000_000_01, D(2026, 3, 10), "amount_fen"),
        (100_00, D(2026, 2, 1), "pledged_on"),  # before the pairing
        (100_00, D(2099, 1, 1), "pledged_on"),  # in the future
    ],
)
def test_bad_pledges_are_refused_field_by_field(paired, alice, amount, day, field):
    with pytest.raises(ValidationError) as exc:
        pledge(paired["a1"], amount, alice, day=day)
    assert list(exc.value.message_dict) == [field]
    assert not PairingPledge.objects.exists()


def test_a_purpose_holding_a_phone_number_is_refused(paired, alice):
    with pytest.raises(ValidationError) as exc:
        actions.record_pledge(
            pairing=paired["a1"],
            amount_fen=100_00,
            purpose="联系 13800138000",
            pledged_on=D(2026, 3, 10),
            by=alice,
        )
    assert list(exc.value.message_dict) == ["purpose"]


def test_evidence_photos_lose_their_location(paired, alice):
    image = Image.new("RGB", (20, 10), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825).update({1: "N", 2: (27.0, 7.0, 22.8)})  # where it was taken
    raw = io.BytesIO()
    image.save(raw, "JPEG", exif=exif)
    upload = SimpleUploadedFile("receipt.jpg", raw.getvalue(), content_type="image/jpeg")
    pledge(paired["a1"], 1_000_00, alice)
    paid = disburse(paired["a1"], 1_000_00, alice, evidence=[upload])
    stored = paid.evidence.get().photo
    with Image.open(stored.open("rb")) as kept:
        assert dict(kept.getexif()) == {}


def test_an_unreadable_evidence_file_is_refused_and_nothing_is_recorded(paired, alice):
    pledge(paired["a1"], 1_000_00, alice)
    upload = SimpleUploadedFile("receipt.jpg", b"not a photo", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        disburse(paired["a1"], 1_000_00, alice, evidence=[upload])
    assert list(exc.value.message_dict) == ["evidence"]
    assert not Disbursement.objects.exists()


# --- Organisations record their own; the office reviews ------------------------------------


def test_an_organisation_records_its_own_pledge_which_waits_for_review(paired, olga, tina):
    f.speak_for(olga, paired["food"])
    mine = pledge(paired["a1"], 10_000_00, olga)
    assert mine.status == Review.PENDING
    pending_pledges = selectors.review_queue(tina).pledges
    assert list(pending_pledges) == [mine]
    actions.review_pledge(pledge=mine, accept=True, by=tina)
    mine.refresh_from_db()
    assert (mine.status, mine.reviewed_by) == (Review.ACCEPTED, tina)
    with pytest.raises(ValidationError):
        actions.review_pledge(pledge=mine, accept=True, by=tina)


def test_an_organisation_may_not_record_for_another_organisations_pairing(paired, olga):
    f.speak_for(olga, paired["food"])
    with pytest.raises(PermissionDenied):
        pledge(paired["b1"], 10_000_00, olga)
    with pytest.raises(PermissionDenied):
        disburse(paired["b1"], 10_000_00, olga, excess_reason="x")
    assert not PairingPledge.objects.exists() and not Disbursement.objects.exists()


def test_an_organisation_sees_only_its_own_pairings(paired, olga):
    f.speak_for(olga, paired["food"])
    assert list(selectors.pairings_visible_to(olga)) == [paired["a1"]]
    assert list(selectors.programmes_visible_to(olga)) == [paired["programme"]]


def test_a_rep_without_an_organisation_sees_and_records_nothing(paired, olga):
    assert not selectors.pairings_visible_to(olga).exists()
    with pytest.raises(PermissionDenied):
        pledge(paired["a1"], 10_000_00, olga)


def test_a_township_station_reviews_only_its_township(paired, olga, tom, tina):
    f.speak_for(olga, paired["food"])
    mine = pledge(paired["a1"], 10_000_00, olga)
    with pytest.raises(PermissionDenied):
        actions.review_pledge(pledge=mine, accept=True, by=tom)
    assert selectors.review_queue(tom)[0].count() == 0
    assert list(selectors.pairings_visible_to(tom)) == [paired["b1"]]
    assert list(selectors.pairings_visible_to(tina)) == [paired["a1"]]
    mine.refresh_from_db()
    assert mine.status == Review.PENDING


def test_nobody_reviews_what_they_recorded(paired, tina):
    own = pledge(paired["a1"], 10_000_00, tina)
    assert own.status == Review.ACCEPTED  # the office's own records count at once
    own.status = Review.PENDING  # as if it had come from a rep's account of hers
    own.save()
    with pytest.raises(PermissionDenied):
        actions.review_pledge(pledge=own, accept=True, by=tina)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CADRE, Role.VILLAGE_ADMIN, Role.DONOR])
def test_other_roles_record_nothing(paired, role):
    code = TOWNSHIP_A if role in (Role.VIEWER, Role.CADRE) else VILLAGE_A1
    someone = make_user("someone", role, None if role == Role.DONOR else code)
    with pytest.raises(PermissionDenied):
        pledge(paired["a1"], 10_000_00, someone)
    assert not PairingPledge.objects.exists()


def test_a_rejection_says_why(paired, olga, tina):
    f.speak_for(olga, paired["food"])
    mine = pledge(paired["a1"], 10_000_00, olga)
    with pytest.raises(ValidationError) as exc:
        actions.review_pledge(pledge=mine, accept=False, by=tina)
    assert list(exc.value.message_dict) == ["review_note"]


# --- Money per township and per helper -----------------------------------------------------


def test_money_per_township_and_per_helper_counts_accepted_records(paired, alice, olga):
    f.speak_for(olga, paired["food"])
    pledge(paired["a1"], 50_000_00, alice)
    disburse(paired["a1"], 20_000_00, alice)
    pledge(paired["b1"], 30_000_00, alice)
    disburse(paired["b1"], 30_000_00, alice)
    pledge(paired["a1"], 7_000_00, olga)  # waiting for review: not counted yet
    by_township = selectors.money_by(alice, paired["programme"], by="township")
    assert {k: (m.pledged_fen, m.disbursed_fen, m.gap_fen) for k, m in by_township.items()} == {
        "590101001": (50_000_00, 20_000_00, 30_000_00),
        "590101002": (30_000_00, 30_000_00, 0),
    }
    by_helper = selectors.money_by(alice, paired["programme"], by="helper")
    assert by_helper[paired["food"].pk].pledged_fen == 50_000_00
    assert by_helper[paired["build"].pk].disbursed_fen == 30_000_00
