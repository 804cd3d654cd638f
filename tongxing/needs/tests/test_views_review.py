"""The reviewers' pages: the review queue, the escalated needs, and the review rules."""

import re

import pytest
from django.core.exceptions import ValidationError

from conftest import CITY, OTHER_CITY, VILLAGE_B1, client_for
from tongxing.access import scope_prefix
from tongxing.audit.models import AuditEvent
from tongxing.needs.actions import deadlines, posting, review, rules
from tongxing.needs.models import BannedTerm, Need, Status, ValueCap
from tongxing.needs.tests import factories
from tongxing.regions.models import Region


def persona(request, name):
    return request.getfixturevalue(name) if name else None


def login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith("/accounts/login/")


@pytest.fixture
def home(tree):
    return factories.household()


@pytest.fixture
def submitted(home, vera):
    """Quilts for a household of A1, waiting for township A's review."""
    return posting.create_need(data=factories.goods_data(home), by=vera, submit=True)


@pytest.fixture
def capped(alice):
    """The city caps clothing at ¥100: the quilts (¥450) break the rule."""
    return rules.set_value_cap(
        region=Region.objects.get(code=CITY), category="clothing", cap_fen=100_00, by=alice
    )


# --- The queue ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status", "listed"),
    [
        (None, 302, None),
        ("dora", 403, None),
        ("olga", 403, None),
        ("vera", 403, None),
        ("cody", 403, None),
        ("victor", 403, None),
        ("tina", 200, ["棉被"]),
        ("tom", 200, []),
        ("alice", 200, ["棉被"]),
        ("carl", 200, []),
    ],
)
def test_the_review_queue_is_for_reviewers_of_the_region(request, submitted, who, status, listed):
    response = client_for(persona(request, who)).get("/needs/review/")
    assert response.status_code == status
    if who is None:
        assert login_redirect(response)
    if listed is not None:
        assert [need.title for need in response.context["needs"]] == listed


def test_the_queue_lists_the_oldest_first_and_highlights_findings(home, vera, tina, capped):
    first = posting.create_need(data=factories.goods_data(home), by=vera, submit=True)
    second = posting.create_need(
        data=factories.goods_data(home, title="大米", category="food"), by=vera, submit=True
    )
    response = client_for(tina).get("/needs/review/")
    assert [need.pk for need in response.context["needs"]] == [first.pk, second.pk]
    html = response.content.decode()
    assert html.count('class="review-item flagged"') == 1
    assert "The estimated value ¥450 is above the cap of ¥100." in html
    assert 'data-rule="value_cap"' in html


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("dora", 403),
        ("olga", 403),
        ("vera", 403),
        ("cody", 403),
        ("victor", 403),
        ("tom", 404),
        ("carl", 404),
        ("tina", 302),
        ("alice", 302),
    ],
)
def test_approving_publishes_the_need(request, submitted, who, status):
    response = client_for(persona(request, who)).post(
        f"/needs/{submitted.pk}/review/", {"decision": "approve", "confirmed": "yes"}
    )
    assert response.status_code == status
    submitted.refresh_from_db()
    if status == 302 and who:
        assert response.url == "/needs/review/"
        assert (submitted.status, submitted.reviewed_by) == (
            Status.PUBLISHED,
            persona(request, who),
        )
    else:
        assert (submitted.status, submitted.reviewed_by) == (Status.SUBMITTED, None)


@pytest.fixture
def own(home, tina):
    """Quilts that township A's reviewer posted herself."""
    return posting.create_need(data=factories.goods_data(home), by=tina, submit=True)


def test_a_reviewer_does_not_approve_what_she_posted(own, tina, alice):
    with pytest.raises(ValidationError, match="You posted this need"):
        review.review_need(need=own, by=tina, approve=True)
    client = client_for(tina)
    response = client.post(f"/needs/{own.pk}/review/", {"decision": "approve", "confirmed": "yes"})
    assert response.status_code == 400
    assert "You posted this need" in response.content.decode()
    answer = client.post(
        f"/api/v1/needs/{own.pk}/review", {"decision": "approve"}, content_type="application/json"
    )
    assert answer.status_code == 400 and "You posted this need" in str(answer.json())
    own.refresh_from_db()
    assert (own.status, own.reviewed_by) == (Status.SUBMITTED, None)
    # Not in her queue, and her page of the need says who reviews it instead.
    assert client.get("/needs/review/").context["needs"] == []
    page = client.get(f"/needs/{own.pk}/manage/").content.decode()
    assert 'data-testid="reviewed-by-another"' in page and 'value="approve"' not in page
    # The city office reviews it (and hears of it: she is the township's only reviewer).
    assert review.reviewers_of(own) == [alice]
    review.review_need(need=own, by=alice, approve=True)
    own.refresh_from_db()
    assert (own.status, own.reviewed_by) == (Status.PUBLISHED, alice)


