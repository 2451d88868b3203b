from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kpiboard.web.api"
    label = "api"
    verbose_name = "API"
