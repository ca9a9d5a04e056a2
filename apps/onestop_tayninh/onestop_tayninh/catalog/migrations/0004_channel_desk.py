"""One spelling for a walk-in: the procedures' methods say "desk", as a dossier's channel always did.

The catalogue wrote "in_person" for what the dossiers call "desk"; Channel is now defined once
(catalog.constants) with "desk". Only the procedure versions' JSON lists store the value.
"""

from django.db import migrations

FIELDS = ("submission_methods", "return_methods")


def _respell(apps, old: str, new: str) -> None:
    ProcedureVersion = apps.get_model("catalog", "ProcedureVersion")
    for version in ProcedureVersion.objects.only("pk", *FIELDS).iterator():
        changed = {
            field: [new if value == old else value for value in getattr(version, field) or []]
            for field in FIELDS
            if old in (getattr(version, field) or [])
        }
        if changed:
            ProcedureVersion.objects.filter(pk=version.pk).update(**changed)


def forwards(apps, schema_editor):
    _respell(apps, "in_person", "desk")


def backwards(apps, schema_editor):
    _respell(apps, "desk", "in_person")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_gated_file_fields")]

    operations = [migrations.RunPython(forwards, backwards)]
