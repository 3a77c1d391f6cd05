from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RegisterConfig(AppConfig):
    name = "tandem.register"
    verbose_name = "SEN register"

    def ready(self) -> None:
        from tandem.register.codesets import sync_need_types

        # Code sets are data, synced after every migrate and flush, so tests and fresh databases agree.
        post_migrate.connect(sync_need_types, sender=self, dispatch_uid="tandem.register.codesets")
