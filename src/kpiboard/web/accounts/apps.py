from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kpiboard.web.accounts"
    label = "accounts"
    verbose_name = "People and roles"

    def ready(self) -> None:
        # Each registers something: the permissions, the system checks, the sign-in receivers
        # (session limits, the sessions list), the second factor's receivers.
        from kpiboard.web.accounts import (  # noqa: F401
            checks,
            roles,
            session_limits,
            sessions,
            signals,
        )
