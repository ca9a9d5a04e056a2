"""DeadlineAlert and ApologyDraft are dossier concepts: they move to the dossiers app.

State only: the tables stay as they are (the models keep their table names), and the content
types move with them in dossiers 0008, so permissions already granted still apply.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0007_seed_step_waiting_templates"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="deadlinealert",
                    name="agency",
                ),
                migrations.RemoveField(
                    model_name="deadlinealert",
                    name="dossier",
                ),
                migrations.DeleteModel(
                    name="ApologyDraft",
                ),
                migrations.DeleteModel(
                    name="DeadlineAlert",
                ),
            ],
            database_operations=[],
        ),
    ]
