"""No personal data in the text the public reads: refused when a need is posted or changed
(page and API), refused again at review, highlighted on the review card, and what was
stored before is found and masked by `tongxing scan-public-text`."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.test import Client

from conftest import VILLAGE_A1, api_client_for, client_for
from tongxing.audit.models import AuditEvent
from tongxing.needs import records
from tongxing.needs.actions import delivery, pledges, posting, review
from tongxing.needs.models import Feedback, Need, Pledge, Status
from tongxing.needs.tests import factories
from tongxing.notifications.models import Notification
from tongxing.registry import actions as registry_actions
from tongxing.registry import records as registry_records
from tongxing.registry.models import Relation

VALID_ID = "42710119800101247X"  # a right check digit
WRONG_CHECK_ID = "427101198001011234"  # the check digit should be 1
FULL_WIDTH_ID = "４２７１０１１９８００１０１１２３４"
SPACED_ID = "427101 19800101 1234"
HEAD, CHILD = "张建国", "张小明"

# (what is typed, the words the message names, their kind's label)
FINDINGS = [
    (f"身份证{VALID_ID}", VALID_ID, "ID number"),
    (f"身份证{WRONG_CHECK_ID}", WRONG_CHECK_ID, "ID number"),
    (f"身份证{FULL_WIDTH_ID}", FULL_WIDTH_ID, "ID number"),
    (f"身份证{SPACED_ID}", SPACED_ID, "ID number"),
    ("电话13812345678", "13812345678", "mobile number"),
    ("座机0731-84567890", "0731-84567890", "phone number"),
    ("卡号6222 0212 3456 7890 123", "6222 0212 3456 7890 123", "bank card number"),
    (f"户主{HEAD}", HEAD, "full name"),
    (f"孩子{CHILD}", CHILD, "full name"),
]


def message(words: str, label: str) -> str:
    return (
        f"This text will be public: remove the personal data from it ({label}“{words}”). "
        "The office keeps ID and phone numbers in the household's record."
    )


@pytest.fixture
def home(tree):
    """张建国's household in village A1, with a left-behind child, 张小明."""
    return factories.household(head=HEAD, child=CHILD)


def api_errors(response) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in response.json()["errors"]:
        errors.setdefault(error["field"], []).append(error["message"])
    return errors


# --- Posting -------------------------------------------------------------------------------


def need_body(home, field: str, text: str) -> dict:
    kind = "service" if field == "place" else "goods"
    body = {
        "kind": kind,
        "category": "job" if kind == "service" else "clothing",
        "title": "棉被",
        "story": "冬天快到了，家里缺棉被。",
        "deadline": str(factories.in_days(30)),
        "household_id": home.pk,
        "quantity": 1 if kind == "service" else 3,
        "unit": "" if kind == "service" else "床",
        "unit_value_fen": 0 if kind == "service" else 150_00,
        "place": "柳塘镇",
    }
    body[field] = text
    return body


@pytest.mark.parametrize("field", ["title", "story", "place"])
@pytest.mark.parametrize(("text", "words", "label"), FINDINGS)
def test_posting_through_the_api_refuses_personal_data(home, vera, field, text, words, label):
    response = api_client_for(vera).post(
        "/api/v1/needs", need_body(home, field, text), content_type="application/json"
    )
    assert response.status_code == 400
    assert api_errors(response) == {field: [message(words, label)]}
    assert Need.objects.count() == 0


def test_a_unit_naming_a_member_is_refused(home, vera):
    response = api_client_for(vera).post(
        "/api/v1/needs", need_body(home, "unit", HEAD), content_type="application/json"
    )
    assert api_errors(response) == {"unit": [message(HEAD, "full name")]}
    assert Need.objects.count() == 0


def need_form(field: str, text: str) -> dict:
    form = {
        "kind": "goods",
        "title": "棉被",
        "story": "冬天快到了，家里缺棉被。",
        "urgency": "2",
        "deadline": factories.in_days(20).isoformat(),
        "goods_category": "clothing",
        "quantity": "3",
        "unit": "床",
        "unit_value_yuan": "150",
        "then": "submit",
    }
    if field == "place":
        form.update(kind="service", service_category="job", places="1")
    form[field] = text
    return form


