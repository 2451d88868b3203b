"""/accounts/tokens/."""

from django.urls import path

from kpiboard.web.api import token_views

urlpatterns = [
    path("", token_views.token_list, name="api_tokens"),
    path("<int:pk>/revoke/", token_views.token_revoke_view, name="api_token_revoke"),
]
