from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kpiboard.web.accounts"
    label = "accounts"
    verbose_name = "People and roles"

    def ready(self) -> None:
        # Each registers something: the permissions, the system checks, the sign-in receiver,
        # the second factor's receivers.
        from kpiboard.web.accounts import checks, roles, session_limits, signals  # noqa: F401
