from django import forms
from django.apps import AppConfig

# One wording for a required field left empty, on every form (Django's own is "This field is required.");
# the error summary puts the field's label before it. Fields with a more helpful message of their own
# ("Choose the accountable teacher.") keep it.
REQUIRED = "This cannot be left empty."


class CoreConfig(AppConfig):
    name = "tandem.core"
    verbose_name = "Tandem core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from tandem.core.search import register_sqlite_fold

        forms.Field.default_error_messages = {**forms.Field.default_error_messages, "required": REQUIRED}
        connection_created.connect(register_sqlite_fold, dispatch_uid="tandem_sqlite_fold")
