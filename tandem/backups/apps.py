from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "tandem.backups"
    verbose_name = "Backups"
