from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "tongxing.programs"
    verbose_name = _("Pairing programmes")

    def ready(self):
        from tongxing.programs import audit_texts

        audit_texts.register()
