"""Seed the Vietnamese message templates; administrators edit them afterwards in the desk.

Re-running (or migrating back and forth) leaves templates an administrator already edited alone.
"""

from django.db import migrations

SIGNATURE = "\n\nTrung tâm Phục vụ hành chính công tỉnh Tây Ninh\nCổng dịch vụ công: {{ site_url }}/"

TEMPLATES = [
    # --- to citizens ---
    (
        "dossier_received",
        "email",
        "Đã tiếp nhận hồ sơ {{ code }}",
        "Kính gửi Ông/Bà {{ applicant_name }},\n\n{{ receiving_desk.name }} đã tiếp nhận hồ sơ “{{ procedure_name }}”."
        "\nMã hồ sơ: {{ code }}\nNgày hẹn trả kết quả: {{ due_at }}." + SIGNATURE,
    ),
    (
        "dossier_received",
        "sms",
        "",
        "Ho so {{ code }} da duoc tiep nhan. Hen tra ket qua: {{ due_at }}. Tra cuu: {{ site_url }}/",
    ),
    (
        "supplement_requested",
        "email",
        "Hồ sơ {{ code }}: đề nghị bổ sung, hoàn thiện",
        "Kính gửi Ông/Bà {{ applicant_name }},\n\nHồ sơ {{ code }} (“{{ procedure_name }}”) cần bổ sung, hoàn thiện."
        "{% if comment %}\nNội dung: {{ comment }}{% endif %}\nThời gian giải quyết tạm dừng cho đến khi Ông/Bà "
        "bổ sung đầy đủ." + SIGNATURE,
    ),
    (
        "supplement_requested",
        "sms",
        "",
        "Ho so {{ code }} can bo sung, hoan thien. Vui long xem chi tiet tai {{ site_url }}/",
    ),
    (
        "result_ready",
        "email",
        "Hồ sơ {{ code }} đã có kết quả",
        "Kính gửi Ông/Bà {{ applicant_name }},\n\nHồ sơ {{ code }} (“{{ procedure_name }}”) đã có kết quả. "
        "Mời Ông/Bà nhận kết quả theo hình thức đã đăng ký." + SIGNATURE,
    ),
    ("result_ready", "sms", "", "Ho so {{ code }} da co ket qua. Moi Ong/Ba nhan ket qua theo hinh thuc da dang ky."),
    (
        "apology",
        "email",
        "Thư xin lỗi và hẹn lại ngày trả kết quả hồ sơ {{ code }}",
        "Kính gửi Ông/Bà {{ applicant_name }},\n\nHồ sơ {{ code }} (“{{ procedure_name }}”) hẹn trả kết quả "
        "{{ original_due_at }} chưa giải quyết xong.{% if reason %} Lý do: {{ reason }}.{% endif %}\n"
        "Chúng tôi thành thật xin lỗi Ông/Bà và xin hẹn lại ngày trả kết quả: {{ new_due_at }}." + SIGNATURE,
    ),
    (
        "apology",
        "sms",
        "",
        "Xin loi Ong/Ba: ho so {{ code }} cham giai quyet. Hen lai ngay tra ket qua: {{ new_due_at }}.",
    ),
    (
        "rating_invitation",
        "email",
        "Mời đánh giá mức độ hài lòng — hồ sơ {{ code }}",
        "Kính gửi Ông/Bà {{ applicant_name }},\n\nHồ sơ {{ code }} đã hoàn thành. Xin mời Ông/Bà đánh giá mức độ "
        "hài lòng về việc giải quyết thủ tục tại {{ site_url }}/ (mã hồ sơ {{ code }})." + SIGNATURE,
    ),
    (
        "rating_invitation",
        "sms",
        "",
        "Moi Ong/Ba danh gia muc do hai long ve ho so {{ code }} tai {{ site_url }}/",
    ),
    # --- to officials (desk notice and e-mail) ---
    ("assigned", "desk", "Được phân công hồ sơ {{ code }}", "“{{ procedure_name }}”, hạn trả kết quả {{ due_at }}."),
    (
        "assigned",
        "email",
        "Được phân công xử lý hồ sơ {{ code }}",
        "Kính gửi {{ recipient_name }},\n\nĐồng chí được phân công xử lý hồ sơ {{ code }} (“{{ procedure_name }}”) "
        "của {{ applicant_name }}. Hạn trả kết quả: {{ due_at }}.\n{{ site_url }}/desk/",
    ),
    ("due_soon", "desk", "Hồ sơ {{ code }} sắp đến hạn", "Hạn trả kết quả {{ due_at }} — {{ agency }}."),
    (
        "due_soon",
        "email",
        "Hồ sơ {{ code }} sắp đến hạn trả kết quả",
        "Kính gửi {{ recipient_name }},\n\nHồ sơ {{ code }} (“{{ procedure_name }}”) đang ở {{ agency }}, "
        "hạn trả kết quả {{ due_at }}. Đề nghị khẩn trương giải quyết.\n{{ site_url }}/desk/",
    ),
    ("overdue", "desk", "Hồ sơ {{ code }} đã quá hạn", "Quá hạn từ {{ due_at }} — đang ở {{ agency }}."),
    (
        "overdue",
        "email",
        "Hồ sơ {{ code }} đã quá hạn trả kết quả",
        "Kính gửi {{ recipient_name }},\n\nHồ sơ {{ code }} (“{{ procedure_name }}”) đang ở {{ agency }} đã quá hạn "
        "trả kết quả ({{ due_at }}). Đề nghị xử lý ngay và thực hiện xin lỗi, hẹn lại (Mẫu 04) theo quy định."
        "\n{{ site_url }}/desk/",
    ),
    (
        "consultation_requested",
        "desk",
        "Đề nghị cho ý kiến về hồ sơ {{ code }}",
        "“{{ procedure_name }}”; hạn trả lời {{ consultation_due_at }}.",
    ),
    (
        "consultation_requested",
        "email",
        "Đề nghị {{ consulted_agency }} cho ý kiến về hồ sơ {{ code }}",
        "Kính gửi {{ recipient_name }},\n\n{{ agency }} đề nghị {{ consulted_agency }} cho ý kiến phối hợp về hồ sơ "
        "{{ code }} (“{{ procedure_name }}”). Hạn trả lời: {{ consultation_due_at }}.\n{{ site_url }}/desk/",
    ),
    (
        "apology_draft_ready",
        "desk",
        "Dự thảo phiếu xin lỗi hồ sơ {{ code }} chờ xác nhận",
        "Hạn trả kết quả {{ due_at }}; hồ sơ chưa hoàn thành.",
    ),
    (
        "apology_draft_ready",
        "email",
        "Dự thảo phiếu xin lỗi (Mẫu 04) hồ sơ {{ code }} chờ xác nhận",
        "Kính gửi {{ recipient_name }},\n\nHồ sơ {{ code }} (“{{ procedure_name }}”) hẹn trả kết quả {{ due_at }} "
        "nhưng chưa hoàn thành. Hệ thống đã lập dự thảo phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04); "
        "đề nghị đồng chí xác nhận trước ngày hẹn.\n{{ site_url }}/desk/",
    ),
]


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for key, channel, subject, body in TEMPLATES:
        MessageTemplate.objects.get_or_create(key=key, channel=channel, defaults={"subject": subject, "body": body})


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
