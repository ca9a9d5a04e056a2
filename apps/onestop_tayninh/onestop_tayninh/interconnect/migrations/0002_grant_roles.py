"""Give the roles of a deployment made before the hand-overs existed their permissions: the receiving
officer and the agency head send and follow hand-overs, the system administrator declares the peer
installations. A new deployment's roles get the same from directory/roles.py."""

from django.db import migrations

GRANTS = {
    "receiving_officer": ["add_handover", "view_handover", "view_receivedhandover"],
    "agency_head": ["add_handover", "view_handover", "view_receivedhandover"],
    "system_admin": [
        "view_peerinstallation",
        "add_peerinstallation",
        "change_peerinstallation",
        "view_handover",
        "view_receivedhandover",
    ],
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations (post_migrate); create ours now.
    app_config = apps.get_app_config("interconnect")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    Role = apps.get_model("directory", "Role")
    for role in Role.objects.filter(code__in=GRANTS).select_related("group"):
        permissions = Permission.objects.filter(content_type__app_label="interconnect", codename__in=GRANTS[role.code])
        role.group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("interconnect", "0001_initial"),
        ("directory", "__latest__"),
        ("auth", "__latest__"),
        ("contenttypes", "__latest__"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
