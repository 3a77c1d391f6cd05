from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PeopleConfig(AppConfig):
    name = "tandem.people"
    verbose_name = "People"

    def ready(self) -> None:
        from tandem.people.codesets import sync_subjects

        # Code sets are data, synced after every migrate and flush, so tests and fresh databases agree.
        post_migrate.connect(sync_subjects, sender=self, dispatch_uid="tandem.people.codesets")
