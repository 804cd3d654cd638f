"""The registry in the Django admin: read-only, for superusers.

Changes go through the pages, the API or the import, which validate, encrypt and audit
them; an admin form would write the masked, hashed and encrypted columns out of step.
Only masked numbers are shown, never the ciphertext or its hash.
"""

from django.contrib import admin

from tongxing.admin_base import ReadOnlyAdmin
from tongxing.registry.models import (
    HelperAssignment,
    Household,
    HouseholdStatusChange,
    Member,
    Organisation,
    Person,
)


class MemberInline(admin.TabularInline):
    model = Member
    fields = ("name", "relation", "id_number_masked", "phone_masked", "birth_date", "sex")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class StatusChangeInline(admin.TabularInline):
    model = HouseholdStatusChange
    fields = ("since", "status", "recorded_at", "recorded_by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ("registry_number", "village", "status", "status_since")
    list_filter = (
        "status",
        "disability",
        "serious_illness",
        "left_behind_children",
        "elderly_living_alone",
    )
    search_fields = ("registry_number",)
    list_select_related = ("village",)
    raw_id_fields = ("village",)
    inlines = (MemberInline, StatusChangeInline)


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin):
    list_display = ("name", "relation", "household", "id_number_masked", "phone_masked")
    list_filter = ("relation", "sex", "left_behind_child", "student", "disabled")
    search_fields = ("name",)
    list_select_related = ("household",)
    fields = (
        "household",
        "name",
        "relation",
        "id_number_masked",
        "phone_masked",
        "birth_date",
        "sex",
        "labour_ability",
        "left_behind_child",
        "student",
        "disabled",
    )


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "credit_code", "region")
    list_filter = ("kind",)
    search_fields = ("name", "credit_code")
    list_select_related = ("region",)


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ("name", "position", "organisation", "region", "phone_masked")
    list_filter = ("position",)
    search_fields = ("name",)
    list_select_related = ("organisation", "region")
    fields = ("name", "position", "organisation", "region", "account", "phone_masked")


@admin.register(HelperAssignment)
class HelperAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("person", "household", "since", "until")
    list_select_related = ("person", "household")
