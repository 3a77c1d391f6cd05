from django.apps import AppConfig


class InclusionConfig(AppConfig):
    name = "tandem.inclusion"
    verbose_name = "Inclusion base"
