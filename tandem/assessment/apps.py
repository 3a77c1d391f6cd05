from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "tandem.assessment"
    verbose_name = "Assessment"
