from django.db import migrations

SUBJECTS = [
    ("reading", "Reading"),
    ("writing", "Writing"),
    ("maths", "Mathematics"),
    ("english", "English"),
    ("science", "Science"),
]


def add_subjects(apps, schema_editor):
    Subject = apps.get_model("people", "Subject")
    for code, name in SUBJECTS:
        Subject.objects.update_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(add_subjects, migrations.RunPython.noop)]
