from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kpiboard.web.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        # The sign-in and role-change receivers, who may read the log, the security alerts and
        # the deployment checks.
        from kpiboard.web import deployment  # noqa: F401
        from kpiboard.web.audit import alerts, rules, signals  # noqa: F401
