from django.db import models
from django.utils.translation import gettext_lazy as _

# Dedupe keys are unique in one index; 190 characters of utf8mb4 stay well inside InnoDB's limit.
DEDUPE_KEY_LENGTH = 190


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Chờ gửi")
    SENDING = "sending", _("Đang gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi không được")


class ChannelCode(models.TextChoices):
    """Built-in channels; the registry is open, so a message's channel is not limited to these."""

    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")
    DESK = "desk", _("Thông báo trên bàn làm việc")


class TemplateKey(models.TextChoices):
    # To citizens.
    DOSSIER_RECEIVED = "dossier_received", _("Đã tiếp nhận hồ sơ")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung hồ sơ")
    RESULT_READY = "result_ready", _("Đã có kết quả")
    REFUSAL_READY = "refusal_ready", _("Có văn bản từ chối giải quyết")
    APOLOGY = "apology", _("Xin lỗi và hẹn lại ngày trả kết quả")
    RATING_INVITATION = "rating_invitation", _("Mời đánh giá mức độ hài lòng")
    # The applicant's supplement resumed the clock: the new appointment.
    SUPPLEMENT_RECEIVED = "supplement_received", _("Đã nhận hồ sơ bổ sung, hẹn lại ngày trả kết quả")
    # To citizens about an online dossier the desk has not received yet (acknowledgement, Forms 02 and 03).
    ONLINE_SUBMITTED = "online_submitted", _("Đã nhận hồ sơ trực tuyến, chờ kiểm tra")
    COMPLETION_REQUESTED = "completion_requested", _("Hồ sơ trực tuyến cần bổ sung trước khi tiếp nhận")
    RECEIPT_REFUSED = "receipt_refused", _("Từ chối tiếp nhận hồ sơ trực tuyến")
    # To citizens about their portal account (seeded by accounts/migrations/0003).
    # Fees and charges (payments): asked, received, refunded.
    PAYMENT_REQUESTED = "payment_requested", _("Yêu cầu nộp phí, lệ phí")
    PAYMENT_RECEIVED = "payment_received", _("Đã nhận phí, lệ phí")
    PAYMENT_REFUNDED = "payment_refunded", _("Đã hoàn trả phí, lệ phí")
    # A citizen's feedback or recommendation (PAKN) answered (the feedback app).
    FEEDBACK_ANSWERED = "feedback_answered", _("Đã trả lời phản ánh, kiến nghị")
    CITIZEN_VERIFY_EMAIL = "citizen_verify_email", _("Xác thực thư điện tử tài khoản công dân")
    CITIZEN_PASSWORD_RESET = "citizen_password_reset", _("Đặt lại mật khẩu qua thư điện tử")
    CITIZEN_PASSWORD_RESET_CODE = "citizen_password_reset_code", _("Mã đặt lại mật khẩu qua SMS")
    # To officials.
    ONLINE_DOSSIER_ARRIVED = "online_dossier_arrived", _("Hồ sơ trực tuyến chờ kiểm tra, tiếp nhận")
    STEP_WAITING = "step_waiting", _("Hồ sơ chuyển đến bước của mình")
    ASSIGNED = "assigned", _("Được phân công xử lý")
    DUE_SOON = "due_soon", _("Hồ sơ sắp đến hạn")
    OVERDUE = "overdue", _("Hồ sơ quá hạn")
    CONSULTATION_REQUESTED = "consultation_requested", _("Đề nghị cho ý kiến phối hợp")
    APOLOGY_DRAFT_READY = "apology_draft_ready", _("Dự thảo phiếu xin lỗi chờ xác nhận")
    # The check time of an online dossier waiting at the desk (the deadline scan; dossiers.AlertKind).
    CHECK_DUE_SOON = "check_due_soon", _("Hồ sơ trực tuyến sắp hết hạn kiểm tra")
    CHECK_OVERDUE = "check_overdue", _("Hồ sơ trực tuyến quá hạn kiểm tra")
    # Citizens' feedback (PAKN): a new one for the body's heads, one assigned, a step overdue (the feedback app).
    FEEDBACK_ARRIVED = "feedback_arrived", _("Có phản ánh, kiến nghị mới")
    FEEDBACK_ASSIGNED = "feedback_assigned", _("Được phân công xử lý phản ánh, kiến nghị")
    FEEDBACK_OVERDUE = "feedback_overdue", _("Phản ánh, kiến nghị quá hạn")
    # Supervision (the reports app): an urging to a body or an official, its reply, the heads' weekly digest.
    URGED = "urged", _("Đôn đốc xử lý hồ sơ trễ hạn")
    URGING_ANSWERED = "urging_answered", _("Trả lời đôn đốc")
    WEEKLY_DIGEST = "weekly_digest", _("Tổng hợp tuần về giải quyết hồ sơ")


#: What the applicant of a dossier is told (listed on the portal's "Thông báo" page).
CITIZEN_DOSSIER_KEYS: tuple[str, ...] = (
    TemplateKey.ONLINE_SUBMITTED,
    TemplateKey.DOSSIER_RECEIVED,
    TemplateKey.COMPLETION_REQUESTED,
    TemplateKey.RECEIPT_REFUSED,
    TemplateKey.SUPPLEMENT_REQUESTED,
    TemplateKey.SUPPLEMENT_RECEIVED,
    TemplateKey.RESULT_READY,
    TemplateKey.REFUSAL_READY,
    TemplateKey.APOLOGY,
    TemplateKey.RATING_INVITATION,
    TemplateKey.PAYMENT_REQUESTED,
    TemplateKey.PAYMENT_RECEIVED,
    TemplateKey.PAYMENT_REFUNDED,
)
