"""Let every official role read the register of outgoing documents (results and refusals as issued),
in deployments made before it existed. Only roles that exist when this runs are changed; a missing
records clerk role is made by `load_site` from directory/roles.py, which lists the same permission."""

from django.db import migrations

# Not the system administrator: separation of duties (directory/roles.py), they read no dossier's papers.
ROLES = ["receiving_officer", "handling_officer", "agency_head", "province_coordinator"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations (post_migrate); create ours now.
    app_config = apps.get_app_config("dossiers")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    Role = apps.get_model("directory", "Role")
    permission = Permission.objects.filter(content_type__app_label="dossiers", codename="view_issueddocument")
    for role in Role.objects.filter(code__in=ROLES).select_related("group"):
        role.group.permissions.add(*permission)


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0019_result_drafts_and_issued_documents"),
        ("auth", "__latest__"),
        ("contenttypes", "__latest__"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
