from django.db import migrations

from tandem.audit import triggers


def forwards(apps, schema_editor):
    triggers.install(schema_editor.connection, tables=(triggers.TABLE,))


def backwards(apps, schema_editor):
    triggers.remove(schema_editor.connection, tables=(triggers.TABLE,))


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
