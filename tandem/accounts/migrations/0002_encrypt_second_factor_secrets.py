"""Encrypt the authenticator-app secrets and recovery-code seeds stored before tandem/accounts/mfa.py."""

from django.db import migrations

from tandem.accounts.mfa import PREFIX, encrypt_secret

# Where each kind of authenticator keeps its secret in `data`.
SECRET_FIELDS = {"totp": "secret", "recovery_codes": "seed"}


def encrypt_stored(apps, schema_editor):
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=list(SECRET_FIELDS)):
        field = SECRET_FIELDS[authenticator.type]
        value = authenticator.data.get(field)
        if isinstance(value, str) and not value.startswith(PREFIX):
            authenticator.data[field] = encrypt_secret(value)
            authenticator.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("mfa", "0003_authenticator_type_uniq")]
    operations = [migrations.RunPython(encrypt_stored, migrations.RunPython.noop)]
