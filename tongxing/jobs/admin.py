from django.contrib import admin

from tongxing.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "owner", "status", "done", "total", "created_at")
    list_filter = ("status", "kind")
    # The row holds what a job was asked and answered; its files stay sealed on disk.
    readonly_fields = [field.name for field in Job._meta.fields]

    def has_add_permission(self, request):
        return False
