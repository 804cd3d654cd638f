"""Fill `first_gave_at` of the donors who gave before the column existed."""

from django.db import migrations
from django.db.models import OuterRef, Subquery

# ACTIVE_PLEDGE as it stands at this migration: the pledges that say a donor gave.
STANDING = ("pledged", "delivered", "confirmed")


def backfill(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Pledge = apps.get_model("needs", "Pledge")
    earliest = (
        Pledge.objects.filter(donor=OuterRef("pk"), status__in=STANDING)
        .order_by("created_at")
        .values("created_at")[:1]
    )
    User.objects.filter(pk__in=Pledge.objects.values("donor")).update(
        first_gave_at=Subquery(earliest)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_donor_first_gave_at"),
        ("needs", "0007_strip_photo_metadata"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
