"""The programmes through the API, with its permission matrices.

Personas: Alice runs the city office, Tina township A's station (A1's), Tom township B's,
Carl the neighbouring city's office; Olga speaks for 青禾食品, A1's helper; Dora is a
caring person, Victor a viewer of township A, Vera the village admin of A1.
"""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conftest import CITY, VILLAGE_A1, VILLAGE_B1, api_client_for
from tongxing.programs import actions
from tongxing.programs.models import (
    Disbursement,
    Pairing,
    PairingPledge,
    Programme,
    ProgrammeTarget,
    Review,
)
from tongxing.programs.tests import factories as f

D = datetime.date


@pytest.fixture
def world(alice, tina, tom, carl, olga, dora, victor, vera):
    prog = f.programme()
    food = f.enterprise()
    build = f.enterprise("松林建材公司", serial=12, region=VILLAGE_B1)
    f.speak_for(olga, food)
    a1 = f.pairing(prog, VILLAGE_A1, food)
    b1 = f.pairing(prog, VILLAGE_B1, build)
    people = {u.username: u for u in (alice, tina, tom, carl, olga, dora, victor, vera)}
    return {"programme": prog, "a1": a1, "b1": b1, "food": food, "build": build, **people}


def client(world, who):
    return api_client_for(world[who] if who else None)


# --- Reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status", "pairings"),
    [
        (None, 401, None),
        ("dora", 403, None),
        ("alice", 200, 2),
        ("tina", 200, 1),
        ("tom", 200, 1),
        ("victor", 200, 1),
        ("vera", 200, 1),
        ("olga", 200, 1),  # her organisation's own
        ("carl", 200, 0),
    ],
)
def test_the_pairings_list_is_cut_to_the_caller(world, who, status, pairings):
    response = client(world, who).get("/api/v1/programmes/pairings")
    assert response.status_code == status
    if pairings is not None:
        assert response.json()["count"] == pairings


def test_an_org_rep_sees_her_pairing_but_not_the_other(world):
    seen = client(world, "olga").get("/api/v1/programmes/pairings").json()["items"]
    assert [(p["helper_name"], p["target_name"]) for p in seen] == [("青禾食品有限公司", "桃李村")]


@pytest.mark.parametrize(("who", "status"), [("alice", 200), ("tina", 200), ("carl", 404)])
def test_a_programme_outside_the_callers_region_is_404(world, who, status):
    prog = world["programme"]
    response = client(world, who).get(f"/api/v1/programmes/{prog.pk}")
    assert response.status_code == status


def test_the_coverage_names_the_targets_without_a_pairing(world):
    prog = world["programme"]
    actions.add_targets_by_tag(programme=prog, tag="key_poor_village", by=None)
    answer = client(world, "alice").get(
        f"/api/v1/programmes/{prog.pk}/coverage", {"on": "2026-04-01"}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert (body["targets"], [t["region"] for t in body["uncovered"]]) == (3, ["590101001002"])


# --- Running programmes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 401), ("dora", 403), ("olga", 403), ("victor", 403), ("tina", 403), ("alice", 201)],
)
def test_only_the_city_office_starts_a_programme(world, who, status):
    before = Programme.objects.count()
    response = client(world, who).post(
        "/api/v1/programmes",
        {"kind": "paired_county", "name": "对口帮扶远县", "starts_on": "2026-01-01"},
        content_type="application/json",
    )
    assert response.status_code == status
    assert Programme.objects.count() == before + (1 if status == 201 else 0)
    if status == 201:
        assert response.json()["region"] == CITY


