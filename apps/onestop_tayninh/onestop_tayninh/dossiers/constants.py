import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

# Defined once below the engine; named here too because a dossier stores them (Dossier.channel,
# Dossier.applicant_kind) and the engine's modules read them from their own constants.
from onestop_tayninh.accounts.constants import ApplicantKind as ApplicantKind
from onestop_tayninh.catalog.constants import Channel as Channel


class DossierStatus(models.TextChoices):
    """Intake statuses (docs/domain.md §5.3); later issues add the resolution statuses."""

    TO_CHECK = "to_check", _("Chờ kiểm tra")
    RECEIVED = "received", _("Đã tiếp nhận")
    INCOMPLETE = "incomplete", _("Yêu cầu bổ sung, hoàn thiện")
    REFUSED = "refused", _("Từ chối tiếp nhận")
    WITHDRAWN = "withdrawn", _("Công dân rút trước khi tiếp nhận")
    #: A receipt begun at the counter and never finished (the applicant left): cancelled with a reason,
    #: no Form 03, out of every queue (services.dossier_draft_cancel).
    CANCELLED = "cancelled", _("Đã hủy hồ sơ nháp")


class DeskStatus(models.TextChoices):
    """The one status a dossier shows on the desk (its list, its page, the filters): where it stands for the
    official, from the intake status and the kind of its workflow step (selectors.desk_status)."""

    RECEIVED = "received", _("Mới tiếp nhận")
    IN_PROGRESS = "in_progress", _("Đang giải quyết")
    AWAITING_CITIZEN = "awaiting_citizen", _("Chờ công dân bổ sung")
    RESULT_READY = "result_ready", _("Có kết quả, chờ trả")
    RETURNED = "returned", _("Đã trả kết quả")
    REFUSED = "refused", _("Từ chối")
    WITHDRAWN = "withdrawn", _("Đã rút hồ sơ")
    STOPPED = "stopped", _("Dừng giải quyết")


class ReceiptDecision:
    """The three outcomes of the receipt check (the desk's buttons, the API's `decision`)."""

    ACCEPT = "accept"  # Form 01
    REQUEST_COMPLETION = "request_completion"  # Form 02
    REFUSE = "refuse"  # Form 03


class ReturnMethod(models.TextChoices):
    DESK = "desk", _("Nhận trực tiếp tại Bộ phận Một cửa")
    POST = "post", _("Qua bưu chính công ích")
    ONLINE = "online", _("Nhận kết quả trực tuyến")


class FormsVersion(models.TextChoices):
    """The legal set of forms a dossier was received under (docs/domain.md §6)."""

    CIRCULAR_01_2018 = "2018", _("Thông tư 01/2018/TT-VPCP")
    CIRCULAR_03_2025 = "2025", _("Thông tư 03/2025/TT-VPCP")


# Circular 03/2025 applies to dossiers received from this local date on.
FORMS_2025_FROM = dt.date(2025, 9, 15)


class EventAction(models.TextChoices):
    STARTED = "started", _("Bắt đầu kiểm tra hồ sơ")
    DOCUMENT_ADDED = "document_added", _("Thêm thành phần hồ sơ")
    ACCEPTED = "accepted", _("Tiếp nhận hồ sơ (Mẫu 01)")
    COMPLETION_REQUESTED = "completion_requested", _("Yêu cầu bổ sung, hoàn thiện (Mẫu 02)")
    REFUSED = "refused", _("Từ chối tiếp nhận (Mẫu 03)")
    TRANSITION = "transition", _("Chuyển bước xử lý")
    CONSULTATION_ANSWERED = "consultation_answered", _("Trả lời ý kiến phối hợp")
    APOLOGY = "apology", _("Xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04)")
    SUBMITTED_ONLINE = "submitted_online", _("Công dân nộp hồ sơ trực tuyến")
    RESUBMITTED = "resubmitted", _("Công dân nộp lại hồ sơ đã bổ sung, hoàn thiện")
    WITHDRAWN = "withdrawn", _("Công dân rút hồ sơ trước khi tiếp nhận")
    RATED = "rated", _("Công dân đánh giá mức độ hài lòng")
    APPLICANT_CORRECTED = "applicant_corrected", _("Điều chỉnh thông tin người nộp")
    DRAFT_CANCELLED = "draft_cancelled", _("Hủy hồ sơ nháp tại quầy")
    # Fees and charges (the payments app reports them; dossiers/fees.py records them).
    PAYMENT_REQUESTED = "payment_requested", _("Yêu cầu nộp phí, lệ phí")
    PAYMENT_RECEIVED = "payment_received", _("Đã nộp phí, lệ phí")
    PAYMENT_CANCELLED = "payment_cancelled", _("Hủy yêu cầu nộp phí, lệ phí")
    PAYMENT_REFUNDED = "payment_refunded", _("Hoàn trả phí, lệ phí")
    # Evaluation and supervision (the feedback and reports apps report them).
    FEEDBACK_RECEIVED = "feedback_received", _("Công dân gửi phản ánh, kiến nghị")
    FEEDBACK_ANSWERED = "feedback_answered", _("Trả lời phản ánh, kiến nghị")
    URGED = "urged", _("Đôn đốc xử lý hồ sơ")
    URGING_ANSWERED = "urging_answered", _("Trả lời đôn đốc")
    # A hand-over to or from another installation (liên thông; the interconnect app reports it).
    HANDED_OVER = "handed_over", _("Liên thông với hệ thống khác")


