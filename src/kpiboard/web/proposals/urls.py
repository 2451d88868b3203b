"""Proposed strategic indicators: /proposals/, a round at /proposals/<code>/ and its proposals
at /proposals/<code>/<ref>/."""

from django.urls import path

from kpiboard.web.proposals import views

urlpatterns = [
    path("proposals/", views.round_list, name="proposal_rounds"),
    path("proposals/new/", views.round_edit, name="proposal_round_new"),
    path("proposals/<str:code>/", views.round_detail, name="proposal_round"),
    path("proposals/<str:code>/edit/", views.round_edit, name="proposal_round_edit"),
    path(
        "proposals/<str:code>/close/",
        views.round_state,
        {"move": "close"},
        name="proposal_round_close",
    ),
    path(
        "proposals/<str:code>/reopen/",
        views.round_state,
        {"move": "reopen"},
        name="proposal_round_reopen",
    ),
    path("proposals/<str:code>/new/", views.proposal_new, name="proposal_new"),
    path("proposals/<str:code>/history/", views.round_history, name="proposal_round_history"),
    path("proposals/<str:code>/<str:ref>/", views.proposal_detail, name="proposal"),
    path("proposals/<str:code>/<str:ref>/edit/", views.proposal_edit, name="proposal_edit"),
    path(
        "proposals/<str:code>/<str:ref>/put-forward/",
        views.proposal_put_forward,
        name="proposal_put_forward",
    ),
    path("proposals/<str:code>/<str:ref>/comments/", views.comment_new, name="proposal_comment"),
    path(
        "proposals/<str:code>/<str:ref>/comments/<int:pk>/response/",
        views.comment_response,
        name="proposal_response",
    ),
    path("proposals/<str:code>/<str:ref>/decide/", views.proposal_decide, name="proposal_decide"),
    path(
        "proposals/<str:code>/<str:ref>/history/",
        views.proposal_history,
        name="proposal_history",
    ),
]
