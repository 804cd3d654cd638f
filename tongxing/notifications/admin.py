from django.contrib import admin

from tongxing.admin_base import ReadOnlyAdmin
from tongxing.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("id", "recipient", "kind", "created_at", "read_at")
    list_filter = ("kind",)
