from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkflowStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    ACTIVE = "active", _("Đang áp dụng")
    RETIRED = "retired", _("Ngừng áp dụng")


class StateKind(models.TextChoices):
    """Where a dossier is in the closed loop; reports and the citizen's timeline read this, not state names."""

    AT_DESK = "at_desk", _("Tại bộ phận một cửa")
    AT_AGENCY = "at_agency", _("Tại cơ quan giải quyết")
    IN_CONSULTATION = "in_consultation", _("Đang lấy ý kiến, phối hợp")
    AWAITING_CITIZEN = "awaiting_citizen", _("Chờ công dân bổ sung")
    APPROVED = "approved", _("Đã có kết quả")
    #: The competent body's refusal, numbered and signed, waits at the desk to be handed to the citizen.
    REFUSAL_READY = "refusal_ready", _("Đã có văn bản từ chối, chờ trả")
    RESULT_RETURNED = "result_returned", _("Đã trả kết quả")
    REFUSED = "refused", _("Từ chối giải quyết")
    STOPPED = "stopped", _("Dừng giải quyết")
    WITHDRAWN = "withdrawn", _("Công dân rút hồ sơ")


FINAL_KINDS = {StateKind.RESULT_RETURNED, StateKind.REFUSED, StateKind.STOPPED, StateKind.WITHDRAWN}


class Destination(models.TextChoices):
    """Where a transition sends the dossier (which agency holds it next)."""

    STAY = "stay", _("Giữ nguyên cơ quan đang xử lý")
    COMPETENT_AGENCY = "competent_agency", _("Cơ quan có thẩm quyền của thủ tục")
    NAMED_AGENCY = "named_agency", _("Cơ quan được chỉ định")
    RECEIVING_DESK = "receiving_desk", _("Trả về bộ phận một cửa đã tiếp nhận")


class Effect(models.TextChoices):
    """What a transition does besides moving the dossier; each has its own rules in services."""

    NONE = "none", _("Chỉ chuyển bước")
    ASSIGN = "assign", _("Phân công chuyên viên")
    REQUEST_CONSULTATION = "request_consultation", _("Lấy ý kiến cơ quan phối hợp")
    ANSWER_CONSULTATION = "answer_consultation", _("Trả lời ý kiến phối hợp")
    REQUEST_SUPPLEMENT = "request_supplement", _("Yêu cầu công dân bổ sung (tạm dừng thời gian)")
    SUPPLY_SUPPLEMENT = "supply_supplement", _("Công dân đã bổ sung (tiếp tục tính thời gian)")
    #: Kept for workflow versions made before the records clerk's step: the head uploads the signed result.
    ISSUE_RESULT = "issue_result", _("Ban hành kết quả")
    # Results as offices make them (docs/domain.md "Kết quả và chữ ký số"): the handler submits a draft,
    # the head approves it or sends it back, the records clerk numbers, signs and issues it.
    SUBMIT_FOR_APPROVAL = "submit_for_approval", _("Trình dự thảo kết quả")
    PROPOSE_REFUSAL = "propose_refusal", _("Đề xuất từ chối giải quyết")
    APPROVE_DRAFT = "approve_draft", _("Lãnh đạo duyệt dự thảo")
    SEND_BACK = "send_back", _("Trả lại dự thảo kèm ý kiến")
    ISSUE_NUMBERED = "issue_numbered", _("Văn thư cấp số, ký số và phát hành")
    RETURN_REFUSAL = "return_refusal", _("Trả văn bản từ chối và kết thúc")
    RETURN_RESULT = "return_result", _("Trả kết quả và kết thúc")
    REFUSE = "refuse", _("Từ chối giải quyết")
    WITHDRAW = "withdraw", _("Rút hồ sơ theo yêu cầu công dân")


class StepOutcome(models.TextChoices):
    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")
