from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "kpiboard.web.register"
    label = "register"
    verbose_name = "KPI register"

    def ready(self) -> None:
        from kpiboard.web.register import signals

        signals.connect()