@pytest.mark.parametrize("field", ["title", "story", "place"])
@pytest.mark.parametrize(("text", "words", "label"), FINDINGS)
def test_posting_from_the_page_refuses_personal_data(home, vera, field, text, words, label):
    response = client_for(vera).post(f"/needs/new/?household={home.pk}", need_form(field, text))
    assert response.status_code == 400
    assert response.context["form"].errors == {field: [message(words, label)]}
    assert Need.objects.count() == 0


def test_several_findings_are_named_together(home, vera):
    story = f"户主{HEAD}，身份证{WRONG_CHECK_ID}，电话13812345678"
    response = api_client_for(vera).post(
        "/api/v1/needs", need_body(home, "story", story), content_type="application/json"
    )
    assert api_errors(response) == {
        "story": [
            "This text will be public: remove the personal data from it (full name“张建国”、"
            "ID number“427101198001011234”、mobile number“13812345678”). The office keeps "
            "ID and phone numbers in the household's record."
        ]
    }


def test_a_wish_may_not_name_the_child(home, vera):
    data = factories.wish_data(home, story=f"{CHILD}想要一个新书包")
    with pytest.raises(Exception) as refused:
        posting.create_need(data=data, by=vera)
    assert refused.value.message_dict == {"story": [message(CHILD, "full name")]}
    assert Need.objects.count() == 0


def test_a_collective_need_names_nobody_and_other_text_is_fine(tree, vera):
    village = factories.village(VILLAGE_A1)
    data = factories.goods_data(
        None, village=village, story="村里 3 户需要棉被，每床 150 元，2024-11-01 前送到。"
    )
    need = posting.create_need(data=data, by=vera)
    assert need.story == "村里 3 户需要棉被，每床 150 元，2024-11-01 前送到。"


def test_changing_a_draft_refuses_personal_data(home, vera):
    draft = posting.create_need(data=factories.goods_data(home), by=vera)
    response = client_for(vera).post(
        f"/needs/{draft.pk}/edit/", need_form("story", "电话13812345678")
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"story": [message("13812345678", "mobile number")]}
    draft.refresh_from_db()
    assert draft.story == "冬天快到了，家里缺棉被。"


# --- Review --------------------------------------------------------------------------------


@pytest.fixture
def submitted(home, vera):
    return posting.create_need(
        data=factories.goods_data(home, story="家里缺棉被，朱阳冬天很冷。"), by=vera, submit=True
    )


def test_a_member_added_after_submission_is_found_at_review(submitted, home, tina):
    registry_actions.add_member(
        household=home,
        data=registry_records.MemberData(name="朱阳", relation=Relation.SPOUSE),
        by=None,
    )
    response = client_for(tina).post(
        f"/needs/{submitted.pk}/review/",
        {"decision": "approve", "confirmed": "yes", "from": "manage"},
    )
    assert response.status_code == 400
    assert response.context["forms"]["approve"].non_field_errors() == [
        message("朱阳", "full name"),
        "This need cannot be published while its public text holds personal data: reject it "
        "with a reason, or have it changed first.",
    ]
    submitted.refresh_from_db()
    assert (submitted.status, submitted.published_at) == (Status.SUBMITTED, None)
    assert not AuditEvent.objects.filter(action="need.published").exists()
    # The reviewer rejects it with a reason instead.
    review.review_need(need=submitted, by=tina, approve=False, reason="请删去姓名")
    submitted.refresh_from_db()
    assert submitted.status == Status.REJECTED


