from typing import Any

from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_delete


class AdviceConfig(AppConfig):
    name = "tandem.advice"
    verbose_name = "Specialist advice"

    def ready(self) -> None:
        from tandem.advice.models import AdviceDocument

        # Whatever deletes a document's row (its advice, or its pupil at the end of the retention period,
        # in bulk too) takes the file with it, once the deletion is committed: a deletion rolled back
        # keeps its file.
        post_delete.connect(_file_goes_with_row, sender=AdviceDocument, dispatch_uid="tandem.advice.files")


def _file_goes_with_row(sender: Any, instance: Any, **kwargs: Any) -> None:
    from tandem.advice.storage import remove

    stored_name = instance.stored_name
    transaction.on_commit(lambda: remove(stored_name))
