"""Visits in the Django admin: read-only, for superusers. Visits change only through the
actions, which check the region, keep the visitor's position of the day and write the audit
log."""

from django.contrib import admin

from tongxing.admin_base import ReadOnlyAdmin
from tongxing.visits.models import CampaignDay, Visit, VisitDelivery


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ("id", "visited_on", "visitor", "position", "household", "village", "purpose")
    list_filter = ("position", "purpose")
    raw_id_fields = ("visitor", "household", "village", "visitor_region", "need")


admin.site.register(VisitDelivery, ReadOnlyAdmin)
admin.site.register(CampaignDay, ReadOnlyAdmin)
