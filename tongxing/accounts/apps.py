from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tongxing.accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from tongxing.accounts import audit_texts

        audit_texts.register()
