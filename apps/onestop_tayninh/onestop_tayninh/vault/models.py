"""The citizen's document vault (Kho quản lý dữ liệu điện tử của tổ chức, cá nhân; docs/domain.md §8).

Every document a citizen submitted online and every electronic result issued to them,
with the metadata that makes it reusable: a later dossier picks it instead of asking
for it again, and the dossier records the reuse (the national reuse indicator).
The vault row and the dossier row share one stored file: nothing is copied.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.catalog.models import DocumentType
from onestop_tayninh.security.uploads import GatedFileField

from .constants import VaultSource
from .query import VaultDocumentQuerySet


class VaultDocument(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chủ sở hữu"),
        on_delete=models.CASCADE,
        related_name="vault_documents",
        help_text=_("Công dân, tổ chức sở hữu giấy tờ."),
    )
    title = models.CharField(_("tên giấy tờ"), max_length=500, help_text=_("Tên hiển thị của giấy tờ."))
    document_type = models.ForeignKey(
        DocumentType,
        verbose_name=_("loại giấy tờ"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="vault_documents",
        help_text=_("Loại giấy tờ: thủ tục yêu cầu cùng loại sẽ gợi ý dùng lại giấy tờ này."),
    )
    source = models.CharField(
        _("nguồn"),
        max_length=16,
        choices=VaultSource.choices,
        help_text=_("Công dân đã nộp, kết quả do cơ quan nhà nước cấp, hay biên lai phí, lệ phí đã nộp."),
    )
    source_dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ gốc"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Hồ sơ mà giấy tờ được nộp vào hoặc được cấp từ đó."),
    )
    # Holds the name of a file a dossier stored (already through the gate); the vault copies nothing.
    file = GatedFileField(
        _("tệp"), folder="vault", max_length=255, help_text=_("Tệp lưu trữ (dùng chung với hồ sơ gốc).")
    )
    original_name = models.CharField(_("tên tệp gốc"), max_length=255, help_text=_("Tên tệp khi tải lên."))
    content_type = models.CharField(_("kiểu nội dung"), max_length=100, help_text=_("Kiểu MIME xác định từ nội dung."))
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"), help_text=_("Dung lượng tệp tính bằng byte."))
    sha256 = models.CharField(
        _("mã băm SHA-256"), max_length=64, db_index=True, help_text=_("Để không lưu trùng một tệp hai lần.")
    )
    issuer = models.CharField(_("cơ quan cấp"), max_length=255, blank=True, help_text=_("Cơ quan ban hành giấy tờ."))
    issue_date = models.DateField(_("ngày cấp"), null=True, blank=True, help_text=_("Ngày ban hành giấy tờ."))
    number = models.CharField(_("số, ký hiệu"), max_length=100, blank=True, help_text=_("Số, ký hiệu của giấy tờ."))
    valid_until = models.DateField(
        _("có giá trị đến"), null=True, blank=True, help_text=_("Hết hạn thì không gợi ý dùng lại nữa.")
    )
    created_at = models.DateTimeField(_("đưa vào kho lúc"), help_text=_("Lúc giấy tờ được đưa vào kho."))

    objects = VaultDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("giấy tờ trong kho dữ liệu")
        verbose_name_plural = _("kho dữ liệu điện tử")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "sha256", "source"], name="vault_one_copy_per_owner"),
        ]

    def __str__(self) -> str:
        return self.title


class VaultConsent(models.Model):
    """The citizen's consent that the one-stop desk may offer their vault's documents when they hand a
    dossier in at a counter (Decree 45/2020: the repository is the citizen's; the state reads it with
    their agreement). One row per citizen; withdrawing keeps the row with `granted` off."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chủ sở hữu"),
        on_delete=models.CASCADE,
        related_name="vault_consent",
        help_text=_("Công dân, tổ chức chủ kho dữ liệu."),
    )
    granted = models.BooleanField(
        _("đồng ý cho bộ phận một cửa dùng lại"),
        default=False,
        help_text=_(
            "Khi nộp hồ sơ trực tiếp, cán bộ tiếp nhận được xem và dùng lại giấy tờ trong kho theo số CCCD của chủ kho."
        ),
    )
    changed_at = models.DateTimeField(_("thay đổi lúc"), help_text=_("Lúc công dân đồng ý hoặc rút lại đồng ý."))

    class Meta:
        verbose_name = _("đồng ý chia sẻ kho dữ liệu")
        verbose_name_plural = _("đồng ý chia sẻ kho dữ liệu")

    def __str__(self) -> str:
        return f"{self.owner} — {'đồng ý' if self.granted else 'không đồng ý'}"
