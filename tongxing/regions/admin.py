from django.contrib import admin

from tongxing.regions.models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
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
    raw_id_fields = ("parent",)
