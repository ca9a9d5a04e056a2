import django.db.models.deletion
from django.db import migrations, models


def fill_index(apps, schema_editor):
    # Set-based, so a database with a million dossiers is indexed in minutes (dossiers/search.py).
    from onestop_tayninh.dossiers.search import fill_index_sql

    with schema_editor.connection.cursor() as cursor:
        fill_index_sql(cursor)


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0016_desk_loop_statuses"),
    ]

    operations = [
        migrations.CreateModel(
            name="DossierSearchTerm",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "term", "dossier", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "term",
                    models.CharField(
                        db_collation="utf8mb4_bin",
                        help_text="Chữ của tên (viết thường, bỏ dấu), hai chữ liền nhau, đuôi mã hồ sơ hoặc số viết ngược.",
                        max_length=64,
                        verbose_name="từ khóa",
                    ),
                ),
                (
                    "dossier",
                    models.ForeignKey(
                        help_text="Hồ sơ có từ khóa này.",
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="search_terms",
                        to="dossiers.dossier",
                        verbose_name="hồ sơ",
                    ),
                ),
            ],
            options={
                "verbose_name": "từ khóa tìm kiếm hồ sơ",
                "verbose_name_plural": "từ khóa tìm kiếm hồ sơ",
            },
        ),
        migrations.RunPython(fill_index, migrations.RunPython.noop),
    ]
