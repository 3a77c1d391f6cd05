from django.apps import AppConfig


class EhcConfig(AppConfig):
    name = "tandem.ehc"
    verbose_name = "EHC plans and annual reviews"
