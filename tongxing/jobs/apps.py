from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "tongxing.jobs"
    verbose_name = _("Background jobs")

    def ready(self):
        from tongxing.jobs import audit_texts

        audit_texts.register()
