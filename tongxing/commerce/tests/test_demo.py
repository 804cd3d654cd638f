"""The demo's consumption assistance (built after the small demo city): suppliers in every
state of certification, products in the pavilion, targets and a year of sales in every
channel, a consumption fair with its live streams and stalls; building it again adds
nothing."""

import datetime

import pytest

from tongxing import demo, figures
from tongxing.audit.models import AuditEvent
from tongxing.commerce import demo as commerce_demo
from tongxing.commerce.figures import MEASURES
from tongxing.commerce.models import (
    FAIR_CHANNELS,
    Channel,
    PavilionListing,
    ProcurementTarget,
    Sale,
    Supplier,
    SupplierCertification,
)
from tongxing.events.models import Event, EventKind
from tongxing.registry.models import Household, HouseholdStatus


@pytest.mark.django_db(transaction=True)
def test_the_demo_records_a_year_of_sales_in_every_channel_and_again_adds_nothing():
    ctx = demo.build(seed=7, scale="small", year=2020)
    commerce_demo.build(ctx)
    sales = Sale.objects.count()
    assert sales > 1000
    assert set(Sale.objects.values_list("channel", flat=True)) == set(Channel.values)
    # One household a village that has registered households.
    villages = Household.objects.exclude(status=HouseholdStatus.NOT_POOR).values("village_id")
    assert Supplier.objects.filter(household__isnull=False).count() == villages.distinct().count()
    assert SupplierCertification.objects.filter(revoked_on__isnull=False).exists()
    assert PavilionListing.objects.exists() and ProcurementTarget.objects.exists()
    assert AuditEvent.objects.filter(action="sale.import").count() == sales
    year = figures.window(datetime.date(2020, 1, 1), datetime.date(2020, 12, 31))
    values = figures.evaluate(MEASURES, "", year)
    assert values["consumption.sales.online_fen"] > 0
    assert values["consumption.procurement_fen"] > 0
    # The figures leave out the never-certified and the revoked: less than every sale.
    total = sum(Sale.objects.values_list("amount_fen", flat=True))
    assigned = (
        values["consumption.sales.household_own_fen"]
        + values["consumption.sales.other_entities_fen"]
    )
    assert 0 < assigned < total
    # The city's fair: every fair sale names it, and its figures come from them.
    fair = Event.objects.get(kind=EventKind.FAIR)
    assert (fair.starts_on, fair.ends_on) == (
        datetime.date(2020, 9, 20),
        datetime.date(2020, 9, 22),
    )
    fair_sales = Sale.objects.filter(channel__in=FAIR_CHANNELS)
    assert fair_sales.count() == fair.sales.count() > 0
    online = fair.sales.filter(channel=Channel.FAIR_ONLINE)
    assert fair.orders == sum(online.values_list("orders", flat=True)) and fair.viewers > 0
    assert values["fair.offline_enterprises"] > 0 and values["fair.townships"] >= 2
    assert values["fair.total_sales_fen"] == (
        values["fair.online_sales_fen"]
        + values["fair.offline_enterprise_sales_fen"]
        + values["fair.township_sales_fen"]
    )
    commerce_demo.build(ctx)
    assert Sale.objects.count() == sales
    assert AuditEvent.objects.filter(action="sale.import").count() == sales
    assert Event.objects.filter(kind=EventKind.FAIR).count() == 1
