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
    ISSUE_RESULT = "issue_result", _("Ban hành kết quả")
    RETURN_RESULT = "return_result", _("Trả kết quả và kết thúc")
    REFUSE = "refuse", _("Từ chối giải quyết")
    WITHDRAW = "withdraw", _("Rút hồ sơ theo yêu cầu công dân")


class StepOutcome(models.TextChoices):
    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")
