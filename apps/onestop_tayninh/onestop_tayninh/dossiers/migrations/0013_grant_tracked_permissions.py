"""Let the competent agency's officials enter tracked-only dossiers, in deployments made before it existed.

The handling officer and agency head roles get "dossiers.enter_tracked_dossier" and may list the
uploaded spreadsheets; the coordinator and the system administrator may list them. Only roles that
exist when this runs are changed; directory/roles.py lists the same permissions for new deployments
and `load_site --reset-roles`.
"""

from django.db import migrations

GRANTS = {
    "handling_officer": ["enter_tracked_dossier", "view_trackedimport"],
    "agency_head": ["enter_tracked_dossier", "view_trackedimport"],
    "province_coordinator": ["view_trackedimport"],
    "system_admin": ["view_trackedimport"],
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations (post_migrate); create ours now.
    app_config = apps.get_app_config("dossiers")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    Role = apps.get_model("directory", "Role")
    for role in Role.objects.filter(code__in=GRANTS).select_related("group"):
        role.group.permissions.add(
            *Permission.objects.filter(content_type__app_label="dossiers", codename__in=GRANTS[role.code])
        )


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0012_tracked_entries"),
        ("directory", "0003_desk_kind_agency_office"),
        ("auth", "__latest__"),
        ("contenttypes", "__latest__"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
