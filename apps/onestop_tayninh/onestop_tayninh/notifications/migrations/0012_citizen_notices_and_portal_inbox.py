"""Citizens' notices that arrive (docs/domain.md §5.11):

* every notice of a dossier links to the dossier itself (`dossier_url`: the portal's page for an account
  holder, the receipt's signed link otherwise) instead of the portal's home page;
* e-mails are signed by the body the applicant deals with (`issuer_name`: the dossier's desk, the
  apologising body for Form 04, the portal for account e-mails) instead of one fixed provincial centre;
* SMS templates are written fully accented; the channel strips every diacritic when it is set to send
  unaccented SMS (ONESTOP_SMS_ACCENTED), so no SMS mixes the two;
* the result notice says where and when to collect a paper result, or that it goes by post;
* two new notices: the acknowledgement of an online submission, and the new appointment after a supplement;
* `Message.read_at` for the portal's "Thông báo" page.

As before, a template an administrator rewrote is left alone (bodies are replaced only where they are
still the seeded text; the old signature is replaced wherever it is still there).
"""

import importlib

from django.db import migrations, models

OLD_SIGNATURE = "\n\nTrung tâm Phục vụ hành chính công tỉnh Tây Ninh\nCổng dịch vụ công: {{ site_url }}/"
SIGNATURE = "\n\n{{ issuer_name }}\nCổng dịch vụ công: {{ site_url }}/"
SEE = "\nXem hồ sơ: {{ dossier_url }}"

COLLECT = (
    "{% if dossier.return_method == 'post' %}Kết quả được gửi qua bưu chính công ích đến: {{ dossier.return_address }}."
    "{% elif dossier.return_method == 'online' and dossier.result_electronic %}Ông/Bà tải kết quả điện tử tại trang hồ sơ."
    "{% else %}Mời Ông/Bà nhận kết quả tại {{ receiving_desk.name }}{% if receiving_desk.address %}, "
    "{{ receiving_desk.address }}{% endif %}{% if receiving_desk.opening_hours %} ({{ receiving_desk.opening_hours }})"
    "{% endif %}{% if receiving_desk.phone %}; điện thoại {{ receiving_desk.phone }}{% endif %}. Mang theo giấy tiếp "
    "nhận hồ sơ hoặc CCCD.{% endif %}"
)

