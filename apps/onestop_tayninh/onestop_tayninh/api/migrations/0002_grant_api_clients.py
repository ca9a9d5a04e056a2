"""Let the system administrator role of a deployment made before the API existed manage the connected
systems (view, add, change; never delete: a client is deactivated). A new deployment's role gets the same
from directory/roles.py."""

from django.db import migrations

CODENAMES = ["view_apiclient", "add_apiclient", "change_apiclient"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations (post_migrate); create ours now.
    app_config = apps.get_app_config("api")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    Role = apps.get_model("directory", "Role")
    permissions = Permission.objects.filter(content_type__app_label="api", codename__in=CODENAMES)
    for role in Role.objects.filter(code="system_admin").select_related("group"):
        role.group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("directory", "__latest__"),
        ("auth", "__latest__"),
        ("contenttypes", "__latest__"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
