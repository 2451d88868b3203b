from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kpiboard.web.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        # The sign-in and role-change receivers, and who may read the log.
        from kpiboard.web.audit import rules, signals  # noqa: F401
