"""Sales written in bulk: checked and prepared before their transaction, which only writes
them; what changed in between is checked again inside it, and refuses the whole plan."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import TOWNSHIP_B
from tongxing.audit.models import AuditEvent
from tongxing.commerce import actions
from tongxing.commerce.models import Channel, Sale
from tongxing.commerce.tests.factories import supplier

D = datetime.date


def sales(seller, *keys: str) -> list[Sale]:
    return [
        Sale(
            seller=seller,
            channel=Channel.ONLINE,
            sold_on=D(2025, 5, 1),
            amount_fen=1_00,
            source="import",
            row_key=key,
        )
        for key in keys
    ]


def test_each_sale_written_has_its_audit_row_naming_it(tree, tina):
    coop = supplier()
    plan = actions.prepare_sales(sales(coop, "a", "b", "c"), by=tina)
    assert not Sale.objects.exists()  # preparing writes nothing
    assert actions.write_sales(plan, by=tina) == 3
    events = AuditEvent.objects.filter(action="sale.import")
    assert sorted(events.values_list("object_id", flat=True)) == sorted(
        str(pk) for pk in Sale.objects.values_list("pk", flat=True)
    )
    assert set(events.values_list("actor", "region_code")) == {(tina.pk, coop.region_id)}
    assert Sale.objects.filter(assisted=True, recorded_by=tina).count() == 3


def test_sales_written_by_another_import_meanwhile_refuse_the_whole_plan(tree):
    coop = supplier()
    plan = actions.prepare_sales(sales(coop, "a", "b"), by=None)
    assert actions.record_sales(sales(coop, "b"), by=None) == 1  # another import, meanwhile
    with pytest.raises(ValidationError, match="changed while it was checked: import it again"):
        actions.write_sales(plan, by=None)
    assert list(Sale.objects.values_list("row_key", flat=True)) == ["b"]
    assert AuditEvent.objects.filter(action="sale.import").count() == 1
    # Run again, the import finds "b" on file and writes "a" alone.
    again = actions.prepare_sales(sales(coop, "a", "b"), by=None)
    assert (again.on_file, actions.write_sales(again, by=None)) == (1, 1)


def test_an_importer_moved_out_of_the_sellers_region_meanwhile_writes_nothing(tree, tina):
    plan = actions.prepare_sales(sales(supplier(), "a"), by=tina)
    tina.region_id = TOWNSHIP_B
    tina.save(update_fields=["region"])
    with pytest.raises(PermissionDenied):
        actions.write_sales(plan, by=tina)
    assert not Sale.objects.exists()
    assert not AuditEvent.objects.filter(action="sale.import").exists()


def test_a_certification_revoked_meanwhile_is_counted_as_it_is_when_written(tree):
    coop = supplier()  # certified since 2024-01-01
    plan = actions.prepare_sales(sales(coop, "a"), by=None)
    assert plan.sales[0].assisted
    actions.revoke_certification(supplier=coop, revoked_on=D(2025, 4, 1), reason="停产", by=None)
    actions.write_sales(plan, by=None)
    assert Sale.objects.get().assisted is False
