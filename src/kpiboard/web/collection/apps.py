from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "kpiboard.web.collection"
    label = "collection"
    verbose_name = "Data collection"
