from django.contrib import admin

from tongxing.admin_base import ReadOnlyAdmin
from tongxing.jobs.models import Job


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    """Read-only: a job's row holds what it was asked and answered; its files stay sealed
    on disk, and only its owner fetches them (audited)."""

    list_display = ("id", "kind", "owner", "status", "done", "total", "created_at")
    list_filter = ("status", "kind")
