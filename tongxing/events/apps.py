from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "tongxing.events"
    verbose_name = _("Events, exemplars, publicity and policies")

    def ready(self):
        from tongxing.events import audit_texts

        audit_texts.register()
