from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "tandem.progress"
    verbose_name = "Progress (Code 6.17)"
