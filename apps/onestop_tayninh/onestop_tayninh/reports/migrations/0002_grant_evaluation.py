"""Give the heads and the coordinators of a deployment made before the evaluation existed its pages: the
dashboards and indicators, urging late work, the periodic statistical reports. A new deployment's roles
get the same from directory/roles.py."""

from django.db import migrations

CODENAMES = ["view_dashboard", "send_urging", "view_statistics"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations (post_migrate); create ours now.
    app_config = apps.get_app_config("reports")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    Role = apps.get_model("directory", "Role")
    permissions = Permission.objects.filter(content_type__app_label="reports", codename__in=CODENAMES)
    for role in Role.objects.filter(code__in=("agency_head", "province_coordinator")).select_related("group"):
        role.group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("directory", "__latest__"),
        ("auth", "__latest__"),
        ("contenttypes", "__latest__"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
