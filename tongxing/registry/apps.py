from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "tongxing.registry"
    verbose_name = _("Registry")

    def ready(self):
        from django.core import checks

        from tongxing.registry import (
            audit_texts,
            jobs,  # noqa: F401 (registers the runners of its jobs)
        )

        checks.register(check_data_key, checks.Tags.security, deploy=True)
        audit_texts.register()


def check_data_key(app_configs, **kwargs):
    """Production keeps the personal-data keys in its environment, not in files beside it."""
    from django.conf import settings
    from django.core.checks import Error

    from tongxing import personal_data

    if not settings.TONGXING_DATA_KEY:
        return [
            Error(
                "TONGXING_DATA_KEY is not set: personal data would be encrypted with a key "
                "kept in var/ beside the database.",
                hint="Create one with `tongxing datakey new` and set it in the environment.",
                id="tongxing.E001",
            )
        ]
    if not settings.TONGXING_INDEX_KEY:
        return [
            Error(
                "TONGXING_INDEX_KEY is not set: the keyed hashes that find ID numbers and keep "
                "them unique would be made with a key kept in var/ beside the database.",
                hint="A new installation: create one with `tongxing datakey new`. One that "
                "already holds data: `tongxing datakey index-key` prints the key its hashes "
                "were made with. Set it in the environment.",
                id="tongxing.E003",
            )
        ]
    try:
        personal_data.keys()
    except personal_data.DataKeyError as exc:
        return [Error(str(exc), id="tongxing.E002")]
    return []
