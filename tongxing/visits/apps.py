from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "tongxing.visits"
    verbose_name = _("Visits")

    def ready(self):
        from tongxing.visits import audit_texts

        audit_texts.register()
