"""Events, exemplars, publicity and policies in the Django admin: read-only, for
superusers; they change only through the actions, which check and audit every change."""

from django.contrib import admin

from tongxing.admin_base import ReadOnlyAdmin
from tongxing.events.models import (
    AwardCategory,
    Event,
    Nomination,
    PolicyCompendium,
    PolicyDocument,
    PublicityItem,
    Residency,
    ServiceCentre,
    StorySubmission,
)


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "title", "topic", "starts_on", "region", "participants")
    list_filter = ("kind", "topic")
    search_fields = ("title",)


@admin.register(Nomination)
class NominationAdmin(ReadOnlyAdmin):
    list_display = ("id", "category", "region", "status", "decided_on")
    list_filter = ("status",)
    raw_id_fields = ("household", "person", "organisation")


for model in (
    AwardCategory,
    StorySubmission,
    PublicityItem,
    PolicyDocument,
    PolicyCompendium,
    ServiceCentre,
    Residency,
):
    admin.site.register(model, ReadOnlyAdmin)
