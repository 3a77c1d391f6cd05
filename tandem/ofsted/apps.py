from django.apps import AppConfig


class OfstedConfig(AppConfig):
    name = "tandem.ofsted"
    verbose_name = "Ofsted inspection pack"
