"""The audit log keeps masked personal data only, and its one narrow rewrite."""

import datetime

import pytest
from django.utils import timezone

from conftest import VILLAGE_A1
from tongxing.audit.log import record, record_history, record_many, redact_events
from tongxing.audit.models import AuditEvent
from tongxing.regions.models import Region

ID = "427101198001011234"
STORY = f"户主朱阳，身份证{ID}，电话13812345678，卡号6222 0212 3456 7890 123"
MASKED_STORY = "户主朱阳，身份证427101********1234，电话138****5678，卡号6222 **** **** ***0 123"


@pytest.fixture
def village(tree):
    return Region.objects.get(code=VILLAGE_A1)


def test_an_event_stores_numbers_masked_at_any_depth(village):
    event = record(
        actor=None,
        action="need.created",
        target=village,
        before={"story": STORY},
        after={"story": STORY, "gifts": [{"note": "电话13812345678"}], "quantity": 3},
    )
    event.refresh_from_db()
    assert event.before == {"story": MASKED_STORY}
    assert event.after == {
        "story": MASKED_STORY,
        "gifts": [{"note": "电话138****5678"}],
        "quantity": 3,
    }


def test_codes_of_records_and_short_values_are_kept(village):
    after = {
        "registry_number": "4271020010020001",
        "credit_code": "911101080000000001",
        "village": VILLAGE_A1,
        "status_since": "2019-03-01",
        "id_number_masked": "420981********0100",
    }
    event = record(actor=None, action="household.create", target=village, after=after)
    event.refresh_from_db()
    assert event.after == after


def test_events_written_in_bulk_are_masked_too(village):
    record_many(actor=None, action="need.created", targets=[(village, VILLAGE_A1, {"s": STORY})])
    moment = timezone.make_aware(datetime.datetime(2024, 5, 1, 10))
    record_history([(moment, None, "need.changed", village, VILLAGE_A1, {"s": STORY}, None)])
    events = AuditEvent.objects.filter(action__startswith="need.").order_by("pk")
    assert [(e.action, e.before, e.after) for e in events] == [
        ("need.created", None, {"s": MASKED_STORY}),
        ("need.changed", {"s": MASKED_STORY}, None),
    ]


def old_event(village, after: dict) -> AuditEvent:
    """An event as the log kept them before it masked numbers."""
    (event,) = AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                action="need.created",
                object_type="regions.region",
                object_id=village.pk,
                region_code=VILLAGE_A1,
                after=after,
            )
        ]
    )
    return AuditEvent.objects.get(pk=event.pk)


def test_redacting_rewrites_only_the_strings_holding_personal_data(village):
    leaky = old_event(village, {"story": STORY, "title": "棉被", "target": 3, "who": "朱阳"})
    clean = old_event(village, {"story": "需要棉被"})
    touched = redact_events(
        events=AuditEvent.objects.order_by("pk"),
        names=["朱阳"],
        actor=None,
        region_code=VILLAGE_A1,
    )
    assert touched == [leaky.pk]
    leaky.refresh_from_db()
    clean.refresh_from_db()
    assert leaky.after == {
        "story": MASKED_STORY.replace("朱阳", "朱**"),
        "title": "棉被",
        "target": 3,
        "who": "朱**",
    }
    assert (leaky.at, leaky.action, leaky.object_id) == (
        AuditEvent.objects.get(pk=leaky.pk).at,
        "need.created",
        village.pk,
    )
    assert clean.after == {"story": "需要棉被"}
    redacted = AuditEvent.objects.get(action="audit.redacted")
    assert (redacted.object_type, redacted.region_code, redacted.after) == (
        "accounts.auditevent",
        VILLAGE_A1,
        {"events": [leaky.pk]},
    )


def test_redacting_nothing_writes_nothing(village):
    old_event(village, {"story": "需要棉被"})
    before = AuditEvent.objects.count()
    assert redact_events(events=AuditEvent.objects.all(), actor=None) == []
    assert AuditEvent.objects.count() == before


def test_the_log_still_refuses_updates_and_deletes_through_the_orm(village):
    event = old_event(village, {"story": STORY})
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(after={})
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).after == {"story": STORY}


def test_the_registrys_events_hold_no_full_number_nor_ciphertext(tree):
    from tongxing.registry import actions, records
    from tongxing.registry.models import Member
    from tongxing.registry.tests import factories

    household = factories.register(number="H-001", head="张建国")
    head = household.members.get()
    full_id, phone = factories.id_number(0), factories.phone(0)
    actions.update_member(
        member=head,
        data=records.MemberData(
            name="张建国", relation="head", id_number=factories.id_number(7), phone="13912345678"
        ),
        by=None,
    )
    head = Member.objects.get(pk=head.pk)
    secrets = [
        full_id,
        phone,
        factories.id_number(7),
        "13912345678",
        head.id_number_ciphertext,
        head.id_number_hash,
        head.phone_ciphertext,
        head.phone_hash,
    ]
    stored = " ".join(
        f"{event.before} {event.after}"
        for event in AuditEvent.objects.filter(action__regex=r"^(household|member)\.")
    )
    assert "420981********" in stored  # the masked forms are there
    assert [secret for secret in secrets if secret and secret in stored] == []
