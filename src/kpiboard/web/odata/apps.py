from django.apps import AppConfig


class ODataConfig(AppConfig):
    name = "kpiboard.web.odata"
    label = "odata"
    verbose_name = "OData feed for Power BI and Excel"
