from django.db import models
from django.utils.translation import gettext_lazy as _

# An unsubmitted draft is kept this many days after its last change; the nightly housekeeping
# then removes it with its files (files picked from the vault stay in the vault).
DRAFT_KEEP_DAYS = 30


class RatingChannel(models.TextChoices):
    """How a rating reached us: the citizen's account, the signed link of the receipt, or the desk's tablet."""

    ACCOUNT = "account", _("Tài khoản cổng dịch vụ công")
    LINK = "link", _("Đường dẫn, mã QR trên giấy tiếp nhận")
    KIOSK = "kiosk", _("Máy đánh giá tại quầy")


class DraftStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    SUBMITTED = "submitted", _("Đã nộp")


# The Circular 01/2018 (art. 13) evaluation indices a citizen can judge, each scored 2 / 1 / 0
# [practice: the wording follows provincial rating pages; the scores are the circular's].
RATING_QUESTIONS: list[dict] = [
    {
        "code": "time",
        "label": _("Thời gian giải quyết so với ngày hẹn trả kết quả"),
        "options": [
            ("2", _("Trước hoặc đúng hẹn")),
            ("1", _("Trễ hẹn nhưng có thư xin lỗi và hẹn lại")),
            ("0", _("Trễ hẹn, không được báo trước")),
        ],
    },
    {
        "code": "visits",
        "label": _("Số lần phải liên hệ, đi lại để hoàn thiện hồ sơ"),
        "options": [("2", _("Không lần nào hoặc 1 lần")), ("1", _("2 lần")), ("0", _("Từ 3 lần trở lên"))],
    },
    {
        "code": "agencies",
        "label": _("Số cơ quan, đơn vị phải liên hệ để hoàn thiện hồ sơ"),
        "options": [("2", _("Chỉ bộ phận một cửa")), ("1", _("2 cơ quan")), ("0", _("Từ 3 cơ quan trở lên"))],
    },
    {
        "code": "conduct",
        "label": _("Thái độ, tinh thần phục vụ của cán bộ, công chức"),
        "options": [("2", _("Tận tình, đúng mực")), ("1", _("Bình thường")), ("0", _("Chưa đúng mực, gây phiền hà"))],
    },
    {
        "code": "guidance",
        "label": _("Thông tin, hướng dẫn về thủ tục trên cổng dịch vụ công"),
        "options": [("2", _("Đầy đủ, dễ hiểu")), ("1", _("Tạm đủ")), ("0", _("Thiếu, khó hiểu"))],
    },
]

# The best total a rating can have (each index's best score, added): a score is shown on this scale,
# "8/10 điểm", never as a bare number.
RATING_MAX_SCORE = sum(max(int(code) for code, _label in question["options"]) for question in RATING_QUESTIONS)