def test_a_reviewer_does_not_reject_what_she_posted_either(own, tina):
    with pytest.raises(ValidationError, match="You posted this need"):
        review.review_need(need=own, by=tina, approve=False, reason="重复")


def test_a_flagged_need_needs_the_reviewers_reason(submitted, capped, tina):
    # The rules run again at review: the cap set after submission flags the need now.
    refused = client_for(tina).post(
        f"/needs/{submitted.pk}/review/", {"decision": "approve", "confirmed": "yes"}
    )
    assert refused.status_code == 400
    item = refused.context["needs"][0]
    assert item.approve_form.errors == {
        "override_reason": [
            "The review rules flag this need: give your reason to publish it.",
            "The estimated value ¥450 is above the cap of ¥100.",
        ]
    }
    assert 'name="override_reason"' in refused.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    client_for(tina).post(
        f"/needs/{submitted.pk}/review/",
        {"decision": "approve", "override_reason": "冬季特殊情况", "confirmed": "yes"},
    )
    submitted.refresh_from_db()
    assert (submitted.status, submitted.override_reason) == (Status.PUBLISHED, "冬季特殊情况")


# --- Asking before anything goes public ------------------------------------------------------


def audit_count() -> int:
    return AuditEvent.objects.count()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("dora", 403),
        ("vera", 403),
        ("cody", 403),
        ("victor", 403),
        ("tom", 404),
        ("carl", 404),
        ("tina", 200),
        ("alice", 200),
    ],
)
def test_approving_first_asks_and_publishes_nothing(request, submitted, who, status):
    client = client_for(persona(request, who))
    before = audit_count()
    response = client.post(f"/needs/{submitted.pk}/review/", {"decision": "approve"})
    assert response.status_code == status
    submitted.refresh_from_db()
    assert (submitted.status, submitted.reviewed_by, submitted.published_at) == (
        Status.SUBMITTED,
        None,
        None,
    )
    assert audit_count() == before
    if status == 200:
        html = response.content.decode()
        assert "Publish “棉被” to the public board?" in html
        # What the public will see: the title, the story, the household's public face.
        assert "冬天快到了，家里缺棉被。" in html
        assert "张** · 柳塘镇桃李村 · 3 pieces of bedding" in html
        assert '<input type="hidden" name="confirmed" value="yes">' in html
        assert f'action="/needs/{submitted.pk}/review/"' in html
        assert 'href="/needs/review/" data-testid="confirm-publish-back"' in html


def test_the_confirmation_comes_in_place_for_htmx(submitted, tina):
    response = client_for(tina).post(
        f"/needs/{submitted.pk}/review/", {"decision": "approve"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.startswith('<section class="confirm-publish"')
    assert Need.objects.get(pk=submitted.pk).status == Status.SUBMITTED


def test_the_confirmation_from_the_management_page_goes_back_there(submitted, tina):
    response = client_for(tina).post(
        f"/needs/{submitted.pk}/review/", {"decision": "approve", "from": "manage"}
    )
    html = response.content.decode()
    assert '<input type="hidden" name="from" value="manage">' in html
    assert f'href="/needs/{submitted.pk}/manage/" data-testid="confirm-publish-back"' in html


def test_the_confirmation_shows_what_the_rules_find_now_and_asks_the_reason(
    submitted, capped, tina
):
    response = client_for(tina).post(f"/needs/{submitted.pk}/review/", {"decision": "approve"})
    html = response.content.decode()
    assert "The estimated value ¥450 is above the cap of ¥100." in html
    assert 'name="override_reason"' in html
    done = client_for(tina).post(
        f"/needs/{submitted.pk}/review/",
        {"decision": "approve", "confirmed": "yes", "override_reason": "冬季特殊情况"},
    )
    assert done.status_code == 302
    submitted.refresh_from_db()
    assert (submitted.status, submitted.override_reason) == (Status.PUBLISHED, "冬季特殊情况")


def test_rejecting_needs_no_confirmation(submitted, tina):
    response = client_for(tina).post(
        f"/needs/{submitted.pk}/review/", {"decision": "reject", "reject-reason": "价格过高"}
    )
    assert response.status_code == 302
    assert Need.objects.get(pk=submitted.pk).status == Status.REJECTED


# --- Approving several at once --------------------------------------------------------------


@pytest.fixture
def three(home, vera):
    """Three needs of village A1 waiting for review: quilts, rice and a fridge."""
    return [
        posting.create_need(
            data=factories.goods_data(home, title=title, category=category), by=vera, submit=True
        )
        for title, category in (("棉被", "clothing"), ("大米", "food"), ("冰箱", "appliance"))
    ]


def statuses(needs) -> list[str]:
    return [Need.objects.get(pk=need.pk).status for need in needs]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("dora", 403),
        ("olga", 403),
        ("vera", 403),
        ("cody", 403),
        ("victor", 403),
        ("tom", 400),
        ("carl", 400),
        ("tina", 200),
        ("alice", 200),
    ],
)
def test_approving_several_is_for_reviewers_of_their_region(request, three, who, status):
    client = client_for(persona(request, who))
    before = audit_count()
    response = client.post("/needs/review/approve/", {"need": [three[0].pk, three[1].pk]})
    assert response.status_code == status
    assert statuses(three) == [Status.SUBMITTED] * 3
    assert audit_count() == before
    if status == 400:
        # Another township's needs are not in its queue: named as gone, nothing changed.
        assert "A need you ticked no longer waits for your review" in response.content.decode()


