"""Scorecards and indicator pages (issue 5)."""

from django.urls import path

from kpiboard.web.dashboards import rebase, strategic, views

urlpatterns = [
    path("scorecard/", views.organisation_scorecard, name="scorecard"),
    path(
        "scorecard/directorate/<str:code>/",
        views.directorate_scorecard,
        name="directorate_scorecard",
    ),
    path("scorecard/strategic/", strategic.strategic_scorecard, name="strategic_scorecard"),
    path(
        "scorecard/strategic/<str:code>/",
        strategic.strategic_scorecard,
        name="strategic_directorate_scorecard",
    ),
    path(
        "scorecard/committee/<str:code>/",
        views.committee_scorecard,
        name="committee_scorecard",
    ),
    path("indicators/<str:ref>/", views.indicator_page, name="indicator_page"),
    path("indicators/<str:ref>/rebase/", rebase.indicator_rebase, name="indicator_rebase"),
    path(
        "indicators/<str:ref>/rebase/undo/",
        rebase.indicator_rebase_undo,
        name="indicator_rebase_undo",
    ),
]
