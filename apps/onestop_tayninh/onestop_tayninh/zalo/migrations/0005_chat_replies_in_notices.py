"""The notices that ask something of the applicant say it can be done in the chat itself: a supplement sent
as photos ("Xong" when done), the rating answered there ("Đánh giá"). Only texts still as 0004 wrote them
are changed; an administrator's own text is left alone."""

import importlib

from django.db import migrations

# The texts 0004 wrote (a module name starting with a digit is imported by name).
BEFORE = importlib.import_module("onestop_tayninh.zalo.migrations.0004_zalo_notice_templates").BODIES

IN_CHAT = {
    "completion_requested": "\nÔng/Bà cũng có thể gửi ảnh giấy tờ bổ sung ngay trong cuộc trò chuyện này; gửi xong nhắn “Xong”.",
    "supplement_requested": "\nÔng/Bà cũng có thể gửi ảnh giấy tờ bổ sung ngay trong cuộc trò chuyện này; gửi xong nhắn “Xong”.",
    "rating_invitation": "\nHoặc nhắn “Đánh giá” ngay trong cuộc trò chuyện này.",
}


def forwards(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for key, extra in IN_CHAT.items():
        MessageTemplate.objects.filter(key=key, channel="zalo", body=BEFORE[key]).update(body=BEFORE[key] + extra)


def backwards(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for key, extra in IN_CHAT.items():
        MessageTemplate.objects.filter(key=key, channel="zalo", body=BEFORE[key] + extra).update(body=BEFORE[key])


class Migration(migrations.Migration):
    dependencies = [("zalo", "0004_zalo_notice_templates")]

    operations = [migrations.RunPython(forwards, backwards)]
