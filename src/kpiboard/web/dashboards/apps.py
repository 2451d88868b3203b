from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "kpiboard.web.dashboards"
    label = "dashboards"
    verbose_name = "Scorecards and indicator pages"
