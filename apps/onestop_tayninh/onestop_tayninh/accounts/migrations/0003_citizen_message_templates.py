"""Seed the Vietnamese outbox templates of citizen accounts (notifications.MessageTemplate rows).

Same rules as notifications/0002_seed_templates: administrators edit them in the desk afterwards,
and re-running leaves an edited template alone.
"""

from django.db import migrations

SIGNATURE = "\n\nTrung tâm Phục vụ hành chính công tỉnh Tây Ninh\nCổng dịch vụ công: {{ site_url }}/"

TEMPLATES = [
    (
        "citizen_verify_email",
        "email",
        "Xác thực địa chỉ thư điện tử — Cổng Dịch vụ công tỉnh Tây Ninh",
        "Kính gửi Ông/Bà {{ recipient_name }},\n\nĐể hoàn tất tài khoản trên Cổng Dịch vụ công tỉnh Tây Ninh, "
        "xin mời Ông/Bà bấm vào liên kết sau để xác thực địa chỉ thư điện tử này:\n{{ verify_url }}\n\n"
        "Liên kết có hiệu lực trong {{ days }} ngày. Nếu Ông/Bà không đăng ký tài khoản, xin bỏ qua thư này."
        + SIGNATURE,
    ),
    (
        "citizen_password_reset",
        "email",
        "Đặt lại mật khẩu tài khoản Cổng Dịch vụ công tỉnh Tây Ninh",
        "Kính gửi Ông/Bà {{ recipient_name }},\n\nChúng tôi nhận được yêu cầu đặt lại mật khẩu cho tài khoản của "
        "Ông/Bà. Bấm vào liên kết sau để chọn mật khẩu mới:\n{{ reset_url }}\n\nLiên kết chỉ dùng được một lần, "
        "trong {{ hours }} giờ. Nếu Ông/Bà không yêu cầu, xin bỏ qua thư này; mật khẩu hiện tại vẫn giữ nguyên."
        + SIGNATURE,
    ),
    (
        "citizen_password_reset_code",
        "sms",
        "",
        "Ma xac nhan dat lai mat khau Cong DVC Tay Ninh: {{ code }}. Hieu luc {{ minutes }} phut. "
        "Khong cung cap ma nay cho bat ky ai.",
    ),
]


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for key, channel, subject, body in TEMPLATES:
        MessageTemplate.objects.get_or_create(key=key, channel=channel, defaults={"subject": subject, "body": body})


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_citizenprofile"),
        ("notifications", "0002_seed_templates"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
