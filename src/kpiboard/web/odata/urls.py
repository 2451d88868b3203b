"""/odata/: the OData v4 service for Power BI and Excel, and the flat feed."""

from django.urls import path

from kpiboard.web.odata import feeds, views

urlpatterns = [
    path("odata/", views.service, name="odata_service"),
    path("odata/$metadata", views.metadata, name="odata_metadata"),
    path("odata/feeds/figures.csv", feeds.figures_csv, name="odata_figures_csv"),
    path("odata/feeds/figures.json", feeds.figures_json, name="odata_figures_json"),
    path("odata/<str:name>", views.entity_set, name="odata_entity_set"),
]
