"""Citizen-side records of the portal: drafts of online submissions and service ratings."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.catalog.models import DocumentRequirement, ProcedureVersion
from onestop_tayninh.directory.models import ReceptionDesk
from onestop_tayninh.dossiers.constants import ReturnMethod
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.security.uploads import GatedFileField

from .constants import RATING_MAX_SCORE, DraftStatus, RatingChannel


class SubmissionDraft(models.Model):
    """An online submission being prepared; becomes exactly one dossier when submitted."""

    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("công dân"),
        on_delete=models.CASCADE,
        related_name="submission_drafts",
        help_text=_("Người đang soạn hồ sơ."),
    )
    procedure_version = models.ForeignKey(
        ProcedureVersion,
        verbose_name=_("thủ tục"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Phiên bản thủ tục lúc bắt đầu soạn."),
    )
    receiving_desk = models.ForeignKey(
        ReceptionDesk,
        verbose_name=_("nơi nộp"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Bộ phận Một cửa sẽ kiểm tra hồ sơ."),
    )
    applicant_unit = models.ForeignKey(
        "directory.AdministrativeUnit",
        verbose_name=_("nơi cư trú (xã, phường)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Xã, phường nơi người nộp cư trú (tổ chức: nơi đặt trụ sở)."),
    )
    object_unit = models.ForeignKey(
        "directory.AdministrativeUnit",
        verbose_name=_("nơi có đối tượng (xã, phường)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "Với thủ tục mà cơ quan giải quyết xác định theo nơi có đối tượng (thửa đất, công trình, địa điểm "
            "kinh doanh, nơi cư trú cuối cùng của người chết…): xã, phường nơi đó."
        ),
    )
    form_data = models.JSONField(
        _("nội dung tờ khai"), default=dict, blank=True, help_text=_("Giá trị đã nhập trên tờ khai điện tử.")
    )
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True, help_text=_("Số điện thoại liên hệ."))
    email = models.EmailField(_("thư điện tử"), blank=True, help_text=_("Thư điện tử nhận thông báo."))
    address = models.CharField(_("địa chỉ"), max_length=500, blank=True, help_text=_("Địa chỉ liên hệ."))
    return_method = models.CharField(
        _("hình thức nhận kết quả"),
        max_length=16,
        choices=ReturnMethod.choices,
        default=ReturnMethod.ONLINE,
        help_text=_("Nhận trực tuyến, tại bộ phận một cửa, hoặc qua bưu chính."),
    )
    return_address = models.CharField(
        _("địa chỉ nhận qua bưu chính"), max_length=500, blank=True, help_text=_("Khi nhận kết quả qua bưu chính.")
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=DraftStatus.choices,
        default=DraftStatus.DRAFT,
        help_text=_("Bản nháp hay đã nộp."),
    )
    dossier = models.OneToOneField(
        Dossier,
        verbose_name=_("hồ sơ đã nộp"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="draft",
        help_text=_("Hồ sơ tạo ra khi nộp (một bản nháp chỉ tạo một hồ sơ)."),
    )
    created_at = models.DateTimeField(_("tạo lúc"), help_text=_("Lúc bắt đầu soạn."))
    updated_at = models.DateTimeField(_("sửa lúc"), help_text=_("Lần lưu gần nhất."))
    expires_at = models.DateTimeField(
        _("hết hạn lúc"), db_index=True, help_text=_("Bản nháp chưa nộp được giữ đến lúc này rồi tự xóa.")
    )

    class Meta:
        verbose_name = _("bản nháp hồ sơ trực tuyến")
        verbose_name_plural = _("bản nháp hồ sơ trực tuyến")
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.procedure_version.name} ({self.get_status_display()})"


class DraftFile(models.Model):
    """One file of a draft: uploaded (already checked and scanned) or picked from the vault."""

    draft = models.ForeignKey(
        SubmissionDraft,
        verbose_name=_("bản nháp"),
        on_delete=models.CASCADE,
        related_name="files",
        help_text=_("Bản nháp chứa tệp."),
    )
    requirement = models.ForeignKey(
        DocumentRequirement,
        verbose_name=_("thành phần hồ sơ"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Thành phần hồ sơ mà tệp này đáp ứng."),
    )
    file = GatedFileField(_("tệp"), folder="drafts", max_length=255, help_text=_("Tệp đã tải lên."))
    original_name = models.CharField(_("tên tệp gốc"), max_length=255, help_text=_("Tên tệp khi tải lên."))
    content_type = models.CharField(_("kiểu nội dung"), max_length=100, help_text=_("Kiểu MIME xác định từ nội dung."))
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"), help_text=_("Dung lượng tệp tính bằng byte."))
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, help_text=_("Mã băm nội dung tệp."))
    # What opening the file found (security.uploads.open_as): a PDF's pages, an image's pixels.
    page_count = models.PositiveIntegerField(
        _("số trang"), null=True, blank=True, help_text=_("Số trang của tệp PDF, đếm khi tệp được mở lúc tải lên.")
    )
    width = models.PositiveIntegerField(
        _("chiều rộng (điểm ảnh)"), null=True, blank=True, help_text=_("Chiều rộng của ảnh, tính bằng điểm ảnh.")
    )
    height = models.PositiveIntegerField(
        _("chiều cao (điểm ảnh)"), null=True, blank=True, help_text=_("Chiều cao của ảnh, tính bằng điểm ảnh.")
    )
    vault_document = models.ForeignKey(
        "vault.VaultDocument",
        verbose_name=_("chọn từ kho dữ liệu"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Giấy tờ chọn lại từ kho dữ liệu (không tải lên lại)."),
    )
    added_at = models.DateTimeField(_("thêm lúc"), help_text=_("Lúc thêm tệp vào bản nháp."))

    class Meta:
        verbose_name = _("tệp trong bản nháp")
        verbose_name_plural = _("tệp trong bản nháp")
        ordering = ["requirement__position", "pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def from_vault(self) -> bool:
        return self.vault_document_id is not None


class ServiceRating(models.Model):
    """The citizen's rating of one dossier's handling (docs/domain.md §9): one per dossier."""

    dossier = models.OneToOneField(
        Dossier,
        verbose_name=_("hồ sơ"),
        on_delete=models.CASCADE,
        related_name="rating",
        help_text=_("Hồ sơ được đánh giá."),
    )
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đánh giá"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Tài khoản công dân đã nộp hồ sơ; trống khi người nộp trực tiếp đánh giá không cần tài khoản."),
    )
    channel = models.CharField(
        _("đánh giá qua"),
        max_length=16,
        choices=RatingChannel.choices,
        default=RatingChannel.ACCOUNT,
        help_text=_("Tài khoản cổng dịch vụ công, đường dẫn (mã QR) trên giấy tiếp nhận, hay máy đánh giá tại quầy."),
    )
    desk = models.ForeignKey(
        ReceptionDesk,
        verbose_name=_("quầy đánh giá"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Bộ phận một cửa có máy đánh giá, khi đánh giá tại quầy."),
    )
    satisfied = models.BooleanField(
        _("hài lòng"), help_text=_("Đánh giá chung: hài lòng hay không hài lòng (chỉ tiêu mức độ hài lòng).")
    )
    answers = models.JSONField(
        _("điểm từng chỉ số"), default=dict, help_text=_("Điểm 2 / 1 / 0 theo từng chỉ số đánh giá.")
    )
    score = models.PositiveSmallIntegerField(_("tổng điểm"), help_text=_("Tổng điểm các chỉ số."))
    comment = models.TextField(_("ý kiến"), blank=True, help_text=_("Góp ý thêm của công dân."))
    created_at = models.DateTimeField(_("đánh giá lúc"), help_text=_("Lúc gửi đánh giá."))

    class Meta:
        verbose_name = _("đánh giá mức độ hài lòng")
        verbose_name_plural = _("đánh giá mức độ hài lòng")

    def __str__(self) -> str:
        return f"{self.dossier} — {'hài lòng' if self.satisfied else 'không hài lòng'}"

    @property
    def max_score(self) -> int:
        return RATING_MAX_SCORE

    @property
    def score_display(self) -> str:
        """The score on its scale: "8/10 điểm"."""
        return _("%(score)s/%(max)s điểm") % {"score": self.score, "max": RATING_MAX_SCORE}
