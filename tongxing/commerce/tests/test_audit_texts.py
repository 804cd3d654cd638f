"""The audit log puts every commerce event into words for the city office."""

import datetime

from tongxing.audit.events import describe_events
from tongxing.audit.models import AuditEvent
from tongxing.commerce import actions
from tongxing.commerce.models import Channel
from tongxing.commerce.tests.factories import budget_unit, fair, product, sale, supplier

D = datetime.date


def test_every_commerce_event_is_put_into_words(tree, alice):
    coop = supplier(certified_on=D(2025, 1, 1))
    actions.revoke_certification(supplier=coop, revoked_on=D(2025, 6, 1), reason="停产", by=alice)
    rice = product(coop)
    actions.list_in_pavilion(product=rice, listed_from=D(2025, 1, 1), by=alice)
    actions.unlist_from_pavilion(product=rice, listed_until=D(2025, 2, 1), by=alice)
    sale(coop, amount_fen=1234_50, sold_on=D(2025, 3, 1), channel=Channel.OFFLINE)
    school = budget_unit()
    for spending in (100_00, 200_00):
        actions.set_procurement_target(
            budget_unit=school,
            year=2025,
            canteen_spending_fen=spending,
            reserved_share_bp=1,
            by=alice,
        )
    described = describe_events(
        AuditEvent.objects.filter(action__contains=".").order_by("pk"), alice
    )
    summaries = {d.event.action: d.summary for d in described if d.known}
    assert summaries["supplier.register"] == "The system registered the supplier 青禾农业合作社."
    assert summaries["supplier.certify"].startswith(
        "The system certified the supplier 青禾农业合作社"
    )
    assert summaries["sale.record"] == "The system recorded the sale 2025-03-01 offline ¥1,234.50."
    assert summaries["procurement.change_target"] == (
        "Alice changed the procurement target 青禾市第一中学 2025."
    )
    for code in (
        "supplier.revoke",
        "product.create",
        "pavilion.list",
        "pavilion.unlist",
        "procurement.set_target",
    ):
        assert code in summaries


def test_a_sale_at_a_fair_is_named_with_its_fair(tree, alice):
    city_fair = fair()
    sale(
        supplier(),
        amount_fen=1_00,
        sold_on=D(2025, 9, 21),
        channel=Channel.FAIR_OFFLINE,
        event=city_fair,
    )
    described = describe_events(AuditEvent.objects.filter(action="sale.record"), alice)
    assert [d.summary for d in described] == [
        "The system recorded the sale 2025-09-21 fair, offline ¥1 (2025年消费帮扶赶集会)."
    ]
