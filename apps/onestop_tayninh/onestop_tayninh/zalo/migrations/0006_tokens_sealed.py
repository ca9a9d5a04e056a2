"""The OA's tokens sealed at rest (security.sealing): the columns renamed, the stored pair encrypted."""

from django.db import migrations, models

from onestop_tayninh.security.sealing import PREFIX, seal, unseal


def seal_rows(apps, schema_editor):
    OaToken = apps.get_model("zalo", "OaToken")
    for row in OaToken.objects.all():
        for field in ("access_token_sealed", "refresh_token_sealed"):
            value = getattr(row, field)
            if value and not value.startswith(PREFIX):
                setattr(row, field, seal(value))
        row.save(update_fields=["access_token_sealed", "refresh_token_sealed"])


def open_rows(apps, schema_editor):
    OaToken = apps.get_model("zalo", "OaToken")
    for row in OaToken.objects.all():
        row.access_token_sealed = unseal(row.access_token_sealed)
        row.refresh_token_sealed = unseal(row.refresh_token_sealed)
        row.save(update_fields=["access_token_sealed", "refresh_token_sealed"])


class Migration(migrations.Migration):
    dependencies = [("zalo", "0005_chat_replies_in_notices")]

    operations = [
        migrations.RenameField("oatoken", "access_token", "access_token_sealed"),
        migrations.RenameField("oatoken", "refresh_token", "refresh_token_sealed"),
        migrations.AlterField(
            model_name="oatoken",
            name="access_token_sealed",
            field=models.TextField(
                blank=True,
                help_text="Khóa truy cập dùng để gửi tin qua OA, lưu đã mã hóa; trống: làm mới trước khi gửi.",
                verbose_name="access token (đã mã hóa)",
            ),
        ),
        migrations.AlterField(
            model_name="oatoken",
            name="refresh_token_sealed",
            field=models.TextField(
                help_text="Khóa làm mới, lưu đã mã hóa; chỉ dùng được một lần, mỗi lần làm mới Zalo cấp khóa mới.",
                verbose_name="refresh token (đã mã hóa)",
            ),
        ),
        migrations.RunPython(seal_rows, open_rows),
    ]
