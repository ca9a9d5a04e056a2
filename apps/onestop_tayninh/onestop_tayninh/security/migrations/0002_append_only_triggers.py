"""Make security_auditevent append-only in the database itself.

BEFORE UPDATE and BEFORE DELETE triggers raise SQLSTATE 45000, so even raw SQL through
any client refuses to change or remove an audit row. (TRUNCATE and DROP TABLE do not fire
triggers: the application's database account must not hold the DROP privilege in production;
see README "Bảo mật / Security".)
"""

from django.db import migrations

TRIGGERS = {
    "security_auditevent_no_update": "UPDATE",
    "security_auditevent_no_delete": "DELETE",
}


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "mysql":
        return
    for name, event in TRIGGERS.items():
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute(
            f"CREATE TRIGGER {name} BEFORE {event} ON security_auditevent FOR EACH ROW "
            f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'security_auditevent is append-only: {event} refused'"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "mysql":
        return
    for name in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("security", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers, atomic=False, elidable=False)]
