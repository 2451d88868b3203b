from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "kpiboard.web.reporting"
    label = "reporting"
    verbose_name = "Report runs and publication"

    def ready(self) -> None:
        from kpiboard.web.reporting import signals

        signals.connect()
