from django.apps import AppConfig


class ParentsConfig(AppConfig):
    name = "tandem.parents"
    verbose_name = "Parents and carers"
