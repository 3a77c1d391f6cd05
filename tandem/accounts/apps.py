from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tandem.accounts"
    label = "accounts"
    verbose_name = "Sign-in"

    def ready(self) -> None:
        # The sign-in library's events become audit events (see tandem.accounts.events).
        from tandem.accounts import events

        events.connect()
