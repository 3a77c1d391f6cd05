from django.apps import AppConfig


class RevisionsConfig(AppConfig):
    name = "tandem.revisions"
    verbose_name = "Corrections and withdrawals"
