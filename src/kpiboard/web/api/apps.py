from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kpiboard.web.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        # A password reset revokes the person's tokens.
        from kpiboard.web.api import signals  # noqa: F401
