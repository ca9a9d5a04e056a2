"""Roles become data: a free code, a display name and the effects each role may perform.

The built-in roles that exist when this runs get the name and effects directory/roles.py gives them
(any other role gets its code as its name and no effect). Separation of duties: the system
administrator's group loses the permissions that read citizens' dossiers, as in directory/roles.py.
"""

import django.core.validators
from django.db import migrations, models

BUILT_IN = {
    "receiving_officer": (
        "Cán bộ tiếp nhận",
        ["none", "supply_supplement", "return_result", "return_refusal", "withdraw", "apologise"],
    ),
    "handling_officer": (
        "Chuyên viên xử lý",
        [
            "none",
            "request_consultation",
            "answer_consultation",
            "request_supplement",
            "supply_supplement",
            "submit_for_approval",
            "propose_refusal",
            "refuse",
            "return_result",
            "return_refusal",
            "withdraw",
        ],
    ),
    "agency_head": (
        "Lãnh đạo cơ quan",
        [
            "none",
            "assign",
            "request_consultation",
            "answer_consultation",
            "request_supplement",
            "issue_result",
            "approve_draft",
            "send_back",
            "refuse",
            "return_result",
            "return_refusal",
            "withdraw",
            "apologise",
        ],
    ),
    "records_clerk": ("Văn thư", ["issue_numbered"]),
    "province_coordinator": ("Điều phối viên cấp tỉnh", []),
    "system_admin": ("Quản trị hệ thống", []),
}
# What the system administrator no longer reads (directory/roles.py VIEW_DOSSIERS and the tracked spreadsheets).
ADMIN_LOSES = [
    ("dossiers", "view_dossier"),
    ("dossiers", "view_dossierdocument"),
    ("dossiers", "view_dossierevent"),
    ("dossiers", "view_trackedimport"),
    ("portal", "view_servicerating"),
]


def fill(apps, schema_editor):
    Role = apps.get_model("directory", "Role")
    Permission = apps.get_model("auth", "Permission")
    for role in Role.objects.all():
        role.name, role.effects = BUILT_IN.get(role.code, (role.code, []))
        role.save(update_fields=["name", "effects"])
    admin = Role.objects.filter(code="system_admin").select_related("group").first()
    if admin is not None:
        for app_label, codename in ADMIN_LOSES:
            admin.group.permissions.remove(
                *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0004_place_name_and_register_book"),
        ("dossiers", "0013_grant_tracked_permissions"),
        ("auth", "__latest__"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="role",
            options={"ordering": ["name"], "verbose_name": "vai trò", "verbose_name_plural": "vai trò"},
        ),
        migrations.AddField(
            model_name="role",
            name="effects",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Các loại thao tác người giữ vai trò được thực hiện trên hồ sơ.",
                verbose_name="được thực hiện",
            ),
        ),
        # Added without the unique index, filled, then made unique.
        migrations.AddField(
            model_name="role",
            name="name",
            field=models.CharField(default="", max_length=100, verbose_name="tên vai trò"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="role",
            name="code",
            field=models.CharField(
                error_messages={"unique": "Mã vai trò này đã được dùng."},
                help_text="Mã ngắn không dấu, duy nhất, ví dụ van_thu; không đổi sau khi tạo.",
                max_length=32,
                unique=True,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[a-z][a-z0-9_-]{1,31}$",
                        "Mã vai trò gồm chữ thường không dấu, chữ số, dấu gạch dưới hoặc gạch ngang, "
                        "bắt đầu bằng một chữ cái.",
                    )
                ],
                verbose_name="mã vai trò",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="role",
            name="name",
            field=models.CharField(
                error_messages={"unique": "Tên vai trò này đã được dùng."},
                help_text="Tên hiển thị cho cán bộ, ví dụ Văn thư.",
                max_length=100,
                unique=True,
                verbose_name="tên vai trò",
            ),
        ),
    ]
