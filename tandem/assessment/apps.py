from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AssessmentConfig(AppConfig):
    name = "tandem.assessment"
    verbose_name = "Assessment"

    def ready(self) -> None:
        from tandem.assessment.codesets import sync_scales

        # Code sets are data, synced after every migrate and flush, so tests and fresh databases agree.
        post_migrate.connect(sync_scales, sender=self, dispatch_uid="tandem.assessment.codesets")