def test_bad_programme_fields_are_named(world):
    response = client(world, "alice").post(
        "/api/v1/programmes",
        {
            "kind": "enterprise_village",
            "name": "\u202e",
            "starts_on": "2026-05-01",
            "ends_on": "2026-01-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"name", "ends_on"}


def test_villages_are_added_by_tag_through_the_api(world):
    prog = world["programme"]
    response = client(world, "alice").post(
        f"/api/v1/programmes/{prog.pk}/targets",
        {"tag": "relocation_village"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert [t["region"] for t in response.json()] == ["590101001002"]


def test_the_city_office_changes_a_pairing_and_keeps_its_history(world):
    a1 = world["a1"]
    response = client(world, "alice").post(
        f"/api/v1/programmes/pairings/{a1.pk}/change",
        {"on": "2026-06-01", "helper": world["build"].pk},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["replaces"] == a1.pk
    a1.refresh_from_db()
    assert a1.until == D(2026, 5, 31)


@pytest.mark.parametrize(("who", "status"), [("tina", 403), ("olga", 403), ("carl", 404)])
def test_others_may_not_end_a_pairing(world, who, status):
    a1 = world["a1"]
    response = client(world, who).post(
        f"/api/v1/programmes/pairings/{a1.pk}/end",
        {"until": "2026-06-01"},
        content_type="application/json",
    )
    assert response.status_code == status
    assert Pairing.objects.get(pk=a1.pk).until is None


# --- Money -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "pairing", "status", "review"),
    [
        (None, "a1", 401, None),
        ("dora", "a1", 403, None),
        ("victor", "a1", 403, None),
        ("vera", "a1", 403, None),
        ("olga", "a1", 201, Review.PENDING),
        ("olga", "b1", 404, None),  # another organisation's pairing
        ("tom", "a1", 404, None),  # another township's
        ("tina", "a1", 201, Review.ACCEPTED),
        ("alice", "b1", 201, Review.ACCEPTED),
    ],
)
def test_who_records_a_pledge(world, who, pairing, status, review):
    response = client(world, who).post(
        f"/api/v1/programmes/pairings/{world[pairing].pk}/pledges",
        {"amount_fen": 10_000_00, "purpose": "修村道", "pledged_on": "2026-03-10"},
        content_type="application/json",
    )
    assert response.status_code == status
    assert list(PairingPledge.objects.values_list("status", flat=True)) == (
        [review] if review else []
    )


def test_a_pledge_with_bad_fields_is_refused_field_by_field(world):
    response = client(world, "alice").post(
        f"/api/v1/programmes/pairings/{world['a1'].pk}/pledges",
        {"amount_fen": 10**13, "purpose": "x", "pledged_on": "2026-03-10"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["amount_fen"]
    response = client(world, "alice").post(
        f"/api/v1/programmes/pairings/{world['a1'].pk}/pledges",
        {"amount_fen": 100, "purpose": "电话 13800138000", "pledged_on": "2099-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"purpose", "pledged_on"}
    assert not PairingPledge.objects.exists()


def photo() -> SimpleUploadedFile:
    raw = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(raw, "PNG")
    return SimpleUploadedFile("receipt.png", raw.getvalue(), content_type="image/png")


def test_a_disbursement_with_photos_goes_through_multipart(world):
    actions.record_pledge(
        pairing=world["a1"], amount_fen=500_00, purpose="助学", pledged_on=D(2026, 3, 2), by=None
    )
    response = client(world, "olga").post(
        f"/api/v1/programmes/pairings/{world['a1'].pk}/disbursements",
        {
            "kind": "funds",
            "amount_fen": "500_00".replace("_", ""),
            "disbursed_on": "2026-04-01",
            "evidence": [photo(), photo()],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["photos"], body["status"], body["exceeds_pledge"]) == (2, "pending", False)


def test_an_excess_without_a_reason_is_a_400_on_the_amount(world):
    response = client(world, "tina").post(
        f"/api/v1/programmes/pairings/{world['a1'].pk}/disbursements",
        {"kind": "funds", "amount_fen": "100", "disbursed_on": "2026-04-01"},
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["amount_fen"]
    response = client(world, "tina").post(
        f"/api/v1/programmes/pairings/{world['a1'].pk}/disbursements",
        {
            "kind": "funds",
            "amount_fen": "100",
            "disbursed_on": "2026-04-01",
            "excess_reason": "先行垫付",
        },
    )
    assert response.status_code == 201
    assert response.json()["exceeds_pledge"] is True


@pytest.mark.parametrize(
    ("who", "status", "after"),
    [
        ("olga", 403, Review.PENDING),
        ("victor", 403, Review.PENDING),
        ("tom", 404, Review.PENDING),
        ("carl", 404, Review.PENDING),
        ("tina", 200, Review.ACCEPTED),
    ],
)
def test_the_office_of_the_targets_township_reviews(world, who, status, after):
    pledge = actions.record_pledge(
        pairing=world["a1"],
        amount_fen=700_00,
        purpose="助学",
        pledged_on=D(2026, 3, 2),
        by=world["olga"],
    )
    response = client(world, who).post(
        f"/api/v1/programmes/pledges/{pledge.pk}/review",
        {"accept": True},
        content_type="application/json",
    )
    assert response.status_code == status
    pledge.refresh_from_db()
    assert pledge.status == after


def test_an_org_rep_lists_only_her_own_disbursements(world):
    for pairing in ("a1", "b1"):
        actions.record_disbursement(
            pairing=world[pairing],
            kind="funds",
            amount_fen=100_00,
            disbursed_on=D(2026, 4, 1),
            excess_reason="垫付",
            by=None,
        )
    seen = client(world, "olga").get("/api/v1/programmes/disbursements").json()
    assert [d["pairing"] for d in seen["items"]] == [world["a1"].pk]
    assert Disbursement.objects.count() == 2
    assert ProgrammeTarget.objects.count() == 2
