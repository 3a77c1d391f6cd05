from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "tandem.schools"
    verbose_name = "Schools"
