"""Choices and named numbers of the Zalo app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventStatus(models.TextChoices):
    RECEIVED = "received", _("Đã nhận, chờ xử lý")
    PROCESSED = "processed", _("Đã xử lý")
    IGNORED = "ignored", _("Bỏ qua")
    FAILED = "failed", _("Xử lý không được")


#: The OA's menu, in the order the citizen reads it (issue #20, point 2).
MENU_ITEMS = (
    _("Tìm thủ tục"),
    _("Nộp hồ sơ"),
    _("Tra cứu hồ sơ"),
    _("Hồ sơ của tôi"),
    _("Đánh giá"),
    _("Hướng dẫn"),
    _("Phản ánh, kiến nghị"),
)

#: Zalo's error codes saying the access token is expired or invalid [check: -216 seen in the OA
#: API's answers, -124 in older documents]: the client refreshes once and tries again.
TOKEN_ERRORS = frozenset({-216, -124})

#: An access token is refreshed this long before Zalo says it expires, so none is used at its edge.
ACCESS_TOKEN_MARGIN_SECONDS = 300


class ConversationState(models.TextChoices):
    """Where a Zalo user is in the conversation: what the OA is waiting for."""

    IDLE = "idle", _("Không chờ gì")
    LINK_PHONE = "link_phone", _("Chờ số điện thoại để liên kết")
    LINK_CODE = "link_code", _("Chờ mã xác nhận liên kết")
    PICK_PROCEDURE = "pick_procedure", _("Chờ chọn thủ tục")
    PICK_DESK = "pick_desk", _("Chờ chọn nơi nộp")
    PICK_UNIT = "pick_unit", _("Chờ chọn xã, phường")
    IDENTITY = "identity", _("Chờ ảnh căn cước công dân")
    IDENTITY_CONFIRM = "identity_confirm", _("Chờ xác nhận thông tin căn cước")
    DOCUMENTS = "documents", _("Chờ ảnh giấy tờ")
    CONFIRM = "confirm", _("Chờ xác nhận nộp hồ sơ")
    SUPPLEMENT = "supplement", _("Chờ ảnh bổ sung")
    LOOKUP = "lookup", _("Chờ mã hồ sơ để tra cứu")
    RATE = "rate", _("Chờ đánh giá")
    FEEDBACK_TEXT = "feedback_text", _("Chờ nội dung phản ánh, kiến nghị")
    FEEDBACK_DOSSIER = "feedback_dossier", _("Chờ mã hồ sơ được phản ánh")
    FEEDBACK_AGENCY = "feedback_agency", _("Chờ chọn cơ quan tiếp nhận phản ánh")


class SubmissionStatus(models.TextChoices):
    COLLECTING = "collecting", _("Đang gửi ảnh")
    SUBMITTED = "submitted", _("Đã nộp")
    ABANDONED = "abandoned", _("Đã hủy")


class SubmissionKind(models.TextChoices):
    DOSSIER = "dossier", _("Nộp hồ sơ mới")
    SUPPLEMENT = "supplement", _("Bổ sung hồ sơ")


class PhotoKind(models.TextChoices):
    PAGE = "page", _("Trang giấy tờ")
    ID_CARD = "id_card", _("Ảnh căn cước công dân")


class IdentitySource(models.TextChoices):
    QR = "qr", _("Đọc từ mã QR trên CCCD gắn chip")
    OCR = "ocr", _("Nhận dạng chữ mặt trước CCCD (chỉ gợi ý)")
    ACCOUNT = "account", _("Theo tài khoản đã liên kết")


class Direction(models.TextChoices):
    IN = "in", _("Công dân gửi")
    OUT = "out", _("OA gửi")


#: Quick replies the citizen taps while sending photos (the button's payload is sent back as text).
DONE = "Xong"
SKIP = "Bỏ qua"
CONFIRM_WORD = "Nộp hồ sơ"
CANCEL_WORD = "Hủy"
