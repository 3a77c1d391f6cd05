from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tandem.audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        from django.core import checks

        from tandem.audit.checks import audit_triggers_check

        checks.register(audit_triggers_check)
