from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kpiboard.web.accounts"
    label = "accounts"
    verbose_name = "People and roles"

    def ready(self) -> None:
        from kpiboard.web.accounts import roles  # noqa: F401  (registers the permissions)
