"""Seed the notice to officials when a dossier comes to their step (approval, return, a supplement).

Same rules as 0002: an administrator's edits are left alone.
"""

from django.db import migrations

TEMPLATES = [
    (
        "step_waiting",
        "desk",
        "Hồ sơ {{ code }} chờ đồng chí: {{ step }}",
        "“{{ procedure_name }}” của {{ applicant_name }}{% if step_due_at %}; hạn của bước {{ step_due_at }}"
        "{% endif %}; hẹn trả kết quả {{ due_at }}.",
    ),
    (
        "step_waiting",
        "email",
        "Hồ sơ {{ code }} chờ đồng chí xử lý: {{ step }}",
        "Kính gửi {{ recipient_name }},\n\nHồ sơ {{ code }} (“{{ procedure_name }}”) của {{ applicant_name }} đã "
        "chuyển đến bước “{{ step }}” tại {{ agency }}.{% if step_due_at %} Hạn của bước: {{ step_due_at }}.{% endif %}"
        " Hẹn trả kết quả: {{ due_at }}.\n{{ site_url }}/desk/",
    ),
]


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for key, channel, subject, body in TEMPLATES:
        MessageTemplate.objects.get_or_create(key=key, channel=channel, defaults={"subject": subject, "body": body})


class Migration(migrations.Migration):
    dependencies = [("notifications", "0006_step_waiting_key")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
