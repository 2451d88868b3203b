"""/oidc/authenticate/ sends the person to the provider; /oidc/callback/ is the redirect URI
registered with the provider."""

from django.urls import path

from kpiboard.web.oidc import views

urlpatterns = [
    path("authenticate/", views.sign_in, name="oidc_sign_in"),
    path("callback/", views.callback, name="oidc_callback"),
]