def test_approving_several_lists_them_then_publishes_them_all(three, tina):
    client = client_for(tina)
    chosen = [three[0].pk, three[2].pk]
    asked = client.post("/needs/review/approve/", {"need": chosen})
    html = asked.content.decode()
    assert asked.status_code == 200
    assert "Publish these 2 needs to the public board?" in html
    assert [need.pk for need in asked.context["needs"]] == chosen
    assert statuses(three) == [Status.SUBMITTED] * 3

    done = client.post("/needs/review/approve/", {"need": chosen, "confirmed": "yes"})
    assert done.status_code == 302 and done.url == "/needs/review/"
    assert statuses(three) == [Status.PUBLISHED, Status.SUBMITTED, Status.PUBLISHED]
    events = AuditEvent.objects.filter(action="need.published").values_list("object_id", "actor")
    assert sorted(events) == sorted((str(pk), tina.pk) for pk in chosen)
    assert "2 needs are published." in client.get("/needs/review/").content.decode()


def test_approving_several_publishes_none_if_one_is_refused(three, tina, alice):
    rules.set_value_cap(
        region=Region.objects.get(code=CITY), category="food", cap_fen=100_00, by=alice
    )
    client = client_for(tina)
    before = audit_count()
    response = client.post(
        "/needs/review/approve/",
        {"need": [pk for pk in (three[0].pk, three[1].pk)], "confirmed": "yes"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "“大米”: The review rules flag this need: give your reason to publish it." in html
    assert statuses(three) == [Status.SUBMITTED] * 3
    assert audit_count() == before


def test_approving_several_asks_for_at_least_one(three, tina):
    response = client_for(tina).post("/needs/review/approve/", {"confirmed": "yes"})
    assert response.status_code == 400
    assert "Tick the needs to approve." in response.content.decode()
    assert statuses(three) == [Status.SUBMITTED] * 3


def test_the_queue_offers_a_tick_box_for_each_need_the_rules_do_not_flag(three, alice, tina):
    rules.set_value_cap(
        region=Region.objects.get(code=CITY), category="food", cap_fen=100_00, by=alice
    )
    flagged = posting.create_need(
        data=factories.goods_data(three[0].household, title="面粉", category="food"),
        by=None,
        submit=True,
    )
    html = client_for(tina).get("/needs/review/").content.decode()
    boxes = re.findall(r'name="need" value="(\d+)" form="approve-many"', html)
    assert boxes == [str(need.pk) for need in three]
    assert str(flagged.pk) not in boxes
    assert 'id="approve-many"' in html


def test_rejecting_needs_a_reason_beside_its_field(submitted, tina):
    refused = client_for(tina).post(
        f"/needs/{submitted.pk}/review/", {"decision": "reject", "reject-reason": ""}
    )
    assert refused.status_code == 400
    assert refused.context["needs"][0].reject_form.errors == {"reason": ["This field is required."]}
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    client_for(tina).post(
        f"/needs/{submitted.pk}/review/", {"decision": "reject", "reject-reason": "价格过高"}
    )
    submitted.refresh_from_db()
    assert (submitted.status, submitted.status_reason) == (Status.REJECTED, "价格过高")


def test_reviewing_from_the_management_page_returns_there(submitted, tina):
    response = client_for(tina).post(
        f"/needs/{submitted.pk}/review/",
        {"decision": "approve", "from": "manage", "confirmed": "yes"},
    )
    assert response.url == f"/needs/{submitted.pk}/manage/"


def test_a_need_already_reviewed_is_not_reviewed_again(submitted, tina, alice):
    client_for(tina).post(
        f"/needs/{submitted.pk}/review/", {"decision": "approve", "confirmed": "yes"}
    )
    response = client_for(alice).post(
        f"/needs/{submitted.pk}/review/", {"decision": "reject", "reject-reason": "重复"}
    )
    assert response.status_code == 400
    assert "Only a need waiting for review can be reviewed." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.PUBLISHED


# --- Escalations ----------------------------------------------------------------------------


@pytest.fixture
def expired(home, tina):
    need = factories.published(factories.goods_data(home), reviewer=tina)
    deadlines.sweep(today=factories.in_days(31))
    need.refresh_from_db()
    assert need.status == Status.EXPIRED
    return need


@pytest.mark.parametrize(
    ("who", "status", "listed"),
    [
        (None, 302, None),
        ("dora", 403, None),
        ("olga", 403, None),
        ("vera", 403, None),
        ("cody", 403, None),
        ("victor", 403, None),
        ("tina", 200, ["棉被"]),
        ("tom", 200, []),
        ("alice", 200, ["棉被"]),
        ("carl", 200, []),
    ],
)
def test_the_escalated_needs_are_for_reviewers_of_the_region(request, expired, who, status, listed):
    response = client_for(persona(request, who)).get("/needs/escalated/")
    assert response.status_code == status
    if listed is not None:
        assert [need.title for need in response.context["page"]] == listed


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("dora", 403),
        ("olga", 403),
        ("vera", 403),
        ("cody", 403),
        ("victor", 403),
        ("tom", 404),
        ("carl", 404),
        ("tina", 302),
        ("alice", 302),
    ],
)
def test_reopening_puts_an_expired_need_back_on_the_board(request, expired, who, status):
    deadline = factories.in_days(15)
    response = client_for(persona(request, who)).post(
        f"/needs/{expired.pk}/reopen/", {"deadline": deadline.isoformat(), "from": "escalated"}
    )
    assert response.status_code == status
    expired.refresh_from_db()
    if status == 302 and who:
        assert response.url == "/needs/escalated/"
        assert (expired.status, expired.deadline) == (Status.PUBLISHED, deadline)
    else:
        assert expired.status == Status.EXPIRED


