"""Accounts in the Django admin, for superusers: read, and added through the action.

Accounts change only through the actions (the pages, the API, `tongxing adduser`), which
check who may give which role where and write the audit log. The admin adds an account
with `create_user` too, and changes or deletes none.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.core.exceptions import PermissionDenied, ValidationError

from tongxing.accounts import actions
from tongxing.accounts.models import User


class NewAccountForm(AdminUserCreationForm):
    """Django's form for a new user, checked as `create_user` will check it."""

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            actions.check_new_account(
                username=data.get("username", ""),
                role=data.get("role", ""),
                region=data.get("region"),
                password=self._new_password(),
                display_name=data.get("display_name", ""),
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return data

    def _new_password(self) -> str | None:
        usable = self.cleaned_data.get("set_usable_password", True)
        return self.cleaned_data.get("password1") or None if usable else None


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "display_name", "role", "region", "is_active")
    list_filter = ("role", "is_active", "is_superuser")
    search_fields = ("username", "display_name", "email")
    raw_id_fields = ("region",)
    add_form = NewAccountForm
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("Tongxing", {"fields": ("role", "region", "display_name")}),
    )
    # What an account's page shows (never the password's hash); it changes nothing.
    fieldsets = (
        (None, {"fields": ("username", "display_name", "email", "role", "region")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )

    def has_change_permission(self, request, obj=None):
        # Django adds users only for those who may change users; no account is changed.
        return obj is None

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied
        user = actions.create_user(
            username=obj.username,
            role=obj.role,
            region=obj.region,
            password=form._new_password(),
            display_name=obj.display_name,
            email=obj.email,
            by=request.user,
        )
        obj.pk, obj._state.adding = user.pk, False
