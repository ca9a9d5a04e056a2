"""Documents the system printed for a dossier (Forms 01–07), kept with the dossier; registers made by a worker."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.directory.models import Agency, ReceptionDesk
from onestop_tayninh.dossiers.constants import FormsVersion
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.security.uploads import GeneratedFileField

from .constants import DocumentKind, ExportStatus, RegisterFormat


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
    file = GeneratedFileField(
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


class RegisterExport(models.Model):
    """A register too long to make while the official waits: a worker makes it, the official downloads it."""

    desk = models.ForeignKey(
        ReceptionDesk,
        verbose_name=_("bộ phận tiếp nhận"),
        on_delete=models.CASCADE,
        related_name="register_exports",
        help_text=_("Bộ phận có sổ theo dõi được in."),
    )
    date_from = models.DateField(_("từ ngày"), help_text=_("Ngày đầu của khoảng thời gian, giờ Việt Nam."))
    date_to = models.DateField(_("đến ngày"), help_text=_("Ngày cuối của khoảng thời gian, giờ Việt Nam."))
    file_format = models.CharField(
        _("định dạng"), max_length=8, choices=RegisterFormat.choices, help_text=_("PDF để in, XLSX để tính toán.")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người yêu cầu"),
        on_delete=models.CASCADE,
        related_name="register_exports",
        help_text=_("Cán bộ đã yêu cầu in sổ."),
    )
    requested_at = models.DateTimeField(_("yêu cầu lúc"), db_index=True, help_text=_("Thời điểm yêu cầu in sổ."))
    rows = models.PositiveIntegerField(_("số hồ sơ"), help_text=_("Số hồ sơ trong sổ lúc yêu cầu."))
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=ExportStatus.choices,
        default=ExportStatus.QUEUED,
        help_text=_("Đang chờ, đang lập, đã xong hoặc không lập được."),
    )
    file = GeneratedFileField(
        _("tệp"), upload_to="registers/%Y/%m/", blank=True, help_text=_("Sổ đã lập; xóa sau 7 ngày.")
    )
    finished_at = models.DateTimeField(
        _("xong lúc"), null=True, blank=True, help_text=_("Thời điểm sổ được lập xong hoặc báo lỗi.")
    )
    error = models.CharField(_("lỗi"), max_length=500, blank=True, help_text=_("Vì sao không lập được sổ."))

    class Meta:
        verbose_name = _("sổ theo dõi đã lập")
        verbose_name_plural = _("sổ theo dõi đã lập")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.desk} {self.date_from:%d/%m/%Y}–{self.date_to:%d/%m/%Y} ({self.get_file_format_display()})"

    @property
    def filename(self) -> str:
        return f"so-theo-doi-{self.desk.code}-{self.date_from:%Y%m%d}-{self.date_to:%Y%m%d}.{self.file_format}"


class OutgoingNumber(models.Model):
    """The number a form the system issues (Forms 02, 03, 04, the stop notice) took in the register of
    outgoing documents of the body that issues it, fixed with the event.

    The register is the body's one sequence a year (dossiers.OutgoingRegister, Nghị định 30/2020): the
    records clerk's signed results and refusals take their numbers from the same counter.
    """

    event = models.ForeignKey(
        "dossiers.DossierEvent",
        verbose_name=_("sự kiện"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Sự kiện của hồ sơ mà văn bản được lập cho."),
    )
    kind = models.CharField(
        _("loại văn bản"), max_length=32, choices=DocumentKind.choices, help_text=_("Văn bản được cấp số.")
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Cơ quan ban hành văn bản, có sổ văn bản đi cấp số này."),
    )
    year = models.PositiveSmallIntegerField(_("năm"), help_text=_("Năm cấp số (giờ Việt Nam)."))
    number = models.PositiveIntegerField(_("số"), help_text=_("Số thứ tự trong sổ văn bản đi của cơ quan trong năm."))

    class Meta:
        verbose_name = _("số văn bản đi")
        verbose_name_plural = _("số văn bản đi")
        constraints = [
            models.UniqueConstraint(fields=["event", "kind"], name="printing_outgoing_once_per_event"),
            models.UniqueConstraint(fields=["agency", "year", "number"], name="printing_outgoing_agency_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number:02d}/{self.year}"
