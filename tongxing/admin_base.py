"""The Django admin's one kind of page for our models: read-only.

Our models change only through the actions, which check, audit and keep counters in step;
an admin form would write beside them. Every app's admin builds on this class.
"""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
