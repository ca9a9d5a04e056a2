"""Give the system administrators of deployments made before the webhooks their permissions.

`load_site` leaves an existing role's group alone, so a running deployment's administrators would
otherwise be refused the subscribers' and deliveries' pages. directory/roles.py lists the same
permissions for new deployments and `load_site --reset-roles`.
"""

from django.db import migrations

GRANTS = {
    "system_admin": ["view_subscriber", "add_subscriber", "change_subscriber", "view_delivery", "change_delivery"],
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations (post_migrate); create ours now.
    app_config = apps.get_app_config("webhooks")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    Role = apps.get_model("directory", "Role")
    for role in Role.objects.filter(code__in=GRANTS).select_related("group"):
        role.group.permissions.add(
            *Permission.objects.filter(content_type__app_label="webhooks", codename__in=GRANTS[role.code])
        )


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0002_subscriber_api_client"),
        ("directory", "0006_desk_opening_hours"),
        ("auth", "__latest__"),
        ("contenttypes", "__latest__"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