@pytest.mark.parametrize(
    ("deadline", "message"),
    [
        ("2020-01-01", "Give a deadline within the coming year."),
        ("", "This field is required."),
        ("someday", "Enter a valid date."),
    ],
)
def test_a_bad_new_deadline_is_shown_beside_it(expired, tina, deadline, message):
    response = client_for(tina).post(
        f"/needs/{expired.pk}/reopen/", {"deadline": deadline, "from": "escalated"}
    )
    assert response.status_code == 400
    forms = [need.reopen_form for need in response.context["page"]]
    assert [form.errors for form in forms] == [{"deadline": [message]}]
    expired.refresh_from_db()
    assert expired.status == Status.EXPIRED


# --- Review rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("dora", 403),
        ("olga", 403),
        ("vera", 403),
        ("cody", 403),
        ("victor", 403),
        ("tina", 403),
        ("tom", 403),
        ("alice", 200),
        ("carl", 200),
    ],
)
def test_the_review_rules_are_the_city_offices(request, tree, who, status):
    assert client_for(persona(request, who)).get("/needs/rules/").status_code == status


def test_setting_and_removing_a_value_cap(alice):
    client = client_for(alice)
    response = client.post(
        "/needs/rules/", {"form": "cap", "cap-category": "appliance", "cap-cap_yuan": "800"}
    )
    assert response.status_code == 302
    cap = ValueCap.objects.get()
    assert (cap.region_id, cap.category, cap.cap_fen) == (CITY, "appliance", 800_00)
    assert "¥800" in client.get("/needs/rules/").content.decode()
    client.post("/needs/rules/", {"form": "cap", "cap-category": "appliance"})
    assert ValueCap.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"cap-category": "appliance", "cap-cap_yuan": "-5"},
            {"cap_yuan": ["Ensure this value is greater than or equal to 0.01."]},
        ),
        ({"cap-category": "", "cap-cap_yuan": "5"}, {"category": ["This field is required."]}),
        (
            {"cap-category": "yacht", "cap-cap_yuan": "5"},
            {"category": ["Select a valid choice. yacht is not one of the available choices."]},
        ),
    ],
)
def test_a_bad_cap_shows_field_errors_and_changes_nothing(alice, data, expected):
    response = client_for(alice).post("/needs/rules/", {"form": "cap", **data})
    assert response.status_code == 400
    assert response.context["cap_form"].errors == expected
    assert ValueCap.objects.count() == 0


