"""The desk's own counter of outgoing numbers folds into the issuing body's one register a year.

Forms 02 and 03 at the desk were numbered from a counter per desk, the records clerk's signed
results from the body's register (dossiers.OutgoingRegister): two sequences for one body, where
Nghị định 30/2020 gives a body one. Each number already given stays as it was, now filed under the
desk's body, and the body's register continues after the highest number either sequence reached.

A body with two desks whose counters gave the same number in the same year cannot hold both under
one unique number: the first step refuses before any table changes, with the numbers to settle.
"""

import django.db.models.deletion
from django.db import migrations, models


def refuse_clashes(apps, schema_editor):
    OutgoingNumber = apps.get_model("printing", "OutgoingNumber")
    seen: dict[tuple[int, int, int], int] = {}
    clashes = []
    for row in OutgoingNumber.objects.select_related("desk").order_by("pk"):
        key = (row.desk.agency_id, row.year, row.number)
        if key in seen:
            clashes.append(f"cơ quan {key[0]}, năm {key[1]}, số {key[2]}")
        seen[key] = row.pk
    if clashes:
        raise RuntimeError(
            "Hai bộ phận của cùng một cơ quan đã cấp trùng số văn bản đi; hãy xử lý trước khi gộp sổ: "
            + "; ".join(clashes)
        )


def fold_counters(apps, schema_editor):
    OutgoingCounter = apps.get_model("printing", "OutgoingCounter")
    OutgoingNumber = apps.get_model("printing", "OutgoingNumber")
    OutgoingRegister = apps.get_model("dossiers", "OutgoingRegister")
    for counter in OutgoingCounter.objects.select_related("desk"):
        register, _ = OutgoingRegister.objects.get_or_create(agency_id=counter.desk.agency_id, year=counter.year)
        if counter.last_number > register.last_number:
            register.last_number = counter.last_number
            register.save(update_fields=["last_number"])
    for row in OutgoingNumber.objects.select_related("desk"):
        row.agency_id = row.desk.agency_id
        row.save(update_fields=["agency"])


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0005_roles_as_data"),
        ("dossiers", "0021_inbox_tallies"),
        ("printing", "0004_outgoing_numbers_and_refusal_notice"),
    ]

    operations = [
        migrations.RunPython(refuse_clashes, migrations.RunPython.noop),
        migrations.AddField(
            model_name="outgoingnumber",
            name="agency",
            field=models.ForeignKey(
                null=True,
                help_text="Cơ quan ban hành văn bản, có sổ văn bản đi cấp số này.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="directory.agency",
                verbose_name="cơ quan",
            ),
        ),
        migrations.RunPython(fold_counters, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="outgoingnumber",
            name="agency",
            field=models.ForeignKey(
                help_text="Cơ quan ban hành văn bản, có sổ văn bản đi cấp số này.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="directory.agency",
                verbose_name="cơ quan",
            ),
        ),
        migrations.RemoveConstraint(model_name="outgoingnumber", name="printing_outgoing_number_unique"),
        migrations.RemoveField(model_name="outgoingnumber", name="desk"),
        migrations.AddConstraint(
            model_name="outgoingnumber",
            constraint=models.UniqueConstraint(
                fields=("agency", "year", "number"), name="printing_outgoing_agency_number"
            ),
        ),
        migrations.AlterField(
            model_name="outgoingnumber",
            name="number",
            field=models.PositiveIntegerField(
                help_text="Số thứ tự trong sổ văn bản đi của cơ quan trong năm.", verbose_name="số"
            ),
        ),
        migrations.DeleteModel(name="OutgoingCounter"),
    ]
