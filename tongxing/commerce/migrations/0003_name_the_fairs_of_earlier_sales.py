"""Sales of the fair channels recorded before a sale named its fair name one now: for each
city and year, the city's fair of that year that holds their days, or else a fair made for
them, held by the city over the days of those sales (its live streams' figures unknown).
The offices may then retitle it; the demo finds its fair by the same city and first day."""

from django.db import migrations

FAIR_CHANNELS = ("fair_online", "fair_offline")


def name_the_fairs(apps, schema_editor):
    Sale = apps.get_model("commerce", "Sale")
    Event = apps.get_model("events", "Event")
    Region = apps.get_model("regions", "Region")
    orphans = Sale.objects.filter(channel__in=FAIR_CHANNELS, event__isnull=True)
    groups: dict[tuple[str, int], list] = {}
    for pk, region_id, sold_on in orphans.values_list("pk", "region_id", "sold_on").iterator():
        groups.setdefault((region_id[:4], sold_on.year), []).append((pk, sold_on))
    for (city_prefix, year), sales in sorted(groups.items()):
        first = min(day for _pk, day in sales)
        last = max(day for _pk, day in sales)
        city = Region.objects.filter(code=city_prefix.ljust(12, "0")).first()
        if city is None:  # a region loaded without its city: the first sale's own region
            city = Region.objects.get(code=Sale.objects.get(pk=sales[0][0]).region_id)
        fair = Event.objects.filter(
            kind="fair", region=city, starts_on__lte=first, ends_on__gte=last
        ).first() or Event.objects.create(
            kind="fair",
            title=f"{year}年消费帮扶赶集会",
            starts_on=first,
            ends_on=last,
            region=city,
        )
        ids = [pk for pk, _day in sales]
        for start in range(0, len(ids), 500):
            Sale.objects.filter(pk__in=ids[start : start + 500]).update(event=fair)


class Migration(migrations.Migration):
    dependencies = [
        ("commerce", "0002_sale_event"),
        ("events", "0001_events_exemplars_publicity_policies"),
        ("regions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(name_the_fairs, migrations.RunPython.noop),
    ]
