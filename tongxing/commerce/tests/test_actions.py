"""Suppliers, certification, products, the pavilion, sales and procurement targets through
the actions: what each refuses, and who may do it (the permission matrix)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from conftest import TOWNSHIP_B, VILLAGE_A1, VILLAGE_B1
from tongxing.audit.models import AuditEvent
from tongxing.commerce import actions, selectors
from tongxing.commerce.models import Channel, Criterion, Sale, Supplier
from tongxing.commerce.tests.factories import (
    budget_unit,
    enterprise,
    household_supplier,
    product,
    rep_of,
    sale,
    supplier,
)

D = datetime.date


def test_a_supplier_is_an_organisation_or_a_household_never_both(tree):
    org = enterprise()
    with pytest.raises(ValidationError):
        actions.register_supplier(by=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Supplier.objects.create(region_id=VILLAGE_A1)
    s = actions.register_supplier(organisation=org, by=None)
    assert s.region_id == VILLAGE_A1 and not s.is_household
    with pytest.raises(ValidationError, match="already a supplier"):
        actions.register_supplier(organisation=org, by=None)


def test_a_household_supplier_takes_its_village_as_region(tree):
    s = household_supplier(village=VILLAGE_B1)
    assert s.is_household and s.region_id == VILLAGE_B1


def test_a_school_does_not_sell_as_a_supplier(tree):
    school = budget_unit()
    with pytest.raises(ValidationError, match="enterprise or a cooperative"):
        actions.register_supplier(organisation=school, by=None)


def test_certification_counts_from_its_day_until_the_day_before_revocation(tree):
    s = supplier(certified_on=D(2025, 3, 1))
    actions.revoke_certification(supplier=s, revoked_on=D(2025, 6, 1), reason="不再带贫", by=None)
    assert not selectors.is_certified(s, D(2025, 2, 28))
    assert selectors.is_certified(s, D(2025, 3, 1))
    assert selectors.is_certified(s, D(2025, 5, 31))
    assert not selectors.is_certified(s, D(2025, 6, 1))
    # Certified again later: the history keeps both periods.
    actions.certify_supplier(
        supplier=s, criterion=Criterion.BUYS_FROM_HOUSEHOLDS, certified_on=D(2025, 9, 1), by=None
    )
    assert [c.certified_on for c in selectors.certifications_of(s)] == [
        D(2025, 9, 1),
        D(2025, 3, 1),
    ]
    assert selectors.is_certified(s, D(2025, 9, 1)) and not selectors.is_certified(
        s, D(2025, 8, 31)
    )


def test_a_certified_supplier_is_not_certified_twice_nor_back_into_a_past_period(tree):
    s = supplier(certified_on=D(2025, 3, 1))
    with pytest.raises(ValidationError, match="already certified"):
        actions.certify_supplier(
            supplier=s, criterion=Criterion.EMPLOYS_HOUSEHOLDS, certified_on=D(2025, 4, 1), by=None
        )
    actions.revoke_certification(supplier=s, revoked_on=D(2025, 6, 1), reason="停产", by=None)
    with pytest.raises(ValidationError, match="ran until after"):
        actions.certify_supplier(
            supplier=s, criterion=Criterion.EMPLOYS_HOUSEHOLDS, certified_on=D(2025, 5, 1), by=None
        )


def test_revocation_needs_a_reason_and_a_later_date(tree):
    s = supplier(certified_on=D(2025, 3, 1))
    with pytest.raises(ValidationError) as refused:
        actions.revoke_certification(supplier=s, revoked_on=D(2025, 6, 1), reason=" ", by=None)
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError, match="after the day"):
        actions.revoke_certification(supplier=s, revoked_on=D(2025, 3, 1), reason="停产", by=None)


def test_an_uncertified_sellers_sales_are_recorded_but_do_not_count_as_assistance(tree, alice):
    certified = supplier(certified_on=D(2025, 3, 1))
    never = supplier(certified_on=None, name="外地商贸公司", kind="private_enterprise", serial=2)
    sale(certified, amount_fen=100_00, sold_on=D(2025, 2, 28))  # the day before: not counted
    sale(certified, amount_fen=200_00, sold_on=D(2025, 3, 1))
    sale(never, amount_fen=400_00, sold_on=D(2025, 3, 5))
    rows = selectors.sales_by_channel_and_month(alice, 2025)
    assert [(r.channel, r.month, r.amount_fen) for r in rows] == [("online", 3, 200_00)]
    everything = selectors.sales_by_channel_and_month(alice, 2025, assistance_only=False)
    assert [(r.month, r.amount_fen) for r in everything] == [(2, 100_00), (3, 600_00)]


def test_a_sale_names_a_buyer_only_for_procurement_and_only_a_budget_unit(tree):
    s = supplier()
    school = budget_unit()
    with pytest.raises(ValidationError) as refused:
        sale(s, channel=Channel.ONLINE, buyer=school)
    assert "buyer" in refused.value.message_dict
    with pytest.raises(ValidationError, match="budget unit"):
        sale(s, channel=Channel.PROCUREMENT, buyer=enterprise(name="别的公司", serial=3))
    assert sale(s, channel=Channel.PROCUREMENT, buyer=school).buyer == school


def test_a_bad_sale_is_refused_field_by_field_and_nothing_is_written(tree):
    s = supplier()
    with pytest.raises(ValidationError) as refused:
        actions.record_sale(
            seller=s, channel="barter", sold_on=D(2999, 1, 1), amount_fen=0, orders=-1, by=None
        )
    assert set(refused.value.message_dict) == {"channel", "sold_on", "amount_fen", "orders"}
    assert Sale.objects.count() == 0


def test_a_recorded_sale_takes_the_sellers_region_and_is_audited(tree, tina):
    s = supplier()
    recorded = actions.record_sale(
        seller=s,
        channel=Channel.OFFLINE,
        sold_on=D(2025, 5, 1),
        amount_fen=12_345,
        orders=3,
        by=tina,
    )
    assert recorded.region_id == VILLAGE_A1 and recorded.source == "manual"
    event = AuditEvent.objects.get(action="sale.record")
    assert event.actor == tina and event.region_code == VILLAGE_A1
    assert event.after["amount_fen"] == 12_345


def test_procurement_attainment_is_purchases_of_the_year_over_spending_times_share(tree, alice):
    school = budget_unit()
    target = actions.set_procurement_target(
        budget_unit=school,
        year=2025,
        canteen_spending_fen=2_000_000_00,
        reserved_share_bp=3000,
        by=alice,
    )
    # Reserved: 2,000,000 yuan × 30% = 600,000 yuan.
    assert target.target_fen == 600_000_00
    s = supplier(certified_on=D(2025, 1, 1))
    never = supplier(certified_on=None, name="外地商贸公司", kind="private_enterprise", serial=2)
    sale(s, channel=Channel.PROCUREMENT, buyer=school, amount_fen=150_000_00, sold_on=D(2025, 4, 1))
    sale(s, channel=Channel.PROCUREMENT, buyer=school, amount_fen=30_000_00, sold_on=D(2025, 9, 1))
    sale(
        s, channel=Channel.PROCUREMENT, buyer=school, amount_fen=99_000_00, sold_on=D(2024, 12, 31)
    )
    sale(
        never,
        channel=Channel.PROCUREMENT,
        buyer=school,
        amount_fen=50_000_00,
        sold_on=D(2025, 5, 1),
    )
    sale(s, channel=Channel.OFFLINE, amount_fen=70_000_00, sold_on=D(2025, 5, 1))
    [row] = selectors.procurement_attainment(alice, 2025)
    # 150,000 + 30,000 = 180,000 yuan of 600,000: 30.00%.
    assert row.purchased_fen == 180_000_00
    assert row.attainment_bp == 3000 and row.attainment_percent == "30.00%"
    # Setting the target again changes it rather than adding one.
    actions.set_procurement_target(
        budget_unit=school,
        year=2025,
        canteen_spending_fen=1_000_000_00,
        reserved_share_bp=3000,
        by=alice,
    )
    [row] = selectors.procurement_attainment(alice, 2025)
    assert row.target_fen == 300_000_00 and row.attainment_percent == "60.00%"


def test_a_product_is_listed_in_the_pavilion_once_at_a_time(tree, alice):
    p = product(supplier())
    actions.list_in_pavilion(product=p, listed_from=D(2025, 1, 1), by=alice)
    with pytest.raises(ValidationError, match="already listed"):
        actions.list_in_pavilion(product=p, listed_from=D(2025, 2, 1), by=alice)
    actions.unlist_from_pavilion(product=p, listed_until=D(2025, 6, 30), by=alice)
    assert list(selectors.pavilion_products(on=D(2025, 6, 30))) == [p]
    assert list(selectors.pavilion_products(on=D(2025, 7, 1))) == []


# --- Who may do what ---------------------------------------------------------------------------


def test_an_org_rep_records_only_its_own_organisations_sales_and_products(tree, olga):
    own = supplier()
    other = supplier(name="别家合作社", serial=2)
    rep_of(olga, own.organisation)
    actions.record_sale(
        seller=own, channel=Channel.ONLINE, sold_on=D(2025, 1, 2), amount_fen=5_00, by=olga
    )
    actions.add_product(
        supplier=own, name="土鸡蛋", category="meat_eggs", unit="枚", price_fen=1_50, by=olga
    )
    with pytest.raises(PermissionDenied):
        actions.record_sale(
            seller=other, channel=Channel.ONLINE, sold_on=D(2025, 1, 2), amount_fen=5_00, by=olga
        )
    with pytest.raises(PermissionDenied):
        actions.add_product(
            supplier=other, name="土鸡蛋", category="meat_eggs", unit="枚", price_fen=1_50, by=olga
        )
    assert Sale.objects.filter(seller=other).count() == 0
    # Nor does it register, certify, list or set targets.
    with pytest.raises(PermissionDenied):
        actions.register_supplier(organisation=enterprise(name="新公司", serial=4), by=olga)
    with pytest.raises(PermissionDenied):
        actions.revoke_certification(supplier=own, revoked_on=D(2025, 6, 1), reason="x", by=olga)
    with pytest.raises(PermissionDenied):
        actions.list_in_pavilion(product=own.products.get(), listed_from=D(2025, 1, 1), by=olga)
    # It reads its own organisation's sales only.
    assert [s.seller for s in selectors.sales_visible_to(olga)] == [own]


def test_an_org_rep_with_no_organisation_records_nothing(tree, olga):
    own = supplier()
    with pytest.raises(PermissionDenied):
        actions.record_sale(
            seller=own, channel=Channel.ONLINE, sold_on=D(2025, 1, 2), amount_fen=5_00, by=olga
        )
    assert selectors.sales_visible_to(olga).count() == 0


@pytest.mark.parametrize(
    "who,register,record,certify,target",
    [
        ("alice", True, True, True, True),
        ("tina", True, True, False, False),
        ("tom", False, False, False, False),  # township B: supplier in A1
        ("vera", False, False, False, False),
        ("cody", False, False, False, False),
        ("victor", False, False, False, False),
        ("dora", False, False, False, False),
        ("carl", False, False, False, False),
    ],
)
def test_who_registers_records_certifies_and_sets_targets(
    request, tree, who, register, record, certify, target
):
    user = request.getfixturevalue(who)
    org = enterprise()
    school = budget_unit()

    def tries(action) -> bool:
        try:
            with transaction.atomic():
                action()
                transaction.set_rollback(True)
            return True
        except PermissionDenied:
            return False

    assert tries(lambda: actions.register_supplier(organisation=org, by=user)) is register
    s = actions.register_supplier(organisation=org, by=None)
    assert (
        tries(
            lambda: actions.record_sale(
                seller=s, channel=Channel.ONLINE, sold_on=D(2025, 1, 2), amount_fen=5_00, by=user
            )
        )
        is record
    )
    assert (
        tries(
            lambda: actions.certify_supplier(
                supplier=s,
                criterion=Criterion.EMPLOYS_HOUSEHOLDS,
                certified_on=D(2025, 1, 1),
                by=user,
            )
        )
        is certify
    )
    assert (
        tries(
            lambda: actions.set_procurement_target(
                budget_unit=school,
                year=2025,
                canteen_spending_fen=100_00,
                reserved_share_bp=100,
                by=user,
            )
        )
        is target
    )
    assert (
        Sale.objects.count() == 0 and AuditEvent.objects.filter(action="sale.record").count() == 0
    )


def test_staff_read_the_sales_of_their_region_only(tree, tina, tom, victor):
    a = supplier()
    b = supplier(name="乙镇合作社", region=VILLAGE_B1, serial=2)
    sale(a)
    sale(b)
    assert [s.seller for s in selectors.sales_visible_to(tina)] == [a]
    assert [s.seller for s in selectors.sales_visible_to(victor)] == [a]
    assert [s.seller for s in selectors.sales_visible_to(tom)] == [b]
    assert selectors.suppliers_visible_to(tom).get().region_id.startswith(TOWNSHIP_B[:9])


def test_a_products_public_name_may_not_carry_a_phone_or_a_members_full_name(tree):
    home = household_supplier(head="王秀英")
    with pytest.raises(ValidationError) as refused:
        actions.add_product(
            supplier=home,
            name="王秀英家的土鸡蛋",
            category="meat_eggs",
            unit="盒",
            price_fen=1,
            by=None,
        )
    assert "name" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        actions.add_product(
            supplier=home,
            name="土鸡蛋 13812345678",
            category="meat_eggs",
            unit="盒",
            price_fen=1,
            by=None,
        )
    assert "name" in refused.value.message_dict
    assert not home.products.exists()


def test_each_sale_knows_whether_it_counts_whatever_order_things_were_recorded_in(tree):
    from tongxing.commerce.models import seller_certified

    s = supplier(certified_on=None)
    early = sale(s, sold_on=D(2025, 2, 1))
    late = sale(s, sold_on=D(2025, 8, 1))
    # Certified afterwards, from a date before the sales: both count now.
    actions.certify_supplier(
        supplier=s, criterion=Criterion.EMPLOYS_HOUSEHOLDS, certified_on=D(2025, 1, 1), by=None
    )
    actions.revoke_certification(supplier=s, revoked_on=D(2025, 6, 1), reason="停产", by=None)
    after = sale(s, sold_on=D(2025, 7, 1))
    bulk = [
        Sale(
            seller=s,
            channel=Channel.ONLINE,
            sold_on=day,
            amount_fen=1_00,
            source="import",
            row_key=key,
        )
        for day, key in ((D(2025, 5, 31), "k1"), (D(2025, 6, 1), "k2"))
    ]
    actions.record_sales(bulk, by=None)
    kept = dict(Sale.objects.values_list("sold_on", "assisted"))
    assert kept == {
        D(2025, 2, 1): True,
        D(2025, 5, 31): True,
        D(2025, 6, 1): False,
        D(2025, 7, 1): False,
        D(2025, 8, 1): False,
    }
    # The kept answer is the definition's, sale by sale.
    defined = dict(Sale.objects.annotate(now=seller_certified()).values_list("pk", "now"))
    assert defined == dict(Sale.objects.values_list("pk", "assisted"))
    assert {early.pk, late.pk, after.pk} <= set(defined)
