from django.apps import AppConfig


class OidcConfig(AppConfig):
    name = "kpiboard.web.oidc"
    label = "oidc"
    verbose_name = "Sign-in with the identity provider"
