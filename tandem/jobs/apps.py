from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "tandem.jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        # Each app's `jobs.py` registers the kinds of job it runs (see tandem.jobs.registry).
        autodiscover_modules("jobs")
