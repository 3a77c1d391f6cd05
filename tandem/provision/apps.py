from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete


class ProvisionConfig(AppConfig):
    name = "tandem.provision"
    verbose_name = "Interventions and provision"

    def ready(self) -> None:
        from tandem.provision.models import SessionLog

        # A session log's versions name no pupil, so no foreign key takes them with the log: whatever
        # deletes a log (its group or school going, in bulk too) takes its history with it.
        post_delete.connect(_versions_go_with_log, sender=SessionLog, dispatch_uid="tandem.provision.logs")


def _versions_go_with_log(sender: Any, instance: Any, **kwargs: Any) -> None:
    from tandem.revisions.kinds import SESSION_LOG
    from tandem.revisions.services import record_versions_delete

    record_versions_delete(record_type=SESSION_LOG.record_type, record_ids=[instance.pk])
