from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NeedsConfig(AppConfig):
    name = "tongxing.needs"
    verbose_name = _("Needs board")

    def ready(self):
        from tongxing.needs import audit_texts

        audit_texts.register()
