"""Seed the templates of dossiers not handed in at the counter, before receipt: the desk is told an
online dossier arrived (or came back with its Form 02 supplement); the applicant is told of Form 02
and Form 03, which a walk-in applicant is handed at the desk. `online` says whether they can act
on the portal. Same rules as 0002: an administrator's edits are left alone.
"""

from django.db import migrations

SIGNATURE = "\n\nTrung tâm Phục vụ hành chính công tỉnh Tây Ninh\nCổng dịch vụ công: {{ site_url }}/"

TEMPLATES = [
    # --- to the desk's receiving officers ---
    (
        "online_dossier_arrived",
        "desk",
        "{% if resubmitted %}Hồ sơ trực tuyến đã bổ sung{% else %}Hồ sơ trực tuyến mới{% endif %} chờ kiểm tra",
        "“{{ procedure_name }}” của {{ applicant_name }}, gửi lúc {{ submitted_at }}.",
    ),
    (
        "online_dossier_arrived",
        "email",
        "{% if resubmitted %}Hồ sơ trực tuyến đã bổ sung{% else %}Hồ sơ trực tuyến mới{% endif %} chờ kiểm tra, "
        "tiếp nhận",
        "Kính gửi {{ recipient_name }},\n\n{{ applicant_name }} đã "
        "{% if resubmitted %}bổ sung hồ sơ trực tuyến{% else %}nộp hồ sơ trực tuyến{% endif %} "
        "“{{ procedure_name }}” tại {{ receiving_desk.name }} lúc {{ submitted_at }}. Hồ sơ đang chờ kiểm tra, "
        "tiếp nhận.\n{{ site_url }}/desk/",
    ),
    # --- to an applicant not at the counter (online, by post) ---
    (
        "completion_requested",
        "email",
        "Hồ sơ “{{ procedure_name }}” cần bổ sung, hoàn thiện",
        "Kính gửi Ông/Bà {{ applicant_name }},\n\n{{ receiving_desk.name }} đã kiểm tra hồ sơ "
        "“{{ procedure_name }}” Ông/Bà gửi{% if online %} trực tuyến{% endif %}. Hồ sơ chưa đủ để tiếp nhận; "
        "đề nghị bổ sung, hoàn thiện:\n{{ items }}{% if reason %}\nGhi chú: {{ reason }}{% endif %}\n\n"
        "{% if online %}Ông/Bà bổ sung trực tuyến tại mục “Hồ sơ của tôi”; hồ sơ được kiểm tra lại ngay khi "
        "Ông/Bà gửi.{% else %}Ông/Bà gửi giấy tờ bổ sung đến {{ receiving_desk.name }}.{% endif %}" + SIGNATURE,
    ),
    (
        "completion_requested",
        "sms",
        "",
        "Ho so cua Ong/Ba can bo sung, hoan thien truoc khi tiep nhan. "
        "{% if online %}Xem chi tiet tai {{ site_url }}/ho-so-cua-toi/{% else %}Chi tiet trong thu gui kem."
        "{% endif %}",
    ),
    (
        "receipt_refused",
        "email",
        "Hồ sơ “{{ procedure_name }}” không được tiếp nhận",
        "Kính gửi Ông/Bà {{ applicant_name }},\n\n{{ receiving_desk.name }} từ chối tiếp nhận hồ sơ "
        "“{{ procedure_name }}” Ông/Bà gửi{% if online %} trực tuyến{% endif %}.\nLý do: {{ reason }}"
        "{% if online %}\n\nPhiếu từ chối (Mẫu 03) có trong mục “Hồ sơ của tôi”.{% endif %}" + SIGNATURE,
    ),
    (
        "receipt_refused",
        "sms",
        "",
        "Ho so cua Ong/Ba khong duoc tiep nhan. "
        "{% if online %}Ly do va phieu tu choi tai {{ site_url }}/ho-so-cua-toi/{% else %}Ly do trong thu gui kem."
        "{% endif %}",
    ),
]


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for key, channel, subject, body in TEMPLATES:
        MessageTemplate.objects.get_or_create(key=key, channel=channel, defaults={"subject": subject, "body": body})


class Migration(migrations.Migration):
    dependencies = [("notifications", "0004_online_dossier_template_keys")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
