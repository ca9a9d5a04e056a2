from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    """What a connected system may do through the API: OAuth2 scopes, granted per client.

    A scope says which kind of call a client may make; which records it reaches is the row-level rule
    of its technical account (docs/architecture.md "The HTTP API"), never the scope.
    """

    PROCEDURES_READ = "procedures:read", _("Đọc danh mục thủ tục hành chính đang công bố")
    DOSSIERS_READ = "dossiers:read", _("Đọc hồ sơ, lịch sử xử lý, tra cứu hồ sơ và tải kết quả")
    DOSSIERS_WRITE = "dossiers:write", _("Tiếp nhận hồ sơ và thực hiện thao tác xử lý hồ sơ")
    DOCUMENTS_WRITE = "documents:write", _("Tải giấy tờ lên hồ sơ")
    INDICATORS_READ = "indicators:read", _("Đọc số liệu, chỉ số đánh giá của đơn vị")
    HANDOVER_WRITE = "handover:write", _("Gửi hồ sơ liên thông và kết quả liên thông (hệ thống một cửa khác)")
    WEBHOOKS_MANAGE = (
        "webhooks:manage",
        _("Đăng ký nhận sự kiện hồ sơ (webhook) cho chính hệ thống và theo dõi lượt gửi"),
    )


class ApiAuditAction:
    """The audit trail's action for one API call (security.AuditEvent.action)."""

    CALL = "api_call"


# The header a client sends so that a replayed create makes one dossier (api.services).
IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX = 100
