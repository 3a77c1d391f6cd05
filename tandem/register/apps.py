from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "tandem.register"
    verbose_name = "SEN register"
