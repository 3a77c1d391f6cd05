"""The words written before staff and interventions could be chosen stay, as the 'others' text: nothing is
lost, and the one-line fields the history keeps already hold the same words."""

from typing import Any

from django.db import migrations
from django.db.models import F


def keep_old_text(apps: Any, schema_editor: Any) -> None:
    SupportPlan = apps.get_model("plans", "SupportPlan")
    Target = apps.get_model("plans", "Target")
    SupportPlan.objects.exclude(interventions="").filter(other_interventions="").update(
        other_interventions=F("interventions")
    )
    # The old field took up to 300 characters, as the 'others' field does.
    Target.objects.exclude(supporters="").filter(other_supporters="").update(other_supporters=F("supporters"))


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0003_plan_interventions_and_target_supporters_linked"),
    ]

    operations = [migrations.RunPython(keep_old_text, migrations.RunPython.noop)]
