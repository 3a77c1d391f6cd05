from django.apps import AppConfig


class SubjectAccessConfig(AppConfig):
    name = "tandem.subject_access"
    verbose_name = "Subject access requests"
