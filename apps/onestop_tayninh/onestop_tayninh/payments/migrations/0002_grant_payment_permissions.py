"""Give the built-in roles of deployments made before the payments app their payment permissions.

`load_site` leaves an existing role's group alone (edits made in the desk survive), so the groups of
a running deployment would otherwise lack them: nobody could collect at the counter, ask for a fee
after appraisal, approve a refund or open the ledger. Only roles that exist when this runs are
changed, and permissions are only added; directory/roles.py lists the same ones for new deployments
and `load_site --reset-roles`.
"""

from django.db import migrations

VIEW = ["view_paymentorder", "view_paymenttransaction", "view_receipt", "view_refund"]
GRANTS = {
    "receiving_officer": [*VIEW, "collect_at_counter"],
    "handling_officer": [*VIEW, "request_payment"],
    "agency_head": [
        *VIEW,
        "request_payment",
        "approve_refund",
        "resolve_mismatch",
        "view_mismatch",
        "view_reconciliation",
    ],
    "province_coordinator": VIEW,
    # Configuration and operation only (separation of duties): no order, transaction or receipt.
    "system_admin": ["view_receiptbook", "change_receiptbook", "view_providernotification", "view_reconciliation"],
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations (post_migrate); create ours now.
    app_config = apps.get_app_config("payments")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    Role = apps.get_model("directory", "Role")
    for role in Role.objects.filter(code__in=GRANTS).select_related("group"):
        role.group.permissions.add(
            *Permission.objects.filter(content_type__app_label="payments", codename__in=GRANTS[role.code])
        )


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_initial"),
        ("directory", "0006_desk_opening_hours"),
        ("auth", "__latest__"),
        ("contenttypes", "__latest__"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
