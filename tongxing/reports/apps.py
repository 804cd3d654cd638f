from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "tongxing.reports"
    label = "reports"

    def ready(self) -> None:
        # Registers the report's kind of background job.
        from tongxing.reports import jobs  # noqa: F401