def test_text_stored_without_the_check_is_refused_at_review_through_the_api(submitted, tina):
    Need.objects.filter(pk=submitted.pk).update(title=f"棉被 {VALID_ID}")
    response = api_client_for(tina).post(
        f"/api/v1/needs/{submitted.pk}/review",
        {"decision": "approve", "override_reason": "急需"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert api_errors(response)["title"] == [message(VALID_ID, "ID number")]
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_a_recorded_history_with_personal_data_is_refused(home, tina, vera, alice):
    posted = factories.in_days(-20)
    history = records.NeedHistory(
        data=factories.goods_data(home, story="电话13812345678", deadline=factories.in_days(-5)),
        poster=vera,
        posted_at=_moment(posted),
        outcome=Status.REJECTED,
        reviewer=tina,
        reviewed_at=_moment(posted + datetime.timedelta(days=1)),
        reason="不符合条件",
    )
    with pytest.raises(Exception) as refused:
        records.record_needs(histories=[history], by=None)
    assert refused.value.message_dict == {"1.story": [message("13812345678", "mobile number")]}
    assert Need.objects.count() == 0


def _moment(day: datetime.date) -> datetime.datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def test_the_review_card_highlights_what_the_check_finds(submitted, tina):
    Need.objects.filter(pk=submitted.pk).update(
        story=f"<b>户主</b>朱阳，身份证{WRONG_CHECK_ID}\n电话138 1234 5678"
    )
    registry_actions.add_member(
        household=submitted.household,
        data=registry_records.MemberData(name="朱阳", relation=Relation.SPOUSE),
        by=None,
    )
    html = client_for(tina).get("/needs/review/").content.decode()
    assert (
        '<p class="story">&lt;b&gt;户主&lt;/b&gt;'
        '<mark class="personal-data" data-kind="name" title="full name">朱阳</mark>，身份证'
        '<mark class="personal-data" data-kind="id_number" title="ID number">'
        "427101198001011234</mark><br>电话"
        '<mark class="personal-data" data-kind="mobile" title="mobile number">'
        "138 1234 5678</mark></p>"
    ) in html
    assert 'data-testid="personal-data"' in html
    assert "Story: ID number 427101********1234" in html
    assert 'data-testid="approve-form"' not in html  # only the rejection is offered


def test_the_review_queue_of_the_api_lists_the_findings(submitted, tina):
    Need.objects.filter(pk=submitted.pk).update(title=f"棉被 {VALID_ID}")
    response = api_client_for(tina).get("/api/v1/needs/review-queue")
    item = response.json()["items"][0]
    assert item["personal_data"] == [
        {
            "field": "title",
            "kind": "id_number",
            "label": "ID number",
            "start": 3,
            "end": 21,
            "masked": "427101********247X",
        }
    ]


def test_a_clean_need_shows_no_findings_and_can_be_approved(home, vera, tina):
    need = posting.create_need(data=factories.goods_data(home), by=vera, submit=True)
    html = client_for(tina).get("/needs/review/").content.decode()
    assert 'data-testid="personal-data"' not in html and "<mark" not in html
    response = api_client_for(tina).get("/api/v1/needs/review-queue")
    assert response.json()["items"][0]["personal_data"] == []
    review.review_need(need=need, by=tina, approve=True)
    need.refresh_from_db()
    assert need.status == Status.PUBLISHED


# --- What donors read ----------------------------------------------------------------------


@pytest.fixture
def quilts(home, tina):
    return factories.published(factories.goods_data(home), reviewer=tina)


def test_a_pledge_note_with_a_phone_number_is_refused(quilts, dora):
    response = api_client_for(dora).post(
        f"/api/v1/needs/{quilts.pk}/pledges",
        {"quantity": 1, "note": "联系我13812345678"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert api_errors(response) == {"note": [message("13812345678", "mobile number")]}
    assert Pledge.objects.count() == 0


def test_a_delivery_note_naming_the_head_is_refused(quilts, dora):
    pledge = pledges.pledge_goods(need=quilts, by=dora, quantity=1).pledge
    response = client_for(dora).post(
        f"/needs/pledges/{pledge.pk}/deliver/", {"note": f"已交给{HEAD}本人"}
    )
    assert response.status_code == 400
    pledge.refresh_from_db()
    assert (pledge.status, pledge.note) == ("pledged", "")


def test_thanks_with_a_phone_number_are_refused(quilts, dora, vera):
    pledge = pledges.pledge_goods(need=quilts, by=dora, quantity=3).pledge
    delivery.confirm_pledge(pledge=pledge, by=vera, note="已收到")
    response = api_client_for(vera).post(
        f"/api/v1/pledges/{pledge.pk}/feedback",
        {"rating": 5, "thanks": "谢谢！有事打0731-84567890"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert api_errors(response) == {"thanks": [message("0731-84567890", "phone number")]}
    assert Feedback.objects.count() == 0


def test_a_cancellation_reason_donors_read_may_not_name_a_member(quilts, dora, vera):
    pledges.pledge_goods(need=quilts, by=dora, quantity=1)
    response = api_client_for(vera).post(
        f"/api/v1/needs/{quilts.pk}/cancel",
        {"reason": f"{HEAD}已搬走"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert api_errors(response) == {"reason": [message(HEAD, "full name")]}
    quilts.refresh_from_db()
    assert quilts.status == Status.PUBLISHED


# --- The scan of what was stored before ---------------------------------------------------


@pytest.fixture
def leaked(quilts, dora, vera):
    """A need published before the check, with a leaked ID and phone in its story, a note
    naming the head and thanks with a phone number: stored as they were then."""
    pledge = pledges.pledge_goods(need=quilts, by=dora, quantity=3).pledge
    delivery.confirm_pledge(pledge=pledge, by=vera, note="已收到")
    delivery.give_feedback(pledge=pledge, by=vera, rating=5, thanks="谢谢")
    story = f"户主{HEAD}，身份证{WRONG_CHECK_ID}，电话13812345678"
    Need.objects.filter(pk=quilts.pk).update(story=story)
    Pledge.objects.filter(pk=pledge.pk).update(note=f"交给{HEAD}")
    Feedback.objects.filter(pledge=pledge).update(thanks="谢谢！电话13912345678")
    # The donor's notification quoted the thanks as they were.
    Notification.objects.filter(kind="pledge_thanked").update(
        params={"title": "棉被", "thanks": "谢谢！电话13912345678", "rating": 5}
    )
    # The log's copy of the story, as an event written before the log masked numbers.
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                action="need.changed",
                object_type="needs.need",
                object_id=str(quilts.pk),
                region_code=VILLAGE_A1,
                after={"story": story, "title": "棉被"},
            )
        ]
    )
    return quilts


FULL_NUMBERS = (WRONG_CHECK_ID, "13812345678", "13912345678")


def scan(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("scan_public_text", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_scan_lists_what_it_finds_masked(leaked):
    pledge = leaked.pledges.get()
    out, err = scan()
    feedback = Feedback.objects.get()
    assert out.splitlines() == [
        f"need {leaked.pk}\tstory\tfull name\t张**",
        f"need {leaked.pk}\tstory\tID number\t427101********1234",
        f"need {leaked.pk}\tstory\tmobile number\t138****5678",
        f"need {leaked.pk}\tpledge {pledge.pk} note\tfull name\t张**",
        f"need {leaked.pk}\tthanks {feedback.pk}\tmobile number\t139****5678",
        "Found 5 pieces of personal data in 1 needs.",
    ]
    assert err == "Scanned 1 of 1 needs…\n"
    assert not [number for number in FULL_NUMBERS if number in out + err]
    leaked.refresh_from_db()
    assert WRONG_CHECK_ID in leaked.story  # without --fix, nothing changes


def test_the_scan_fix_masks_the_text_and_its_copies_in_the_log(leaked):
    out, _err = scan("--fix")
    assert out.splitlines()[-1] == "Masked them in 1 needs."
    assert not [number for number in FULL_NUMBERS if number in out]
    leaked.refresh_from_db()
    assert leaked.story == "户主张**，身份证427101********1234，电话138****5678"
    assert Pledge.objects.get().note == "交给张**"
    assert Feedback.objects.get().thanks == "谢谢！电话139****5678"
    # The public page and the API show no full number any more.
    page = Client().get(f"/needs/{leaked.pk}/").content.decode()
    api = Client().get(f"/api/v1/needs/{leaked.pk}").content.decode()
    assert not [number for number in (*FULL_NUMBERS, HEAD) if number in page + api]
    # Nor does the log: the old event is redacted, and the redaction is itself recorded.
    events = AuditEvent.objects.filter(object_type="needs.need", object_id=str(leaked.pk))
    assert not [
        event.pk
        for event in events
        if any(n in str(event.before) + str(event.after) for n in (*FULL_NUMBERS, HEAD))
    ]
    old = events.get(action="need.changed")
    assert old.after == {"story": leaked.story, "title": "棉被"}
    redacted = AuditEvent.objects.get(action="audit.redacted")
    assert (redacted.region_code, redacted.after) == (VILLAGE_A1, {"events": [old.pk]})
    masked = events.get(action="need.masked")
    # The donor's notification quotes the masked thanks now.
    thanked = Notification.objects.get(kind="pledge_thanked")
    assert thanked.params == {"title": "棉被", "thanks": "谢谢！电话139****5678", "rating": 5}
    assert masked.after == {
        "masked": [
            "story",
            f"pledge {Pledge.objects.get().pk} note",
            f"pledge {Pledge.objects.get().pk} thanks",
        ],
        "events": [old.pk],
        "notifications": 1,
    }
    # A second run finds nothing and changes nothing.
    again, _err = scan("--fix")
    assert again.splitlines() == [
        "Found 0 pieces of personal data in 0 needs.",
        "Masked them in 0 needs.",
    ]
    assert AuditEvent.objects.filter(action="audit.redacted").count() == 1


def test_the_question_before_publishing_shows_the_findings_and_offers_no_yes(submitted, tina):
    Need.objects.filter(pk=submitted.pk).update(story="电话13812345678")
    response = client_for(tina).post(f"/needs/{submitted.pk}/review/", {"decision": "approve"})
    html = response.content.decode()
    assert 'data-testid="confirm-publish"' in html
    assert (
        '<mark class="personal-data" data-kind="mobile" title="mobile number">13812345678</mark>'
    ) in html
    assert 'data-testid="personal-data"' in html
    assert 'data-testid="confirm-publish-button"' not in html
    # Sent all the same, the publication is refused and nothing changes.
    refused = client_for(tina).post(
        f"/needs/{submitted.pk}/review/", {"decision": "approve", "confirmed": "yes"}
    )
    assert refused.status_code == 400
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_approving_several_names_the_need_with_personal_data_and_publishes_none(
    submitted, home, vera, tina
):
    other = posting.create_need(
        data=factories.goods_data(home, title="棉衣", category="daily"), by=vera, submit=True
    )
    Need.objects.filter(pk=submitted.pk).update(title=f"棉被 {VALID_ID}")
    response = client_for(tina).post(
        "/needs/review/approve/",
        {"need": [submitted.pk, other.pk], "decision": "approve", "confirmed": "yes"},
    )
    assert response.status_code == 400
    assert f"“棉被 {VALID_ID}”: {message(VALID_ID, 'ID number')}" in [
        str(m) for m in response.context["messages"]
    ]
    assert list(Need.objects.values_list("status", flat=True).order_by("pk")) == [
        Status.SUBMITTED,
        Status.SUBMITTED,
    ]


def test_the_audit_log_reads_the_masking_as_sentences_without_the_numbers(leaked, alice):
    scan("--fix")
    html = client_for(alice).get("/accounts/audit/").content.decode()
    assert "The system masked the personal data left in earlier audit events." in html
    assert (
        "The system masked the personal data left in the text of the need "
        f'<a href="/needs/{leaked.pk}/manage/">“棉被” (#{leaked.pk})</a>.'
    ) in html
    # (The head's name stays in the registry's own events: the office's record of him.)
    assert not [number for number in FULL_NUMBERS if number in html]
