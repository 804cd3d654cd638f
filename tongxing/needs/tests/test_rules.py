"""The review rules: value caps and banned terms the city office keeps, and the fixed rules
of one open need per household and category and of no duplicates."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tongxing.audit.models import AuditEvent
from tongxing.needs.actions import posting, review, rules
from tongxing.needs.models import BannedTerm, Status, ValueCap
from tongxing.needs.tests import factories as f
from tongxing.regions.models import Region

CITY = "590100000000"


@pytest.fixture
def home(tree):
    return f.household()


def city() -> Region:
    return Region.objects.get(code=CITY)


def rules_of(need) -> list[str]:
    return [finding["rule"] for finding in need.rule_findings]


def test_a_need_within_every_rule_has_no_findings(home, vera, alice):
    rules.set_value_cap(region=city(), category="clothing", cap_fen=500_00, by=alice)
    need = posting.create_need(data=f.goods_data(home), by=vera, submit=True)
    assert need.rule_findings == []


def test_a_need_above_the_cap_of_its_category_is_flagged(home, vera, tina, alice):
    rules.set_value_cap(region=city(), category="clothing", cap_fen=300_00, by=alice)

    need = posting.create_need(data=f.goods_data(home), by=vera, submit=True)

    assert need.rule_findings == [
        {"rule": "value_cap", "message": "The estimated value ¥450 is above the cap of ¥300."}
    ]
    with pytest.raises(ValidationError) as refused:
        review.review_need(need=need, by=tina, approve=True)
    assert refused.value.message_dict == {
        "override_reason": [
            "The review rules flag this need: give your reason to publish it.",
            "The estimated value ¥450 is above the cap of ¥300.",
        ]
    }
    need.refresh_from_db()
    assert need.status == Status.SUBMITTED

    review.review_need(need=need, by=tina, approve=True, override_reason="三口人，冬季确需三床")
    need.refresh_from_db()
    assert (need.status, need.override_reason) == (Status.PUBLISHED, "三口人，冬季确需三床")
    event = AuditEvent.objects.get(action="need.published")
    assert event.after["override_reason"] == "三口人，冬季确需三床"
    assert event.after["rule_findings"][0]["rule"] == "value_cap"


def test_the_lowest_cap_of_the_regions_above_applies(home, vera, alice, tina):
    rules.set_value_cap(region=city(), category="clothing", cap_fen=1000_00, by=alice)
    township = Region.objects.get(code="590101001000")
    ValueCap.objects.create(region=township, category="clothing", cap_fen=400_00)
    need = posting.create_need(data=f.goods_data(home), by=vera, submit=True)
    assert rules_of(need) == ["value_cap"]


def test_a_need_naming_a_banned_term_is_flagged_whatever_its_case(home, vera, alice):
    rules.add_banned_term(region=city(), term="iPhone", note="奢侈品", by=alice)

    need = posting.create_need(
        data=f.goods_data(home, title="一部IPHONE手机", category="daily", quantity=1),
        by=vera,
        submit=True,
    )

    assert need.rule_findings == [
        {
            "rule": "banned_term",
            "message": "It names “iPhone”, which the review rules do not allow. (奢侈品)",
        }
    ]


def test_a_second_open_need_of_the_same_category_is_flagged(home, vera):
    posting.create_need(data=f.goods_data(home), by=vera, submit=True)
    second = posting.create_need(data=f.goods_data(home, title="冬衣"), by=vera, submit=True)
    assert rules_of(second) == ["one_open_per_category"]


def test_a_duplicate_of_an_open_need_is_flagged(home, vera):
    posting.create_need(data=f.goods_data(home), by=vera, submit=True)
    again = posting.create_need(data=f.goods_data(home), by=vera, submit=True)
    assert rules_of(again) == ["one_open_per_category", "duplicate"]


def test_a_closed_need_does_not_count_as_open(home, vera, tina):
    first = posting.create_need(data=f.goods_data(home), by=vera, submit=True)
    posting.cancel_need(need=first, by=vera, reason="重复提交")
    again = posting.create_need(data=f.goods_data(home), by=vera, submit=True)
    assert again.rule_findings == []


def test_only_the_city_office_keeps_the_rules(home, vera, tina, carl):
    for outsider in (vera, tina, carl):
        with pytest.raises(PermissionDenied):
            rules.set_value_cap(region=city(), category="clothing", cap_fen=1, by=outsider)
        with pytest.raises(PermissionDenied):
            rules.add_banned_term(region=city(), term="名牌", by=outsider)
    assert (ValueCap.objects.count(), BannedTerm.objects.count()) == (0, 0)


def test_rules_are_changed_and_removed_with_an_audit_trail(alice):
    region = city()
    rules.set_value_cap(region=region, category="appliance", cap_fen=2000_00, by=alice)
    rules.set_value_cap(region=region, category="appliance", cap_fen=1500_00, by=alice)
    assert ValueCap.objects.get().cap_fen == 1500_00
    rules.set_value_cap(region=region, category="appliance", cap_fen=None, by=alice)
    assert ValueCap.objects.count() == 0

    term = rules.add_banned_term(region=region, term="跑步机", by=alice)
    with pytest.raises(ValidationError) as refused:
        rules.add_banned_term(region=region, term="跑步机", by=alice)
    assert refused.value.message_dict == {"term": ["This word is flagged already."]}
    rules.remove_banned_term(banned=term, by=alice)

    assert list(
        AuditEvent.objects.filter(action__startswith="rule.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "rule.cap_set",
        "rule.cap_set",
        "rule.cap_removed",
        "rule.term_added",
        "rule.term_removed",
    ]


def test_bad_rule_input_is_refused_field_by_field(alice):
    with pytest.raises(ValidationError) as refused:
        rules.set_value_cap(region=city(), category="yachts", cap_fen=1, by=alice)
    assert refused.value.message_dict == {"category": ["Choose a category."]}
    with pytest.raises(ValidationError) as refused:
        rules.set_value_cap(region=city(), category="clothing", cap_fen=0, by=alice)
    assert refused.value.message_dict == {"cap_fen": ["Give a cap above ¥0."]}
    with pytest.raises(ValidationError) as refused:
        rules.add_banned_term(region=city(), term="  ", by=alice)
    assert refused.value.message_dict == {"term": ["Give the word to flag."]}
