"""Give the system administrator role (quản trị hệ thống) the right to read the audit trail.

Only roles that exist when this runs are changed. directory/roles.py should also list
"security.view_auditevent" for system_admin, so new deployments and `load_site --reset-roles`
keep it.
"""

from django.db import migrations

PERMISSIONS = [
    ("security", "auditevent", "view_auditevent"),
    ("axes", "accessattempt", "view_accessattempt"),
    ("axes", "accessattempt", "delete_accessattempt"),
]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations (post_migrate); create ours now.
    for label in ("security", "axes"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    Role = apps.get_model("directory", "Role")
    permissions = list(
        Permission.objects.filter(
            content_type__app_label__in=[p[0] for p in PERMISSIONS],
            codename__in=[p[2] for p in PERMISSIONS],
        )
    )
    for role in Role.objects.filter(code="system_admin").select_related("group"):
        role.group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("security", "0002_append_only_triggers"),
        ("directory", "0001_initial"),
        ("axes", "__latest__"),
        ("auth", "__latest__"),
        ("contenttypes", "__latest__"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
