from django.contrib import admin

from tongxing.notifications.models import Notification
from tongxing.registry.admin import ReadOnlyAdmin


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("id", "recipient", "kind", "created_at", "read_at")
    list_filter = ("kind",)
