from django.contrib import admin

from tongxing.admin_base import ReadOnlyAdmin
from tongxing.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the audit log is append-only, even for superusers."""

    list_display = ("at", "actor", "action", "object_type", "object_id", "region_code")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "region_code")
