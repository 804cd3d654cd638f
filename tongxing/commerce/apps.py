from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommerceConfig(AppConfig):
    name = "tongxing.commerce"
    verbose_name = _("Consumption and e-commerce assistance")

    def ready(self):
        from tongxing.commerce import (
            audit_texts,
            jobs,  # noqa: F401 (registers the runner of its jobs)
        )

        audit_texts.register()
