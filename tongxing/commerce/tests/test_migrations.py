"""Sales of the fair channels recorded before a sale named its fair name one after the
migrations: the city's fair of their year when one holds their days, else one made for
them over their days."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from conftest import CITY, VILLAGE_A1, VILLAGE_B1
from tongxing.commerce.tests.factories import fair, supplier

D = datetime.date
BEFORE = [("commerce", "0002_sale_event")]
AFTER = [("commerce", "0004_sale_event_fair_channels_only")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_earlier_fair_sales_name_the_citys_fair_or_one_made_for_them(tree):
    coop = supplier()
    far = supplier(name="乙镇合作社", region=VILLAGE_B1, serial=2)
    held = fair()  # 2025-09-20 to 22, the city's
    apps = migrate(BEFORE)
    Sale = apps.get_model("commerce", "Sale")

    def old_sale(seller, channel, day):
        return Sale.objects.create(
            seller_id=seller.pk,
            channel=channel,
            sold_on=day,
            amount_fen=1_00,
            source="manual",
            region_id=seller.region_id,
        ).pk

    in_2025 = [
        old_sale(coop, "fair_online", D(2025, 9, 20)),
        old_sale(far, "fair_offline", D(2025, 9, 22)),
    ]
    in_2024 = [
        old_sale(coop, "fair_offline", D(2024, 10, 1)),
        old_sale(far, "fair_offline", D(2024, 10, 3)),
    ]
    plain = old_sale(coop, "online", D(2025, 9, 20))
    apps = migrate(AFTER)
    Sale, Event = apps.get_model("commerce", "Sale"), apps.get_model("events", "Event")
    assert set(Sale.objects.filter(pk__in=in_2025).values_list("event_id", flat=True)) == {held.pk}
    made = Event.objects.exclude(pk=held.pk).get()
    assert (made.kind, made.title, made.region_id) == ("fair", "2024年消费帮扶赶集会", CITY)
    assert (made.starts_on, made.ends_on) == (D(2024, 10, 1), D(2024, 10, 3))
    assert set(Sale.objects.filter(pk__in=in_2024).values_list("event_id", flat=True)) == {made.pk}
    assert Sale.objects.get(pk=plain).event_id is None
    assert coop.region_id == VILLAGE_A1
