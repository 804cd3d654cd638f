"""The pages of events, exemplars, stories, publicity and the policy library, with their
permission matrix: anonymous to the login page, other roles 403, other regions 404, and a
refused form back with status 400 and nothing changed."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import CITY, TOWNSHIP_A, VILLAGE_A1, VILLAGE_B1, client_for
from tongxing.events import selectors
from tongxing.events.actions import publicity
from tongxing.events.models import Event, Nomination, PolicyDocument, PublicityItem, StorySubmission
from tongxing.events.tests import factories as f
from tongxing.registry.tests.factories import id_number

EVENT_FORM = {
    "kind": "training",
    "title": "电商培训",
    "topic": "ecommerce",
    "starts_on": "2020-05-10",
    "region": TOWNSHIP_A,
    "site_region_0": VILLAGE_A1,
    "site_address_0": "村委会",
}


def test_a_township_records_an_event_on_its_phone_and_sees_it_listed(tina):
    client = client_for(tina)
    page = client.get("/events/new/")
    assert page.status_code == 200
    answer = client.post("/events/new/", EVENT_FORM)
    event = Event.objects.get()
    assert answer.status_code == 302 and answer.url == f"/events/{event.pk}/"
    listed = client.get("/events/")
    assert "电商培训" in listed.content.decode()
    assert "桃李村" in client.get(f"/events/{event.pk}/").content.decode()


def test_a_refused_event_form_comes_back_with_its_errors(tina):
    answer = client_for(tina).post("/events/new/", {**EVENT_FORM, "title": "\u0007x"})
    assert answer.status_code == 400
    assert "U+0007" in answer.content.decode()
    assert not Event.objects.exists()


@pytest.mark.parametrize("who, status", [("dora", 403), ("vera", 403), ("victor", 403)])
def test_who_may_not_open_the_event_form(request, tree, who, status):
    user = request.getfixturevalue(who)
    assert client_for(user).get("/events/new/").status_code == status
    assert client_for(user).post("/events/new/", EVENT_FORM).status_code == status
    assert not Event.objects.exists()


def test_anonymous_goes_to_the_login_page(tree):
    for path in ("/events/", "/events/exemplars/", "/events/policies/"):
        answer = client_for(None).get(path)
        assert answer.status_code == 302 and "login" in answer.url


def test_another_township_gets_404_for_an_event_and_changes_nothing(tina, tom):
    event = f.event(by=tina)
    client = client_for(tom)
    assert client.get(f"/events/{event.pk}/").status_code == 404
    answer = client.post(f"/events/{event.pk}/outcomes/", {"participants": "9"})
    assert answer.status_code == 404
    event.refresh_from_db()
    assert event.participants is None


def test_a_viewer_reads_an_event_and_is_offered_no_form(tina, victor):
    event = f.event(by=tina)
    page = client_for(victor).get(f"/events/{event.pk}/")
    assert page.status_code == 200
    assert 'data-testid="outcomes-form"' not in page.content.decode()
    answer = client_for(victor).post(f"/events/{event.pk}/outcomes/", {"participants": "9"})
    assert answer.status_code == 403


def test_the_attendance_list_by_id_numbers_every_line_or_none(tina):
    home = f.household("H-1", 1)
    f.household("H-2", 2, village=VILLAGE_B1)
    event = f.event(by=tina)
    client = client_for(tina)
    lines = f"{id_number(1)}\n{id_number(2)}\nabc"
    answer = client.post(f"/events/{event.pk}/attendance/", {"id_numbers": lines})
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "Line 2: no member of your region" in text and "Line 3: not a valid" in text
    assert id_number(2) not in text  # the number comes back masked only
    assert not event.attendances.exists()
    answer = client.post(f"/events/{event.pk}/attendance/", {"id_numbers": id_number(1)})
    assert answer.status_code == 302
    event.refresh_from_db()
    assert event.registered_attendees == 1
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert "户**" in page and home.members.get().name not in page


def test_outcomes_and_income_gains_from_the_page(tina):
    home = f.household("H-1", 1)
    event = f.event(by=tina)
    client = client_for(tina)
    client.post(f"/events/{event.pk}/attendance/", {"id_numbers": id_number(1)})
    assert client.post(f"/events/{event.pk}/outcomes/", {"participants": "30"}).status_code == 302
    answer = client.post(
        f"/events/{event.pk}/income-gains/",
        {"amount_yuan": "1200.50", "recorded_on": "2020-08-01", "registry_number": "H-1"},
    )
    assert answer.status_code == 302
    assert event.income_gains.get().amount_fen == 1200_50
    assert event.income_gains.get().household == home


def test_exemplars_from_the_pages(alice, tina):
    client_for(alice).post("/events/exemplars/defaults/", {"year": "2020"})
    category = selectors.categories_visible_to(alice).get(key="hardworking_household")
    f.household("H-1", 1)
    answer = client_for(tina).post(
        "/events/exemplars/nominate/",
        {"category": str(category.pk), "registry_number": "H-1", "reason": "勤劳"},
    )
    assert answer.status_code == 302
    nomination = Nomination.objects.get()
    refused = client_for(tina).post(
        f"/events/exemplars/{nomination.pk}/decide/", {"decision": "selected", "reason": "好"}
    )
    assert refused.status_code == 403
    answer = client_for(alice).post(
        f"/events/exemplars/{nomination.pk}/decide/", {"decision": "selected", "reason": "好"}
    )
    assert answer.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == "selected"
    assert "H-1" in client_for(tina).get("/events/exemplars/").content.decode()


def test_a_story_with_an_id_number_is_refused_on_the_page(vera, tina):
    form = {"campaign": "最美帮扶人", "title": "好人", "author": "李", "region": VILLAGE_A1}
    answer = client_for(vera).post(
        "/events/stories/new/", {**form, "text": f"身份证 {id_number(3)}"}
    )
    assert answer.status_code == 400
    assert not StorySubmission.objects.exists()
    assert client_for(vera).post("/events/stories/new/", {**form, "text": "好"}).status_code == 302
    story = StorySubmission.objects.get()
    answer = client_for(tina).post(f"/events/stories/{story.pk}/review/", {"accept": "yes"})
    assert answer.status_code == 302


def test_publicity_and_policies_from_the_pages_with_their_files(alice, tom, victor):
    client = client_for(alice)
    answer = client.post(
        "/events/publicity/new/",
        {
            "title": "报道",
            "outlet": "青禾日报",
            "outlet_level": "city",
            "published_on": "2020-06-01",
            "region": CITY,
            "file": SimpleUploadedFile("a.pdf", b"%PDF-1.4 x"),
        },
    )
    assert answer.status_code == 302
    item = PublicityItem.objects.get()
    assert client_for(tom).get(f"/events/publicity/{item.pk}/file/").status_code == 200
    answer = client_for(victor).post("/events/publicity/new/", {"title": "x"})
    assert answer.status_code == 403
    answer = client.post(
        "/events/policies/new/",
        {
            "title": "兜底",
            "category": "social_security",
            "issuing_body": "市民政局",
            "in_force_from": "2020-01-01",
            "region": CITY,
        },
    )
    assert answer.status_code == 302
    assert PolicyDocument.objects.count() == 1
    client.post("/events/policies/compendia/new/", {"year": "2020", "region": CITY})
    page = client_for(tom).get("/events/policies/").content.decode()
    assert "兜底" in page and "2020" in page


def test_a_file_of_another_city_is_404(alice, carl):
    item = publicity.record_publicity(
        title="报道",
        outlet="报",
        outlet_level="city",
        published_on=datetime.date(2020, 6, 1),
        file=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x"),
        region=f.region(CITY),
        by=alice,
    )
    assert client_for(carl).get(f"/events/publicity/{item.pk}/file/").status_code == 404


def test_the_navigation_shows_events_to_staff_and_representatives(tina, olga, dora):
    assert "/events/" in client_for(tina).get("/events/").content.decode()
    assert client_for(olga).get("/events/").status_code == 200
    assert client_for(dora).get("/events/").status_code == 403


def test_the_audit_log_names_the_event_and_links_it(tina, alice):
    event = f.event(by=tina)
    page = client_for(alice).get("/accounts/audit/").content.decode()
    assert "recorded the event" in page and f"/events/{event.pk}/" in page
