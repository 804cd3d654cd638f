from django.apps import AppConfig


class TongxingConfig(AppConfig):
    """The project itself, as an app: the shell's templates and the project-wide commands."""

    name = "tongxing"
    verbose_name = "Tongxing"
