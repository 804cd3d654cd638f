"""The needs board in the Django admin: read-only, for superusers.

Needs and pledges change only through the actions, which keep the progress counters,
the audit log and the notifications in step; the review rules have their own page.
"""

from django.contrib import admin

from tongxing.admin_base import ReadOnlyAdmin
from tongxing.needs.models import BannedTerm, Feedback, Need, Pledge, ValueCap


@admin.register(Need)
class NeedAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "category", "title", "village", "status", "pledged", "target")
    list_filter = ("kind", "status", "urgency")
    search_fields = ("title",)
    raw_id_fields = ("household", "child", "village")


@admin.register(Pledge)
class PledgeAdmin(ReadOnlyAdmin):
    list_display = ("id", "need", "donor", "organisation", "quantity", "status", "created_at")
    list_filter = ("status",)


admin.site.register(Feedback, ReadOnlyAdmin)
admin.site.register(ValueCap, ReadOnlyAdmin)
admin.site.register(BannedTerm, ReadOnlyAdmin)
