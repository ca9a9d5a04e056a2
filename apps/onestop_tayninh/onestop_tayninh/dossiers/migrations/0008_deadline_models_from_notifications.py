"""DeadlineAlert and ApologyDraft come from the notifications app (see notifications 0008).

State only: the tables keep their names (`db_table`). The content types are renamed rather than
recreated, so permissions and audit rows that point at them keep pointing at the same models.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("deadlinealert", "apologydraft"):
        if not ContentType.objects.filter(app_label="dossiers", model=model).exists():
            ContentType.objects.filter(app_label="notifications", model=model).update(app_label="dossiers")


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("deadlinealert", "apologydraft"):
        if not ContentType.objects.filter(app_label="notifications", model=model).exists():
            ContentType.objects.filter(app_label="dossiers", model=model).update(app_label="notifications")


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0001_initial"),
        ("dossiers", "0007_gated_file_fields"),
        ("notifications", "0008_deadline_models_to_dossiers"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ApologyDraft",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "original_due_at",
                            models.DateTimeField(
                                help_text="Ngày hẹn trả kết quả khi lập dự thảo.", verbose_name="ngày hẹn hiện tại"
                            ),
                        ),
                        (
                            "prepared_at",
                            models.DateTimeField(
                                db_index=True, help_text="Lúc hệ thống lập dự thảo.", verbose_name="lập lúc"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Chờ lãnh đạo xác nhận"),
                                    ("confirmed", "Đã gửi phiếu xin lỗi"),
                                    ("dismissed", "Không cần (hồ sơ đã xong)"),
                                ],
                                default="pending",
                                help_text="Chờ xác nhận, đã gửi hoặc không cần.",
                                max_length=16,
                                verbose_name="trạng thái",
                            ),
                        ),
                        (
                            "confirmed_at",
                            models.DateTimeField(
                                blank=True, help_text="Lúc xác nhận.", null=True, verbose_name="xác nhận lúc"
                            ),
                        ),
                        (
                            "agency",
                            models.ForeignKey(
                                blank=True,
                                help_text="Cơ quan đang giữ hồ sơ: lãnh đạo cơ quan xác nhận và gửi phiếu xin lỗi.",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="directory.agency",
                                verbose_name="cơ quan chịu trách nhiệm",
                            ),
                        ),
                        (
                            "confirmed_by",
                            models.ForeignKey(
                                blank=True,
                                help_text="Lãnh đạo đã xác nhận gửi phiếu.",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="người xác nhận",
                            ),
                        ),
                        (
                            "dossier",
                            models.OneToOneField(
                                help_text="Hồ sơ có nguy cơ trễ hạn.",
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="apology_draft",
                                to="dossiers.dossier",
                                verbose_name="hồ sơ",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "dự thảo phiếu xin lỗi (Mẫu 04)",
                        "verbose_name_plural": "dự thảo phiếu xin lỗi (Mẫu 04)",
                        "db_table": "notifications_apologydraft",
                        "ordering": ["-prepared_at", "-pk"],
                    },
                ),
                migrations.CreateModel(
                    name="DeadlineAlert",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[("due_soon", "Sắp đến hạn"), ("overdue", "Quá hạn")],
                                help_text="Sắp đến hạn hay đã quá hạn.",
                                max_length=16,
                                verbose_name="loại",
                            ),
                        ),
                        (
                            "due_at",
                            models.DateTimeField(
                                help_text="Hạn trả kết quả khi đánh dấu.", verbose_name="hạn lúc đánh dấu"
                            ),
                        ),
                        (
                            "raised_at",
                            models.DateTimeField(
                                db_index=True, help_text="Lúc quét thời hạn phát hiện.", verbose_name="đánh dấu lúc"
                            ),
                        ),
                        (
                            "agency",
                            models.ForeignKey(
                                blank=True,
                                help_text="Cơ quan đang giữ hồ sơ khi đánh dấu.",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="directory.agency",
                                verbose_name="cơ quan đang giữ",
                            ),
                        ),
                        (
                            "dossier",
                            models.ForeignKey(
                                help_text="Hồ sơ được đánh dấu.",
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="deadline_alerts",
                                to="dossiers.dossier",
                                verbose_name="hồ sơ",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "cảnh báo thời hạn",
                        "verbose_name_plural": "cảnh báo thời hạn",
                        "db_table": "notifications_deadlinealert",
                        "ordering": ["-raised_at", "-pk"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("dossier", "kind", "due_at"), name="notifications_alert_unique"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