# (key, channel): (subject, body) written now; replaces the seeded body, or is created if missing.
NEW = {
    ("online_submitted", "email"): (
        "Đã nhận hồ sơ trực tuyến “{{ procedure_name }}”",
        "Kính gửi Ông/Bà {{ applicant_name }},\n\n{{ receiving_desk.name }} đã nhận hồ sơ “{{ procedure_name }}” "
        "Ông/Bà gửi trực tuyến lúc {{ submitted_at }}. Hồ sơ đang chờ kiểm tra; khi hồ sơ được tiếp nhận, Ông/Bà "
        "nhận được mã hồ sơ và ngày hẹn trả kết quả. Nếu hồ sơ cần bổ sung, chúng tôi sẽ báo để Ông/Bà bổ sung "
        "trực tuyến." + SEE + SIGNATURE,
    ),
    ("online_submitted", "sms"): (
        "",
        "Đã nhận hồ sơ trực tuyến “{{ procedure_name }}” lúc {{ submitted_at }}, đang chờ kiểm tra. Xem: {{ dossier_url }}",
    ),
    ("supplement_received", "email"): (
        "Hồ sơ {{ code }}: đã nhận hồ sơ bổ sung, hẹn trả kết quả {{ new_due_at }}",
        "Kính gửi Ông/Bà {{ applicant_name }},\n\nHồ sơ {{ code }} (“{{ procedure_name }}”) đã nhận đủ giấy tờ bổ "
        "sung và tiếp tục được giải quyết. Thời gian chờ bổ sung không tính vào thời hạn giải quyết, nên ngày hẹn "
        "trả kết quả dời từ {{ previous_due_at }} sang {{ new_due_at }}. Giấy tiếp nhận mới ghi ngày hẹn này."
        + SEE
        + SIGNATURE,
    ),
    ("supplement_received", "sms"): (
        "",
        "Hồ sơ {{ code }} đã nhận bổ sung. Ngày hẹn trả kết quả mới: {{ new_due_at }}. Xem: {{ dossier_url }}",
    ),
    ("dossier_received", "email"): (
        None,
        "Kính gửi Ông/Bà {{ applicant_name }},\n\n{{ receiving_desk.name }} đã tiếp nhận hồ sơ “{{ procedure_name }}”."
        "\nMã hồ sơ: {{ code }}\nNgày hẹn trả kết quả: {{ due_at }}." + SEE + SIGNATURE,
    ),
    ("dossier_received", "sms"): (
        None,
        "Hồ sơ {{ code }} đã được tiếp nhận. Hẹn trả kết quả: {{ due_at }}. Xem: {{ dossier_url }}",
    ),
    ("supplement_requested", "email"): (
        None,
        "Kính gửi Ông/Bà {{ applicant_name }},\n\nHồ sơ {{ code }} (“{{ procedure_name }}”) cần bổ sung, hoàn thiện."
        "{% if comment %}\nNội dung: {{ comment }}{% endif %}\nThời gian giải quyết tạm dừng cho đến khi Ông/Bà "
        "bổ sung đầy đủ; ngày hẹn trả kết quả được tính lại khi Ông/Bà bổ sung." + SEE + SIGNATURE,
    ),
    ("supplement_requested", "sms"): (
        None,
        "Hồ sơ {{ code }} cần bổ sung, hoàn thiện. Xem chi tiết: {{ dossier_url }}",
    ),
    ("result_ready", "email"): (
        None,
        "Kính gửi Ông/Bà {{ applicant_name }},\n\nHồ sơ {{ code }} (“{{ procedure_name }}”) đã có kết quả. "
        + COLLECT
        + SEE
        + SIGNATURE,
    ),
    ("result_ready", "sms"): (
        None,
        "Hồ sơ {{ code }} đã có kết quả. "
        "{% if dossier.return_method == 'post' %}Kết quả gửi qua bưu chính.{% elif dossier.return_method == 'online' "
        "and dossier.result_electronic %}Tải kết quả tại trang hồ sơ.{% else %}Mời nhận tại {{ receiving_desk.name }}"
        "{% if receiving_desk.address %}, {{ receiving_desk.address }}{% endif %}.{% endif %} Xem: {{ dossier_url }}",
    ),
    ("refusal_ready", "sms"): (
        None,
        "Hồ sơ {{ code }} không được giải quyết; mời Ông/Bà nhận văn bản từ chối số {{ document_number }} tại "
        "{{ receiving_desk.name }}. Xem: {{ dossier_url }}",
    ),
    ("apology", "email"): (
        None,
        "Kính gửi Ông/Bà {{ applicant_name }},\n\nHồ sơ {{ code }} (“{{ procedure_name }}”) hẹn trả kết quả "
        "{{ original_due_at }} chưa giải quyết xong.{% if reason %} Lý do: {{ reason }}.{% endif %}\n"
        "Chúng tôi thành thật xin lỗi Ông/Bà và xin hẹn lại ngày trả kết quả: {{ new_due_at }}." + SEE + SIGNATURE,
    ),
    ("apology", "sms"): (
        None,
        "Xin lỗi Ông/Bà: hồ sơ {{ code }} chậm giải quyết. Hẹn lại ngày trả kết quả: {{ new_due_at }}. "
        "Xem: {{ dossier_url }}",
    ),
    ("rating_invitation", "sms"): (
        None,
        "Mời Ông/Bà đánh giá mức độ hài lòng về hồ sơ {{ code }} tại {{ dossier_url }}",
    ),
    ("completion_requested", "sms"): (
        None,
        "Hồ sơ của Ông/Bà cần bổ sung, hoàn thiện trước khi tiếp nhận. "
        "{% if online %}Xem chi tiết: {{ dossier_url }}{% else %}Chi tiết trong thư gửi kèm.{% endif %}",
    ),
    ("receipt_refused", "sms"): (
        None,
        "Hồ sơ của Ông/Bà không được tiếp nhận. "
        "{% if online %}Lý do và phiếu từ chối: {{ dossier_url }}{% else %}Lý do trong thư gửi kèm.{% endif %}",
    ),
    ("citizen_password_reset_code", "sms"): (
        None,
        "Mã xác nhận đặt lại mật khẩu Cổng Dịch vụ công tỉnh Tây Ninh: {{ code }}. Hiệu lực {{ minutes }} phút. "
        "Không cung cấp mã này cho bất kỳ ai.",
    ),
}
# Links to the portal's home page or the applicant's link in bodies left as they were: the dossier's own page.
LINKS = {
    ("rating_invitation", "email"): ("{{ applicant_url }}", "{{ dossier_url }}"),
    ("refusal_ready", "email"): ("{{ applicant_url }}", "{{ dossier_url }}"),
    ("completion_requested", "email"): ("tại mục “Hồ sơ của tôi”", "tại {{ dossier_url }}"),
    ("receipt_refused", "email"): ("có trong mục “Hồ sơ của tôi”", "có tại {{ dossier_url }}"),
}


