from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "tongxing.indicators"
    verbose_name = _("Indicators")

    def ready(self):
        from tongxing.indicators import audit_texts

        audit_texts.register()
