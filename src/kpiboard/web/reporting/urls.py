"""Report runs (/reports/, the performance team), published reports (/published/) and open data
(/open-data/), both public."""

from django.urls import path

from kpiboard.web.reporting import public, views

urlpatterns = [
    path("reports/", views.run_list, name="report_runs"),
    path("reports/<int:pk>/", views.run_detail, name="report_run"),
    path("reports/<int:pk>/status/", views.run_status, name="report_run_status"),
    path("reports/<int:pk>/preview/", views.run_preview, name="report_run_preview"),
    path("reports/<int:pk>/generate/", views.run_generate, name="report_run_generate"),
    path("reports/<int:pk>/files/<str:fmt>/", views.run_file, name="report_run_file"),
    path("reports/<int:pk>/publish/", views.run_publish, name="report_run_publish"),
    path(
        "published/<int:pk>/withdraw/",
        views.publication_withdraw,
        name="publication_withdraw",
    ),
    path(
        "published/<int:pk>/take-down/",
        views.publication_take_down,
        name="publication_take_down",
    ),
    path("published/<int:pk>/replace/", views.publication_replace, name="publication_replace"),
    path("published/", public.published_list, name="published"),
    path("published/<int:pk>/", public.publication_detail, name="publication"),
    path("published/<int:pk>/files/<str:fmt>/", public.publication_file, name="publication_file"),
    path("open-data/", public.open_data, name="open_data"),
    path("open-data/figures.csv", public.open_data_csv, name="open_data_csv"),
    path("open-data/figures.json", public.open_data_json, name="open_data_json"),
]
