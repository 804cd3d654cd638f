from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "tongxing.regions"
    verbose_name = _("Regions")

    def ready(self):
        from tongxing.regions import audit_texts

        audit_texts.register()