class HandoverStage(models.TextChoices):
    """What a hand-over line in the history says happened (events.HandoverNoted.stage)."""

    SENT = "sent", _("Gửi hồ sơ liên thông")
    DELIVERED = "delivered", _("Hệ thống nhận đã tiếp nhận hồ sơ")
    FAILED = "failed", _("Gửi hồ sơ liên thông không được")
    #: The result back at the sending side: a real move to the return step, recorded as a transition
    #: (events.Transitioned.interconnect), not as a hand-over line.
    RESULT = "result", _("Nhận kết quả liên thông")
    RESULT_SENT = "result_sent", _("Gửi kết quả liên thông về hệ thống gửi")


class AlertKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Sắp đến hạn")
    OVERDUE = "overdue", _("Quá hạn")
    # An online dossier waiting for the desk's check (docs/domain.md §5.3): its check time.
    CHECK_DUE_SOON = "check_due_soon", _("Hồ sơ trực tuyến sắp hết hạn kiểm tra")
    CHECK_OVERDUE = "check_overdue", _("Hồ sơ trực tuyến quá hạn kiểm tra")


class ApologyDraftStatus(models.TextChoices):
    PENDING = "pending", _("Chờ lãnh đạo xác nhận")
    CONFIRMED = "confirmed", _("Đã gửi phiếu xin lỗi")
    DISMISSED = "dismissed", _("Không cần (hồ sơ đã xong)")


#: The channels a receiving officer may record at the desk (an online or Zalo dossier records itself).
DESK_CHANNELS = (Channel.DESK, Channel.POST)
#: Online (level 3 and 4) channels: their dossiers come first in every queue and are checked within
#: ONESTOP_ONLINE_CHECK_HOURS working hours (docs/domain.md §5.3).
ONLINE_CHANNELS = (Channel.ONLINE, Channel.ZALO)


# --- tracked-only procedures, entered by the competent agency (services: tracked_*) ------------


class TrackedImportStatus(models.TextChoices):
    INVALID = "invalid", _("Có lỗi, chưa nhập")
    READY = "ready", _("Hợp lệ, chờ xác nhận")
    IMPORTED = "imported", _("Đã nhập")


#: How far back a tracked dossier's receipt may be entered: the catching-up of about a year, never
#: a mistyped year (2017 for 2027), which would create a dossier years overdue.
TRACKED_MAX_AGE_DAYS = 366
#: Lines per spreadsheet: the whole file is imported in one transaction, while the official waits.
TRACKED_IMPORT_MAX_ROWS = 500


# --- results as offices make them (dossiers.results) ---------------------------------------------


class DraftKind(models.TextChoices):
    RESULT = "result", _("Kết quả giải quyết")
    REFUSAL = "refusal", _("Văn bản từ chối giải quyết")


class DraftStatus(models.TextChoices):
    PENDING = "pending", _("Chờ lãnh đạo duyệt")
    APPROVED = "approved", _("Lãnh đạo đã duyệt, chờ văn thư phát hành")
    SENT_BACK = "sent_back", _("Lãnh đạo trả lại")
    ISSUED = "issued", _("Đã cấp số, ký số và phát hành")


#: The type part of a document's symbol (Nghị định 30/2020/NĐ-CP, Phụ lục III): a decision, a notice.
DEFAULT_TYPE_SYMBOL = {DraftKind.RESULT: "QĐ", DraftKind.REFUSAL: "TB"}
