"""The programme pages, with their permission matrices: the list, a programme's page with
its coverage and money (gaps marked), the city office's pairing editor, recording pledges
and disbursements (an organisation for itself), the office's review, the Excel export."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from PIL import Image

from conftest import VILLAGE_A1, VILLAGE_B1, client_for
from tongxing.programs import actions
from tongxing.programs.models import Disbursement, Pairing, PairingPledge, ProgrammeTarget, Review
from tongxing.programs.tests import factories as f

D = datetime.date


@pytest.fixture
def world(alice, tina, tom, carl, olga, dora, victor):
    prog = f.programme()
    actions.add_targets_by_tag(programme=prog, tag="key_poor_village", by=None)
    food = f.enterprise()
    build = f.enterprise("松林建材公司", serial=12, region=VILLAGE_B1)
    f.speak_for(olga, food)
    a1 = f.pairing(prog, VILLAGE_A1, food)
    b1 = f.pairing(prog, VILLAGE_B1, build)
    actions.record_pledge(
        pairing=a1, amount_fen=50_000_00, purpose="修村道", pledged_on=D(2026, 3, 10), by=None
    )
    actions.record_disbursement(
        pairing=a1, kind="funds", amount_fen=20_000_00, disbursed_on=D(2026, 4, 1), by=None
    )
    people = {u.username: u for u in (alice, tina, tom, carl, olga, dora, victor)}
    return {"programme": prog, "a1": a1, "b1": b1, "food": food, "build": build, **people}


def page(world, who, url, data=None, **extra):
    client = client_for(world[who] if who else None)
    return client.post(url, data, **extra) if data is not None else client.get(url)


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 302), ("dora", 403), ("alice", 200), ("tina", 200), ("olga", 200), ("victor", 200)],
)
def test_the_list_opens_to_staff_and_organisations(world, who, status):
    assert page(world, who, "/programmes/").status_code == status


@pytest.mark.parametrize(
    ("who", "status"), [("alice", 200), ("tina", 200), ("tom", 200), ("olga", 200), ("carl", 404)]
)
def test_a_programme_page_outside_the_callers_scope_is_404(world, who, status):
    assert page(world, who, f"/programmes/{world['programme'].pk}/").status_code == status


def test_the_programme_page_shows_coverage_money_and_the_gaps(world):
    response = page(world, "alice", f"/programmes/{world['programme'].pk}/")
    html = response.content.decode()
    assert "2 / 3" in html  # A1 and B1 have a helper today, A2 has none
    assert '<span class="tag">no helper</span>' in html
    assert '<span class="tag">¥30,000.00</span>' in html  # A's gap: 50,000 − 20,000
    assert "Pairing editor" in html


def test_a_township_station_sees_its_own_targets_and_no_editor(world):
    html = page(world, "tom", f"/programmes/{world['programme'].pk}/").content.decode()
    assert "梅竹村" in html and "桃李村" not in html
    assert "Pairing editor" not in html


def test_the_city_office_pairs_through_the_editor(world):
    prog = world["programme"]
    a2 = ProgrammeTarget.objects.get(region_id="590101001002")
    response = page(
        world,
        "alice",
        f"/programmes/{prog.pk}/pair/",
        {"target": a2.pk, "helper": world["build"].pk, "since": "2026-05-01"},
    )
    assert response.status_code == 302
    assert Pairing.objects.filter(target=a2, helper=world["build"]).exists()


def test_a_refused_pairing_shows_the_error_on_its_field(world):
    prog = world["programme"]
    response = page(
        world,
        "alice",
        f"/programmes/{prog.pk}/pair/",
        {"target": world["a1"].target_id, "helper": world["food"].pk, "since": "2026-05-01"},
    )
    assert response.status_code == 400
    assert "already paired with the target" in response.content.decode()
    assert Pairing.objects.count() == 2


@pytest.mark.parametrize(("who", "status"), [("tina", 403), ("olga", 403), ("carl", 404)])
def test_only_the_city_office_ends_a_pairing(world, who, status):
    prog = world["programme"]
    url = f"/programmes/{prog.pk}/end/"
    response = page(world, who, url, {"pairing": world["a1"].pk, "until": "2026-06-30"})
    assert response.status_code == status
    assert Pairing.objects.get(pk=world["a1"].pk).until is None


def test_the_city_office_changes_a_helper_and_the_old_pairing_stays(world):
    prog = world["programme"]
    response = page(
        world,
        "alice",
        f"/programmes/{prog.pk}/change/",
        {"pairing": world["a1"].pk, "on": "2026-07-01", "helper": world["build"].pk},
    )
    assert response.status_code == 302
    assert list(
        Pairing.objects.filter(target=world["a1"].target).values_list("helper__name", "until")
    ) == [("青禾食品有限公司", D(2026, 6, 30)), ("松林建材公司", None)]


def test_villages_are_added_by_tag_on_the_page(world):
    prog = world["programme"]
    response = page(
        world, "alice", f"/programmes/{prog.pk}/targets/", {"tag": "provincial_key_village"}
    )
    assert response.status_code == 302
    assert prog.targets.count() == 3  # B1 was one already


def test_an_organisation_records_its_own_pledge_for_review(world):
    response = page(
        world,
        "olga",
        "/programmes/record/pledge/",
        {
            "pairing": world["a1"].pk,
            "amount": "1200.50",
            "purpose": "助学",
            "pledged_on": "2026-05-01",
        },
    )
    assert response.status_code == 302
    pledge = PairingPledge.objects.latest("pk")
    assert (pledge.amount_fen, pledge.status, pledge.recorded_by) == (
        1_200_50,
        Review.PENDING,
        world["olga"],
    )


def test_an_organisation_cannot_pick_another_organisations_pairing(world):
    before = PairingPledge.objects.count()
    response = page(
        world,
        "olga",
        "/programmes/record/pledge/",
        {"pairing": world["b1"].pk, "amount": "100", "purpose": "助学", "pledged_on": "2026-05-01"},
    )
    assert response.status_code == 400  # not among her choices
    assert PairingPledge.objects.count() == before


def test_an_excess_on_the_page_asks_for_a_reason(world):
    response = page(
        world,
        "tina",
        "/programmes/record/disbursement/",
        {
            "pairing": world["a1"].pk,
            "kind": "funds",
            "amount": "40000",
            "disbursed_on": "2026-05-01",
        },
    )
    assert response.status_code == 400
    assert "beyond the ¥50,000.00 pledged" in response.content.decode()
    assert Disbursement.objects.count() == 1


@pytest.mark.parametrize(("who", "status"), [("dora", 403), ("victor", 403), ("alice", 200)])
def test_who_opens_the_recording_page(world, who, status):
    assert page(world, who, "/programmes/record/").status_code == status


def test_the_township_reviews_an_organisations_pledge(world):
    pledge = actions.record_pledge(
        pairing=world["a1"],
        amount_fen=100_00,
        purpose="助学",
        pledged_on=D(2026, 5, 1),
        by=world["olga"],
    )
    assert "助学" in page(world, "tina", "/programmes/review/").content.decode()
    assert "助学" not in page(world, "tom", "/programmes/review/").content.decode()
    assert (
        page(world, "tom", f"/programmes/review/pledges/{pledge.pk}/", {"accept": "1"}).status_code
        == 404
    )
    assert (
        page(world, "olga", f"/programmes/review/pledges/{pledge.pk}/", {"accept": "1"}).status_code
        == 403
    )
    response = page(world, "tina", f"/programmes/review/pledges/{pledge.pk}/", {"accept": "1"})
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == Review.ACCEPTED


def test_the_export_holds_the_targets_and_the_money(world):
    response = page(world, "alice", f"/programmes/{world['programme'].pk}/export/")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    targets = [row for row in book.worksheets[0].iter_rows(values_only=True)]
    assert targets[2:] == [
        ("桃李村", "590101001001", "青禾食品有限公司"),
        ("杏花村", "590101001002", "none"),
        ("梅竹村", "590101002001", "松林建材公司"),
    ]
    townships = list(book.worksheets[1].iter_rows(values_only=True))
    assert townships[1] == ("柳塘镇", 50000, 20000, 30000)


def test_an_evidence_photo_is_shown_to_the_region_and_the_helper_only(world):
    raw = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(raw, "PNG")
    upload = SimpleUploadedFile("receipt.png", raw.getvalue(), content_type="image/png")
    paid = actions.record_disbursement(
        pairing=world["a1"],
        kind="funds",
        amount_fen=100_00,
        disbursed_on=D(2026, 5, 1),
        evidence=[upload],
        by=None,
    )
    photo = paid.evidence.get()
    url = f"/programmes/evidence/{photo.pk}/"
    for who, status in (("tina", 200), ("olga", 200), ("alice", 200), ("tom", 404), ("carl", 404)):
        response = page(world, who, url)
        assert response.status_code == status, who
        if status == 200:
            assert response["Content-Type"] == "image/png"
            assert "private" in response["Cache-Control"]
    assert page(world, "olga", "/programmes/record/").content.decode().count(url) == 1


def test_the_audit_log_tells_the_programmes_events_in_words(world):
    actions.end_pairing(pairing=world["b1"], until=D(2026, 9, 30), by=world["alice"])
    html = page(world, "alice", "/accounts/audit/").content.decode()
    prog, b1 = world["programme"], world["b1"]
    assert (
        f'Alice ended the pairing <a href="/programmes/{prog.pk}/">松林建材公司 → 梅竹村 '
        f"(#{b1.pk})</a>." in html
    )
    assert ">pairing.ended<" not in html  # the code is a filter's value, never the text


def test_htmx_reviews_in_place_and_a_rejection_without_reason_says_so(world):
    pledge = actions.record_pledge(
        pairing=world["a1"],
        amount_fen=100_00,
        purpose="助学",
        pledged_on=D(2026, 5, 1),
        by=world["olga"],
    )
    client = client_for(world["tina"])
    url = f"/programmes/review/pledges/{pledge.pk}/"
    refused = client.post(url, {"accept": "0"}, headers={"HX-Request": "true"})
    assert refused.status_code == 400
    assert "Say why it is rejected." in refused.content.decode()
    done = client.post(url, {"accept": "0", "note": "重复"}, headers={"HX-Request": "true"})
    assert done.status_code == 200
    html = done.content.decode()
    assert html.startswith('<li class="review-item">') and "rejected" in html
    pledge.refresh_from_db()
    assert (pledge.status, pledge.review_note) == (Review.REJECTED, "重复")


def test_the_coverage_is_shown_on_the_day_asked_for(world):
    url = f"/programmes/{world['programme'].pk}/"
    before = page(world, "alice", url + "?on=2026-02-01").content.decode()
    assert "0 / 3" in before  # no pairing had started yet
    bad = page(world, "alice", url + "?on=not-a-day")
    assert bad.status_code == 200  # a bad filter is ignored: today


@pytest.fixture
def schools(world):
    from tongxing.registry.tests.factories import organisation

    prog = f.programme(kind="school_pairing", name="教育结对")
    village_school = organisation(name="桃李小学", kind="school", serial=31)
    city_school = organisation(name="青禾一中", kind="school", serial=32)
    target = actions.add_target(programme=prog, organisation=village_school, by=None)
    pairing = actions.pair(target=target, helper=city_school, since=D(2026, 3, 1), by=None)
    return {"programme": prog, "pairing": pairing}


# Olga speaks for a food company, no school: the school programme is not hers to see.
@pytest.mark.parametrize(("who", "status", "recorded"), [("tina", 302, 1), ("olga", 404, 0)])
def test_the_township_records_a_teachers_exchange_on_the_page(
    world, schools, who, status, recorded
):
    prog, pairing = schools["programme"], schools["pairing"]
    data = {
        "pairing": pairing.pk,
        "people": "4",
        "exchanged_on": "2026-04-15",
        "direction": "to_target",
        "note": "骨干教师",
    }
    response = page(world, who, f"/programmes/{prog.pk}/exchanges/", data)
    assert response.status_code == status
    assert pairing.exchanges.count() == recorded
    if recorded:
        html = page(world, "tina", f"/programmes/{prog.pk}/").content.decode()
        assert "4 people" in html


def test_the_city_office_renames_a_programme_and_dates_are_checked(world):
    prog = world["programme"]
    url = f"/programmes/{prog.pk}/edit/"
    bad = page(world, "alice", url, {"name": "百企联百村", "starts_on": "2026-04-01"})
    assert bad.status_code == 400  # pairings start on 1 March
    assert "A pairing of the programme starts before this date." in bad.content.decode()
    good = page(world, "alice", url, {"name": "百企联百村（二期）", "starts_on": "2026-03-01"})
    assert good.status_code == 302
    prog.refresh_from_db()
    assert prog.name == "百企联百村（二期）"
    assert page(world, "tina", url, {"name": "x", "starts_on": "2026-03-01"}).status_code == 403
