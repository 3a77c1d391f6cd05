from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "tandem.retention"
    verbose_name = "Retention and erasure"
