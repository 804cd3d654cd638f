from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from tongxing.accounts.models import AuditEvent, User


@admin.register(User)
class TongxingUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "role", "region", "is_active")
    list_filter = ("role", "is_active", "is_superuser")
    search_fields = ("username", "display_name", "email")
    raw_id_fields = ("region",)
    fieldsets = (*UserAdmin.fieldsets, ("Tongxing", {"fields": ("role", "region", "display_name")}))
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        ("Tongxing", {"fields": ("role", "region", "display_name")}),
    )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only, even for superusers."""

    list_display = ("at", "actor", "action", "object_type", "object_id", "region_code")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "region_code")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