def test_adding_and_removing_a_banned_word(alice):
    client = client_for(alice)
    client.post("/needs/rules/", {"form": "term", "term-term": "跑步机", "term-note": "非必需"})
    banned = BannedTerm.objects.get()
    assert (banned.region_id, banned.term, banned.note) == (CITY, "跑步机", "非必需")
    twice = client.post("/needs/rules/", {"form": "term", "term-term": "跑步机"})
    assert twice.status_code == 400
    assert twice.context["term_form"].errors == {"term": ["This word is flagged already."]}
    assert client.post(f"/needs/rules/terms/{banned.pk}/remove/").status_code == 302
    assert BannedTerm.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("dora", 403),
        ("olga", 403),
        ("vera", 403),
        ("cody", 403),
        ("victor", 403),
        ("tina", 403),
        ("carl", 404),
    ],
)
def test_only_the_city_office_removes_its_words(request, alice, who, status):
    banned = rules.add_banned_term(region=Region.objects.get(code=CITY), term="名牌", by=alice)
    response = client_for(persona(request, who)).post(f"/needs/rules/terms/{banned.pk}/remove/")
    assert response.status_code == status
    assert BannedTerm.objects.filter(pk=banned.pk).exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 302), ("dora", 403), ("vera", 403), ("cody", 403), ("victor", 403), ("tina", 403)],
)
def test_a_denied_rule_change_changes_nothing(request, tree, who, status):
    response = client_for(persona(request, who)).post(
        "/needs/rules/", {"form": "cap", "cap-category": "clothing", "cap-cap_yuan": "10"}
    )
    assert response.status_code == status
    assert ValueCap.objects.count() == 0


def test_another_city_cannot_remove_a_word(alice, carl):
    banned = rules.add_banned_term(region=Region.objects.get(code=CITY), term="名牌", by=alice)
    assert client_for(carl).post(f"/needs/rules/terms/{banned.pk}/remove/").status_code == 404
    assert client_for(carl).get("/needs/rules/").context["terms"].count() == 0
    assert BannedTerm.objects.filter(pk=banned.pk).exists()


def test_a_cap_of_another_city_is_not_the_reviewers_concern(alice, carl):
    client_for(carl).post(
        "/needs/rules/", {"form": "cap", "cap-category": "clothing", "cap-cap_yuan": "10"}
    )
    assert ValueCap.objects.get().region_id == OTHER_CITY
    assert client_for(alice).get("/needs/rules/").context["caps"].count() == 0


def test_a_banned_word_flags_a_need_in_the_queue(home, alice, vera, tina):
    client_for(alice).post("/needs/rules/", {"form": "term", "term-term": "名牌"})
    posting.create_need(data=factories.goods_data(home, title="名牌羽绒服"), by=vera, submit=True)
    html = client_for(tina).get("/needs/review/").content.decode()
    assert "It names “名牌”, which the review rules do not allow." in html


def test_a_denied_review_of_another_township_leaves_no_trace(submitted, tom):
    from tongxing.audit.models import AuditEvent

    before = AuditEvent.objects.count()
    client_for(tom).post(f"/needs/{submitted.pk}/review/", {"decision": "approve"})
    assert AuditEvent.objects.count() == before
    assert Need.objects.get(pk=submitted.pk).status == Status.SUBMITTED
    assert VILLAGE_B1.startswith(scope_prefix(tom))


def test_reopening_a_need_already_back_says_why_above_the_list(expired, tina, alice):
    deadline = factories.in_days(15).isoformat()
    client_for(tina).post(f"/needs/{expired.pk}/reopen/", {"deadline": deadline})
    response = client_for(alice).post(
        f"/needs/{expired.pk}/reopen/", {"deadline": deadline, "from": "escalated"}
    )
    assert response.status_code == 400
    assert "Only an expired need can be put back on the board." in response.content.decode()
