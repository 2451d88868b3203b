"""Proposed strategic indicators: /proposals/ and a round's pages under /proposals/<code>/."""

from django.urls import path

from kpiboard.web.proposals import views

urlpatterns = [
    path("proposals/", views.round_list, name="proposal_rounds"),
]
