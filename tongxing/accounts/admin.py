"""Accounts in the Django admin: read-only, for superusers.

Accounts change only through the actions (the pages, the API, `tongxing adduser`), which
check who may give which role where and write the audit log; an admin form would not.
"""

from django.contrib import admin

from tongxing.accounts.models import User
from tongxing.admin_base import ReadOnlyAdmin


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ("username", "display_name", "role", "region", "is_active")
    list_filter = ("role", "is_active", "is_superuser")
    search_fields = ("username", "display_name", "email")
    # Never the password's hash.
    fields = (
        "username",
        "display_name",
        "email",
        "role",
        "region",
        "is_active",
        "is_staff",
        "is_superuser",
        "last_login",
        "date_joined",
    )
