"""The "zalo" channel's templates for every notice to an applicant (notifications.CITIZEN_DOSSIER_KEYS).

A consultation text on Zalo is read in a chat: longer than an SMS, shorter than the e-mail, always with
the dossier's link. Written from the SMS and e-mail texts of notifications 0012/0013, fully accented. A
template an administrator already wrote is left alone; removing one in the desk stops that notice on Zalo.
"""

from django.db import migrations

SEE = "\nXem hồ sơ: {{ dossier_url }}"

BODIES = {
    "online_submitted": (
        "{{ receiving_desk.name }} đã nhận hồ sơ “{{ procedure_name }}” Ông/Bà gửi trực tuyến lúc {{ submitted_at }}. "
        "Hồ sơ đang chờ kiểm tra; khi được tiếp nhận, Ông/Bà sẽ nhận mã hồ sơ và ngày hẹn trả kết quả." + SEE
    ),
    "dossier_received": (
        "Hồ sơ {{ code }} (“{{ procedure_name }}”) đã được tiếp nhận. Hẹn trả kết quả: {{ due_at }}." + SEE
    ),
    "completion_requested": (
        "Hồ sơ “{{ procedure_name }}” Ông/Bà gửi chưa đủ để tiếp nhận; đề nghị bổ sung, hoàn thiện:\n{{ items }}"
        "{% if reason %}\nGhi chú: {{ reason }}{% endif %}\n"
        "{% if online %}Ông/Bà bổ sung trực tuyến tại {{ dossier_url }}{% else %}Ông/Bà gửi giấy tờ bổ sung đến "
        "{{ receiving_desk.name }}. Xem hồ sơ: {{ dossier_url }}{% endif %}"
    ),
    "receipt_refused": (
        "{{ receiving_desk.name }} từ chối tiếp nhận hồ sơ “{{ procedure_name }}” Ông/Bà gửi. Lý do: {{ reason }}"
        + SEE
    ),
    "supplement_requested": (
        "Hồ sơ {{ code }} (“{{ procedure_name }}”) cần bổ sung, hoàn thiện.{% if comment %}\nNội dung: {{ comment }}"
        "{% endif %}\nThời gian giải quyết tạm dừng đến khi Ông/Bà bổ sung đầy đủ." + SEE
    ),
    "supplement_received": (
        "Hồ sơ {{ code }} đã nhận đủ giấy tờ bổ sung. Ngày hẹn trả kết quả mới: {{ new_due_at }} "
        "(trước đây {{ previous_due_at }})." + SEE
    ),
    "result_ready": (
        "Hồ sơ {{ code }} (“{{ procedure_name }}”) đã có kết quả. "
        "{% if dossier.return_method == 'post' %}Kết quả được gửi qua bưu chính công ích."
        "{% elif dossier.return_method == 'online' and dossier.result_electronic %}Ông/Bà tải kết quả điện tử tại "
        "trang hồ sơ.{% else %}Mời Ông/Bà nhận kết quả tại {{ receiving_desk.name }}{% if receiving_desk.address %}, "
        "{{ receiving_desk.address }}{% endif %}; mang theo giấy tiếp nhận hồ sơ hoặc CCCD.{% endif %}" + SEE
    ),
    "refusal_ready": (
        "Hồ sơ {{ code }} (“{{ procedure_name }}”) không được giải quyết: văn bản từ chối số {{ document_number }}"
        "{% if reason %}, lý do: {{ reason }}{% endif %}. Mời Ông/Bà nhận văn bản tại {{ receiving_desk.name }}."
        + SEE
    ),
    "apology": (
        "Xin lỗi Ông/Bà: hồ sơ {{ code }} (“{{ procedure_name }}”) chưa giải quyết xong đúng hẹn."
        "{% if reason %} Lý do: {{ reason }}.{% endif %} Hẹn lại ngày trả kết quả: {{ new_due_at }}." + SEE
    ),
    "rating_invitation": (
        "Mời Ông/Bà đánh giá mức độ hài lòng về việc giải quyết hồ sơ {{ code }} (“{{ procedure_name }}”) tại "
        "{{ dossier_url }}"
    ),
    "payment_requested": (
        "Hồ sơ “{{ procedure_name }}”{% if code %} (mã {{ code }}){% endif %} cần nộp {{ amount }} đồng phí, lệ phí"
        "{% if reason %} ({{ reason }}){% endif %}. Thanh toán trực tuyến: {{ dossier_url }}"
    ),
    "payment_received": (
        "Đã nhận {{ amount }} đồng phí, lệ phí hồ sơ “{{ procedure_name }}”, biên lai số {{ receipt }}." + SEE
    ),
    "payment_refunded": (
        "Đã hoàn trả {{ amount }} đồng phí, lệ phí hồ sơ “{{ procedure_name }}”{% if reason %} ({{ reason }})"
        "{% endif %}." + SEE
    ),
}


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for key, body in BODIES.items():
        MessageTemplate.objects.get_or_create(key=key, channel="zalo", defaults={"subject": "", "body": body})


def unseed(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for key, body in BODIES.items():
        MessageTemplate.objects.filter(key=key, channel="zalo", body=body).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("zalo", "0003_zns_templates_and_oa_settings"),
        ("notifications", "0013_payment_notices"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
