from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "tandem.exchange"
    verbose_name = "Imports and exports"