def _seeded() -> dict:
    """Every body an earlier migration seeded, by (key, channel)."""
    seeded: dict = {}
    for module in (
        "onestop_tayninh.notifications.migrations.0002_seed_templates",
        "onestop_tayninh.notifications.migrations.0005_seed_online_dossier_templates",
        "onestop_tayninh.notifications.migrations.0011_refusal_ready_template",
        "onestop_tayninh.accounts.migrations.0003_citizen_message_templates",
    ):
        for key, channel, _subject, body in importlib.import_module(module).TEMPLATES:
            seeded.setdefault((key, channel), set()).add(body)
    updates = importlib.import_module("onestop_tayninh.notifications.migrations.0009_applicant_link_in_result_messages")
    for (key, channel), (_before, after) in updates.UPDATES.items():
        seeded.setdefault((key, channel), set()).add(after)
    return seeded


def forward(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    seeded = _seeded()
    for (key, channel), (subject, body) in NEW.items():
        template = MessageTemplate.objects.filter(key=key, channel=channel).first()
        if template is None:
            MessageTemplate.objects.create(key=key, channel=channel, subject=subject or "", body=body)
        elif template.body in seeded.get((key, channel), ()):
            template.body = body
            template.save(update_fields=["body", "updated_at"])
    for (key, channel), (before, after) in LINKS.items():
        template = MessageTemplate.objects.filter(key=key, channel=channel).first()
        if template is not None and before in template.body:
            template.body = template.body.replace(before, after)
            template.save(update_fields=["body", "updated_at"])
    for template in MessageTemplate.objects.filter(channel="email", body__contains=OLD_SIGNATURE):
        template.body = template.body.replace(OLD_SIGNATURE, SIGNATURE)
        template.save(update_fields=["body", "updated_at"])


# The name tests/conftest.py's `message_templates` calls after a transactional test emptied the tables.
seed = forward


def backward(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    MessageTemplate.objects.filter(key__in=["online_submitted", "supplement_received"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0011_refusal_ready_template"),
        # The SMS code of a password reset is rewritten here too.
        ("accounts", "0003_citizen_message_templates"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="read_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Lúc người nộp mở thông báo trên trang Thông báo của Cổng dịch vụ công; trống khi chưa xem.",
                null=True,
                verbose_name="người nhận đã xem lúc",
            ),
        ),
        migrations.AlterField(
            model_name="message",
            name="template_key",
            field=models.CharField(
                choices=[
                    ("dossier_received", "Đã tiếp nhận hồ sơ"),
                    ("supplement_requested", "Yêu cầu bổ sung hồ sơ"),
                    ("result_ready", "Đã có kết quả"),
                    ("refusal_ready", "Có văn bản từ chối giải quyết"),
                    ("apology", "Xin lỗi và hẹn lại ngày trả kết quả"),
                    ("rating_invitation", "Mời đánh giá mức độ hài lòng"),
                    ("supplement_received", "Đã nhận hồ sơ bổ sung, hẹn lại ngày trả kết quả"),
                    ("online_submitted", "Đã nhận hồ sơ trực tuyến, chờ kiểm tra"),
                    ("completion_requested", "Hồ sơ trực tuyến cần bổ sung trước khi tiếp nhận"),
                    ("receipt_refused", "Từ chối tiếp nhận hồ sơ trực tuyến"),
                    ("citizen_verify_email", "Xác thực thư điện tử tài khoản công dân"),
                    ("citizen_password_reset", "Đặt lại mật khẩu qua thư điện tử"),
                    ("citizen_password_reset_code", "Mã đặt lại mật khẩu qua SMS"),
                    ("online_dossier_arrived", "Hồ sơ trực tuyến chờ kiểm tra, tiếp nhận"),
                    ("step_waiting", "Hồ sơ chuyển đến bước của mình"),
                    ("assigned", "Được phân công xử lý"),
                    ("due_soon", "Hồ sơ sắp đến hạn"),
                    ("overdue", "Hồ sơ quá hạn"),
                    ("consultation_requested", "Đề nghị cho ý kiến phối hợp"),
                    ("apology_draft_ready", "Dự thảo phiếu xin lỗi chờ xác nhận"),
                    ("check_due_soon", "Hồ sơ trực tuyến sắp hết hạn kiểm tra"),
                    ("check_overdue", "Hồ sơ trực tuyến quá hạn kiểm tra"),
                ],
                help_text="Mẫu dùng để soạn nội dung.",
                max_length=64,
                verbose_name="loại thông báo",
            ),
        ),
        migrations.AlterField(
            model_name="messagetemplate",
            name="body",
            field=models.TextField(
                help_text="Nội dung theo cú pháp mẫu Django. Biến có sẵn: dossier, recipient, applicant_name, procedure_name, due_at, new_due_at, previous_due_at, agency, receiving_desk, site_url, dossier_url (trang của chính hồ sơ: trang Hồ sơ của tôi nếu người nộp có tài khoản, không thì đường dẫn riêng), applicant_url (đường dẫn của người nộp: tình trạng, kết quả điện tử, đánh giá; không cần tài khoản), issuer_name (cơ quan ký thông báo), consultation. SMS được gửi toàn bộ có dấu hoặc toàn bộ không dấu theo cài đặt của kênh.",
                verbose_name="nội dung",
            ),
        ),
        migrations.AlterField(
            model_name="messagetemplate",
            name="key",
            field=models.CharField(
                choices=[
                    ("dossier_received", "Đã tiếp nhận hồ sơ"),
                    ("supplement_requested", "Yêu cầu bổ sung hồ sơ"),
                    ("result_ready", "Đã có kết quả"),
                    ("refusal_ready", "Có văn bản từ chối giải quyết"),
                    ("apology", "Xin lỗi và hẹn lại ngày trả kết quả"),
                    ("rating_invitation", "Mời đánh giá mức độ hài lòng"),
                    ("supplement_received", "Đã nhận hồ sơ bổ sung, hẹn lại ngày trả kết quả"),
                    ("online_submitted", "Đã nhận hồ sơ trực tuyến, chờ kiểm tra"),
                    ("completion_requested", "Hồ sơ trực tuyến cần bổ sung trước khi tiếp nhận"),
                    ("receipt_refused", "Từ chối tiếp nhận hồ sơ trực tuyến"),
                    ("citizen_verify_email", "Xác thực thư điện tử tài khoản công dân"),
                    ("citizen_password_reset", "Đặt lại mật khẩu qua thư điện tử"),
                    ("citizen_password_reset_code", "Mã đặt lại mật khẩu qua SMS"),
                    ("online_dossier_arrived", "Hồ sơ trực tuyến chờ kiểm tra, tiếp nhận"),
                    ("step_waiting", "Hồ sơ chuyển đến bước của mình"),
                    ("assigned", "Được phân công xử lý"),
                    ("due_soon", "Hồ sơ sắp đến hạn"),
                    ("overdue", "Hồ sơ quá hạn"),
                    ("consultation_requested", "Đề nghị cho ý kiến phối hợp"),
                    ("apology_draft_ready", "Dự thảo phiếu xin lỗi chờ xác nhận"),
                    ("check_due_soon", "Hồ sơ trực tuyến sắp hết hạn kiểm tra"),
                    ("check_overdue", "Hồ sơ trực tuyến quá hạn kiểm tra"),
                ],
                help_text="Sự kiện dẫn đến thông báo.",
                max_length=64,
                verbose_name="loại thông báo",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
