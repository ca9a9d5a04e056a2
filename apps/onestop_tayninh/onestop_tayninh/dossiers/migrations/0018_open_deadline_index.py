from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_competent_by_unit"),
        ("directory", "0004_place_name_and_register_book"),
        ("dossiers", "0017_search_terms"),
        ("workflows", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                fields=[
                    "closed_at",
                    "paused_at",
                    "status",
                    "due_at",
                    "assigned_to",
                    "channel",
                    "check_due_at",
                    "created_at",
                ],
                name="dossier_open_deadline_idx",
            ),
        ),
    ]
