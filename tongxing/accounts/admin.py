from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from tongxing.accounts.models import User


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
