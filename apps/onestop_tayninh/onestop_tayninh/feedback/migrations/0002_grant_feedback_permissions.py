"""Give the built-in roles of deployments made before the feedback app their PAKN permissions.

`load_site` leaves an existing role's group alone (edits made in the desk survive), so without this the
heads and handling officers of a running deployment could not see or answer a PAKN. Only roles that exist
when this runs are changed, and permissions are only added; directory/roles.py lists the same ones for new
deployments and `load_site --reset-roles`. The system administrator gets none (separation of duties).
"""

from django.db import migrations

GRANTS = {
    "handling_officer": ["view_feedback", "handle_feedback"],
    "agency_head": ["view_feedback", "handle_feedback", "assign_feedback", "publish_feedback"],
    "province_coordinator": ["view_feedback"],
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations (post_migrate); create ours now.
    app_config = apps.get_app_config("feedback")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    Role = apps.get_model("directory", "Role")
    for role in Role.objects.filter(code__in=GRANTS).select_related("group"):
        role.group.permissions.add(
            *Permission.objects.filter(content_type__app_label="feedback", codename__in=GRANTS[role.code])
        )


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
        ("directory", "__latest__"),
        ("auth", "__latest__"),
        ("contenttypes", "__latest__"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
