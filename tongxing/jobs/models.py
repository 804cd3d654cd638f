"""Work that takes longer than a page may wait for: a large import or export, run in a
thread of the server process that took the request (see actions.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)


class Job(models.Model):
    """One piece of background work of one account: only its owner sees it.

    Its files (the upload it works on, the file it makes) lie sealed under
    MEDIA_ROOT/jobs/<directory>, with the job's own key, itself encrypted with the data key.
    Progress while it runs is in a file there too (`files.read_progress`): on SQLite a
    long import holds the only write lock, so a progress row could not be written.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    kind = models.CharField(_("kind"), max_length=40)
    # The roles the owner must still hold for the job to run and its file to be fetched.
    roles = models.JSONField(_("roles"), default=list)
    params = models.JSONField(_("parameters"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("total"), default=0)
    done = models.PositiveIntegerField(_("done"), default=0)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    directory = models.CharField(max_length=64, blank=True)
    file_key = models.CharField(max_length=200, blank=True)
    input_name = models.CharField(_("file"), max_length=255, blank=True)
    output_name = models.CharField(_("result file"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        indexes = [
            models.Index(fields=["status", "created_at"], name="job_status_created"),
            models.Index(fields=["owner", "created_at"], name="job_owner_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=JobStatus.values), name="job_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status not in UNFINISHED

    @property
    def has_file(self) -> bool:
        return self.status == JobStatus.DONE and bool(self.output_name)
