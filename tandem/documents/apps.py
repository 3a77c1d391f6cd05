from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "tandem.documents"
    verbose_name = "School documents"
