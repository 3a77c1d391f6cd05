from django.apps import AppConfig


class ProvisionConfig(AppConfig):
    name = "tandem.provision"
    verbose_name = "Interventions and provision"
