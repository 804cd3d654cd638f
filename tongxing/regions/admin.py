"""Regions in the Django admin: read-only, for superusers. The tree changes through the
import and the region pages, which check the codes and write the audit log."""

from django.contrib import admin

from tongxing.admin_base import ReadOnlyAdmin
from tongxing.regions.models import Region


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = (
        "code",
        "name",
        "level",
        "key_poor_village",
        "relocation_village",
        "provincial_key_village",
    )
    list_filter = ("level", "key_poor_village", "relocation_village", "provincial_key_village")
    search_fields = ("code", "name")
