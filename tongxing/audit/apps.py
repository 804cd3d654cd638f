from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit log and how its events read. It lies beneath the regions and every app
    above them: it imports none of them (apps register their words with `events`)."""

    name = "tongxing.audit"
    verbose_name = _("Audit log")
