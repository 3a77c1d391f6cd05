from django.apps import AppConfig


class NeedsAssessmentConfig(AppConfig):
    name = "tandem.needs_assessment"
    verbose_name = "EHC needs assessment requests"
