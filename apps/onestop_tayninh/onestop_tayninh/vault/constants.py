from django.db import models
from django.utils.translation import gettext_lazy as _


class VaultSource(models.TextChoices):
    """How a document came into a citizen's vault (docs/domain.md §8)."""

    SUBMITTED = "submitted", _("Giấy tờ công dân đã nộp")
    RESULT = "result", _("Kết quả giải quyết điện tử")
    RECEIPT = "receipt", _("Biên lai thu phí, lệ phí")
