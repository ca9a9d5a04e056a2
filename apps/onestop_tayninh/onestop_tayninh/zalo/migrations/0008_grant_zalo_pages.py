"""Let the system administrator role of a deployment made before the Zalo pages existed see them: the OA
settings, the ZNS templates, the events (the Zalo queue), the OA's users (block, unblock) and the
submissions by photos. A new deployment's role gets the same from directory/roles.py."""

from django.db import migrations

CODENAMES = [
    "view_oasettings",
    "view_znstemplate",
    "add_znstemplate",
    "change_znstemplate",
    "view_zaloevent",
    "view_zalouser",
    "change_zalouser",
    "view_zalosubmission",
]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations (post_migrate); create ours now.
    app_config = apps.get_app_config("zalo")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    Role = apps.get_model("directory", "Role")
    permissions = Permission.objects.filter(content_type__app_label="zalo", codename__in=CODENAMES)
    for role in Role.objects.filter(code="system_admin").select_related("group"):
        role.group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("zalo", "0007_submission_unit"),
        ("directory", "__latest__"),
        ("auth", "__latest__"),
        ("contenttypes", "__latest__"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
