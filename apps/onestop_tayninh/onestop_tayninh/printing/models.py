"""Documents the system printed for a dossier (Forms 01–07), kept with the dossier."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.dossiers.constants import FormsVersion
from onestop_tayninh.dossiers.models import Dossier

from .constants import DocumentKind


class GeneratedDocument(models.Model):
    """One PDF as issued at one moment; a later print of the same kind is a new row, never an overwrite."""

    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("hồ sơ"),
        on_delete=models.PROTECT,
        related_name="generated_documents",
        help_text=_("Hồ sơ mà văn bản này được lập cho."),
    )
    kind = models.CharField(
        _("loại văn bản"), max_length=32, choices=DocumentKind.choices, help_text=_("Biểu mẫu đã in.")
    )
    forms_version = models.CharField(
        _("bộ biểu mẫu"),
        max_length=8,
        choices=FormsVersion.choices,
        help_text=_("Bộ biểu mẫu theo thông tư áp dụng cho hồ sơ."),
    )
    file = models.FileField(
        _("tệp PDF"), upload_to="generated/%Y/%m/", help_text=_("Bản PDF đã lập, không sửa sau khi lưu.")
    )
    created_at = models.DateTimeField(_("lập lúc"), db_index=True, help_text=_("Thời điểm lập văn bản."))
    sha256 = models.CharField(
        _("mã băm SHA-256"), max_length=64, help_text=_("Mã băm của tệp, để kiểm tra tệp không bị thay đổi.")
    )

    class Meta:
        verbose_name = _("văn bản đã lập")
        verbose_name_plural = _("văn bản đã lập")
        ordering = ["created_at", "pk"]
        constraints = [
            # A job run twice for the same event finds the row of the first run (printing.jobs).
            models.UniqueConstraint(fields=["dossier", "kind", "created_at"], name="printing_generated_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.dossier}"
