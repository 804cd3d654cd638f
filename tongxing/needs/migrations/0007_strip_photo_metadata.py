"""Photos of deliveries stored before they were re-encoded on upload still carry their
metadata (a phone's EXIF: GPS position, device, time). Re-encode each one, as an upload is
now, and keep the clean copy in its place."""

from django.core.exceptions import ValidationError
from django.db import migrations


def strip_metadata(apps, schema_editor):
    from tongxing.photos import clean_photo

    Pledge = apps.get_model("needs", "Pledge")
    for pledge in Pledge.objects.exclude(evidence="").iterator():
        storage, old = pledge.evidence.storage, pledge.evidence.name
        try:
            with storage.open(old, "rb") as stored:
                photo = clean_photo(stored, field="evidence")
        except (FileNotFoundError, ValidationError):
            continue  # gone, or unreadable as a photo: left as it is
        pledge.evidence.save(photo.name, photo, save=False)
        Pledge.objects.filter(pk=pledge.pk).update(evidence=pledge.evidence.name)
        storage.delete(old)


class Migration(migrations.Migration):
    dependencies = [("needs", "0006_contribution_reservations_and_pending_refunds")]

    operations = [migrations.RunPython(strip_metadata, migrations.RunPython.noop)]
