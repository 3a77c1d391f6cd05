from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tandem.notifications"
    verbose_name = "Emails and reminders"
