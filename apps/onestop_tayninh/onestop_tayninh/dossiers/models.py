"""Dossiers (hồ sơ) at intake: submission, the receipt check, the legal dossier code.

A dossier is checked at the desk (`to_check`) and ends its intake in one of three ways
(docs/domain.md §5.3): received with a code and an appointment (Form 01), returned with one
complete list of what is missing (Form 02), or refused (Form 03). Every write goes
through `services`; `DossierEvent` keeps the history and is append-only.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.calendars.engine import VIETNAM_TZ
from onestop_tayninh.catalog.eforms import cccd_validator, phone_validator
from onestop_tayninh.catalog.models import DocumentRequirement, DocumentType, ProcedureVersion
from onestop_tayninh.core.text import fold
from onestop_tayninh.directory.models import AdministrativeUnit, Agency, ReceptionDesk
from onestop_tayninh.security.uploads import GatedFileField, GeneratedFileField
from onestop_tayninh.workflows.constants import StepOutcome

from .constants import (
    AlertKind,
    ApologyDraftStatus,
    ApplicantKind,
    Channel,
    DossierStatus,
    DraftKind,
    DraftStatus,
    EventAction,
    FormsVersion,
    ReturnMethod,
    TrackedImportStatus,
)
from .query import DossierDocumentQuerySet, DossierQuerySet, TrackedImportQuerySet

SEARCH_NAME_LENGTH = 500


class Dossier(models.Model):
    procedure_version = models.ForeignKey(
        ProcedureVersion,
        verbose_name=_("thủ tục"),
        on_delete=models.PROTECT,
        related_name="dossiers",
        help_text=_("Phiên bản thủ tục tại thời điểm nộp; hồ sơ giữ phiên bản này đến khi kết thúc."),
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=24,
        choices=DossierStatus.choices,
        default=DossierStatus.TO_CHECK,
        db_index=True,
        help_text=_("Trạng thái xử lý của hồ sơ."),
    )
    channel = models.CharField(
        _("hình thức nộp"),
        max_length=16,
        choices=Channel.choices,
        default=Channel.DESK,
        help_text=_("Trực tiếp, bưu chính, trực tuyến hoặc Zalo."),
    )
    receiving_desk = models.ForeignKey(
        ReceptionDesk,
        verbose_name=_("bộ phận tiếp nhận"),
        on_delete=models.PROTECT,
        related_name="dossiers",
        help_text=_("Bộ phận Một cửa kiểm tra và tiếp nhận hồ sơ."),
    )
    receiving_agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan tiếp nhận"),
        on_delete=models.PROTECT,
        related_name="received_dossiers",
        help_text=_("Cơ quan quản lý bộ phận tiếp nhận; mã định danh của cơ quan là tiền tố mã hồ sơ."),
    )
    applicant_account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản người nộp"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="own_dossiers",
        help_text=_("Tài khoản cổng dịch vụ công của người nộp (hồ sơ nộp trực tuyến); trống với hồ sơ nộp trực tiếp."),
    )

    applicant_kind = models.CharField(
        _("đối tượng"),
        max_length=16,
        choices=ApplicantKind.choices,
        default=ApplicantKind.INDIVIDUAL,
        help_text=_("Cá nhân hay tổ chức nộp hồ sơ."),
    )
    full_name = models.CharField(
        _("họ và tên"), max_length=255, blank=True, help_text=_("Họ và tên người nộp (hoặc người đại diện nộp).")
    )
    cccd = models.CharField(
        _("số CCCD"),
        max_length=12,
        blank=True,
        db_index=True,
        validators=[cccd_validator],
        help_text=_("Số căn cước công dân, đúng 12 chữ số."),
    )
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True, help_text=_("Ngày sinh của người nộp."))
    phone = models.CharField(
        _("điện thoại"),
        max_length=12,
        blank=True,
        validators=[phone_validator],
        help_text=_("Số điện thoại liên hệ, ví dụ 0912345678."),
    )
    email = models.EmailField(_("thư điện tử"), blank=True, help_text=_("Địa chỉ thư điện tử liên hệ."))
    address = models.CharField(_("địa chỉ"), max_length=500, blank=True, help_text=_("Địa chỉ liên hệ."))
    # Where the dossier belongs, from the unit directory (never free text): the competent People's
    # Committee is found from these, not from the desk that received the dossier (Decree 118/2025).
    applicant_unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("nơi cư trú (xã, phường)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Xã, phường nơi người nộp cư trú (tổ chức: nơi đặt trụ sở), chọn trong danh mục."),
    )
    object_unit = models.ForeignKey(
        AdministrativeUnit,
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
    organisation_name = models.CharField(
        _("tên tổ chức"), max_length=255, blank=True, help_text=_("Với tổ chức: tên đầy đủ của tổ chức.")
    )
    tax_code = models.CharField(
        _("mã số thuế"), max_length=14, blank=True, help_text=_("Với tổ chức: mã số thuế (mã số doanh nghiệp).")
    )
    representative = models.CharField(
        _("người đại diện"), max_length=255, blank=True, help_text=_("Với tổ chức: người đại diện theo pháp luật.")
    )
    form_data = models.JSONField(
        _("dữ liệu tờ khai"), default=dict, blank=True, help_text=_("Nội dung tờ khai điện tử của thủ tục.")
    )
    return_method = models.CharField(
        _("cách nhận kết quả"),
        max_length=16,
        choices=ReturnMethod.choices,
        default=ReturnMethod.DESK,
        help_text=_("Nơi và cách người nộp nhận kết quả."),
    )
    return_address = models.CharField(
        _("địa chỉ nhận kết quả"),
        max_length=500,
        blank=True,
        help_text=_("Bắt buộc khi nhận kết quả qua bưu chính."),
    )

    code = models.CharField(
        _("mã hồ sơ"),
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=_("Mã hồ sơ theo Thông tư 01/2018: «mã cơ quan»-«YYMMDD»-«số thứ tự»; cấp khi tiếp nhận, không đổi."),
    )
    received_at = models.DateTimeField(
        _("thời điểm tiếp nhận"), null=True, blank=True, editable=False, help_text=_("Lúc hồ sơ được tiếp nhận.")
    )
    due_at = models.DateTimeField(
        _("hẹn trả kết quả"),
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text=_("Thời điểm hẹn trả kết quả, tính theo ngày làm việc."),
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ tiếp nhận"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="received_dossiers",
        help_text=_("Cán bộ đã tiếp nhận hồ sơ."),
    )
    check_due_at = models.DateTimeField(
        _("hạn kiểm tra"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Hồ sơ trực tuyến: bộ phận một cửa phải kiểm tra trước thời điểm này "
            "(số giờ làm việc theo ONESTOP_ONLINE_CHECK_HOURS kể từ khi công dân nộp hoặc nộp lại)."
        ),
    )
    forms_version = models.CharField(
        _("bộ biểu mẫu"),
        max_length=8,
        choices=FormsVersion.choices,
        default=FormsVersion.CIRCULAR_01_2018,
        editable=False,
        help_text=_("Bộ biểu mẫu áp dụng theo ngày tiếp nhận (Thông tư 03/2025 từ 15/9/2025)."),
    )
    # Folded applicant names in a binary collation, so "nguyen van an" finds "Nguyễn Văn An"
    # with a plain byte comparison (see catalog.ProcedureVersion.search_text).
    search_name = models.CharField(
        _("tên tìm kiếm"),
        max_length=SEARCH_NAME_LENGTH,
        editable=False,
        default="",
        db_index=True,
        db_collation="utf8mb4_bin",
        help_text=_("Tên người nộp, tổ chức viết thường, bỏ dấu, dùng cho tìm kiếm."),
    )
    # The given name (last word of the applicant's name), folded: officers often search by it alone.
    search_given = models.CharField(
        _("tên gọi tìm kiếm"),
        max_length=60,
        editable=False,
        default="",
        db_index=True,
        db_collation="utf8mb4_bin",
        help_text=_("Tên gọi (chữ cuối của họ tên) viết thường, bỏ dấu."),
    )
    # --- the closed loop after receipt (workflows app) ---
    workflow_version = models.ForeignKey(
        "workflows.WorkflowVersion",
        verbose_name=_("quy trình"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        help_text=_("Phiên bản quy trình hồ sơ được xử lý theo (cố định khi tiếp nhận)."),
    )
    state = models.ForeignKey(
        "workflows.State",
        verbose_name=_("bước hiện tại"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        help_text=_("Bước xử lý hiện tại trong quy trình."),
    )
    current_agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan đang giữ hồ sơ"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers_held",
        help_text=_("Cơ quan đang xử lý hồ sơ ở bước hiện tại."),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chuyên viên được phân công"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_dossiers",
        help_text=_("Chuyên viên thẩm định hồ sơ."),
    )
    state_entered_at = models.DateTimeField(
        _("vào bước lúc"), null=True, blank=True, help_text=_("Lúc hồ sơ đến bước hiện tại.")
    )
    step_due_at = models.DateTimeField(
        _("hạn của bước"), null=True, blank=True, help_text=_("Hạn hoàn thành bước hiện tại.")
    )
    original_due_at = models.DateTimeField(
        _("ngày hẹn ban đầu"), null=True, blank=True, help_text=_("Ngày hẹn trước khi xin lỗi và hẹn lại (Mẫu 04).")
    )
    paused_at = models.DateTimeField(
        _("tạm dừng từ"), null=True, blank=True, help_text=_("Thời gian giải quyết tạm dừng khi chờ công dân bổ sung.")
    )
    paused_seconds = models.PositiveIntegerField(
        _("thời gian tạm dừng (giây làm việc)"), default=0, help_text=_("Tổng thời gian làm việc đã tạm dừng.")
    )
    supplement_count = models.PositiveSmallIntegerField(
        _("số lần yêu cầu bổ sung"), default=0, help_text=_("Từ lần thứ hai, hồ sơ bị tính là trễ hạn.")
    )
    counted_late = models.BooleanField(
        _("tính là trễ hạn"), default=False, help_text=_("Theo chỉ số quốc gia: yêu cầu bổ sung quá một lần.")
    )
    apology_count = models.PositiveSmallIntegerField(
        _("số lần xin lỗi, hẹn lại"), default=0, help_text=_("Chỉ được hẹn lại một lần.")
    )
    # A signed result is a PDF; the gate checks it and names it (security.uploads).
    result_file = GatedFileField(
        _("tệp kết quả"),
        folder="results",
        accepted_types=("pdf",),
        blank=True,
        help_text=_("Kết quả giải quyết đã ký (PDF)."),
    )
    result_electronic = models.BooleanField(
        _("kết quả điện tử"), default=False, help_text=_("Kết quả bản điện tử, có giá trị như bản giấy.")
    )
    result_issued_at = models.DateTimeField(
        _("ban hành kết quả lúc"), null=True, blank=True, help_text=_("Lúc phê duyệt kết quả.")
    )
    closed_at = models.DateTimeField(
        _("kết thúc lúc"), null=True, blank=True, help_text=_("Lúc trả kết quả, từ chối hoặc rút hồ sơ.")
    )
    # Kept by dossiers/fees.py from what the payments app reports: a workflow step may wait for it.
    fees_due = models.BigIntegerField(
        _("phí, lệ phí còn phải nộp (đồng)"),
        default=0,
        # Also in the table: rows written in SQL (the bench generator, imports) owe nothing.
        db_default=0,
        editable=False,
        help_text=_("Số tiền đã yêu cầu nộp mà chưa nhận được; 0 khi không còn khoản nào."),
    )
    lock_version = models.PositiveIntegerField(
        _("phiên bản dữ liệu"), default=0, help_text=_("Tăng sau mỗi thao tác; phát hiện thao tác trên trang đã cũ.")
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True, help_text=_("Lúc hồ sơ được tạo."))
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True, help_text=_("Lần thay đổi gần nhất."))

    objects = DossierQuerySet.as_manager()
    #: What the search index was written from (dossiers/search.py), set when the dossier is read or indexed.
    _search_source: tuple | None = None

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["receiving_agency", "status"]),
            # An agency's queue at one step (the inbox's assign / approve / return buckets), newest first,
            # with the assignee the row-level rule reads: the page's ids from the index alone.
            models.Index(
                fields=["current_agency", "state", "closed_at", "status", "created_at", "assigned_to"],
                name="dossier_held_queue_idx",
            ),
            # A desk's dossiers waiting for the check ("Chờ kiểm tra, tiếp nhận"), the same way.
            models.Index(
                fields=["receiving_desk", "status", "created_at", "assigned_to"], name="dossier_desk_queue_idx"
            ),
            # An official's open dossiers, and their "due soon" ones (selectors._bucket): a range per official.
            models.Index(fields=["assigned_to", "closed_at", "due_at"], name="dossier_assigned_due_idx"),
            models.Index(fields=["closed_at", "due_at"]),
            models.Index(fields=["current_agency", "closed_at", "due_at"]),
            # The desk's register: its line numbers and date ranges (printing).
            models.Index(fields=["receiving_desk", "received_at"]),
            # A period's dossiers at any desk: the first and last ids received in it (the API's date filter).
            models.Index(fields=["received_at"], name="dossier_received_idx"),
            # The deadline scan's online dossiers waiting for the check.
            models.Index(fields=["status", "check_due_at"]),
            # The overdue and due-soon questions (DossierQuerySet.overdue, the inbox's buckets and counts):
            # open, running dossiers by due date, with what the row-level rule and the queue's order read,
            # so the range is read from the index alone at a million dossiers.
            models.Index(
                fields=[
                    "closed_at",
                    "paused_at",
                    "status",
                    "due_at",
                    "assigned_to",
                    "channel",
                    "check_due_at",
                    "created_at",
                ],
                name="dossier_open_deadline_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.code or _("Hồ sơ chưa cấp mã #%(pk)s") % {"pk": self.pk}

    def save(self, *args, **kwargs) -> None:
        from . import tallies
        from .search import index_source, reindex

        self.search_name = self.compute_search_name()
        self.search_given = (fold(self.full_name or self.organisation_name).rsplit(" ", 1) or [""])[-1][:60]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_name", "search_given"}
        adding = self._state.adding
        # The inbox tallies (dossiers/tallies.py) follow the write in its transaction: the stored key
        # is read under a row lock, the new one is what this save writes.
        retally = update_fields is None or bool(tallies.KEY_FIELD_NAMES & set(update_fields))
        with transaction.atomic(savepoint=False):
            stored = tallies.stored_values(self.pk) if retally and self.pk is not None else None
            super().save(*args, **kwargs)
            if retally:
                values = {name: getattr(self, name) for name in tallies.KEY_FIELDS}
                if stored is not None and update_fields is not None:
                    # Fields this save does not write keep their stored values.
                    written = set(update_fields)
                    values = {
                        name: values[name] if name.removesuffix("_id") in written else stored[name]
                        for name in tallies.KEY_FIELDS
                    }
                tallies.move(tallies.key_of(stored) if stored else None, tallies.key_of(values))
                if stored is not None and tallies.open_due(stored) != tallies.open_due(values):
                    DossierAccess.objects.filter(dossier_id=self.pk).update(open_due_at=tallies.open_due(values))
        # The desk's search index (dossiers/search.py) follows every write of the applicant data or the code.
        previous = self._search_source
        if adding or previous != index_source(self):
            reindex(self, previous=previous, adding=adding)

    def delete(self, *args, **kwargs):
        from . import tallies

        with transaction.atomic(savepoint=False):
            stored = tallies.stored_values(self.pk)
            deleted = super().delete(*args, **kwargs)
            tallies.move(tallies.key_of(stored) if stored else None, None)
        return deleted

    @classmethod
    def from_db(cls, db, field_names, values):
        dossier = super().from_db(db, field_names, values)
        from .search import index_source

        # What the search index was made from, to rewrite it only when the applicant data or the code change.
        dossier._search_source = index_source(dossier) if not dossier.get_deferred_fields() else None
        return dossier

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.applicant_kind == ApplicantKind.INDIVIDUAL and not self.full_name.strip():
            errors["full_name"] = _("Hãy nhập họ và tên người nộp hồ sơ.")
        if self.applicant_kind == ApplicantKind.ORGANISATION and not self.organisation_name.strip():
            errors["organisation_name"] = _("Hãy nhập tên tổ chức nộp hồ sơ.")
        if self.return_method == ReturnMethod.POST and not self.return_address.strip():
            errors["return_address"] = _("Nhận kết quả qua bưu chính cần địa chỉ nhận.")
        if self.receiving_desk_id and self.receiving_agency_id:
            if self.receiving_desk.agency_id != self.receiving_agency_id:
                errors["receiving_agency"] = _("Cơ quan tiếp nhận phải là cơ quan quản lý bộ phận tiếp nhận.")
        if errors:
            raise ValidationError(errors)

    @property
    def applicant_name(self) -> str:
        if self.applicant_kind == ApplicantKind.ORGANISATION:
            return self.organisation_name
        return self.full_name

    def compute_search_name(self) -> str:
        names = " ".join(part for part in (self.full_name, self.organisation_name, self.representative) if part)
        return fold(names)[:SEARCH_NAME_LENGTH]


class DossierDocument(models.Model):
    """One file of a dossier component, with its digitisation metadata (số hóa)."""

    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("hồ sơ"),
        on_delete=models.CASCADE,
        related_name="documents",
        help_text=_("Hồ sơ chứa giấy tờ này."),
    )
    requirement = models.ForeignKey(
        DocumentRequirement,
        verbose_name=_("thành phần hồ sơ"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossier_documents",
        help_text=_("Thành phần hồ sơ theo thủ tục; để trống với giấy tờ nộp thêm."),
    )
    file = GatedFileField(_("tệp"), folder="dossiers", help_text=_("Tệp bản chụp hoặc bản điện tử."))
    original_name = models.CharField(
        _("tên tệp gốc"), max_length=255, help_text=_("Tên tệp khi tải lên (chỉ để hiển thị).")
    )
    content_type = models.CharField(
        _("kiểu nội dung"), max_length=100, help_text=_("Kiểu MIME xác định từ nội dung tệp.")
    )
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"), help_text=_("Dung lượng tệp tính bằng byte."))
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
    document_type = models.ForeignKey(
        DocumentType,
        verbose_name=_("loại giấy tờ"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossier_documents",
        help_text=_("Loại giấy tờ (số hóa), để dùng lại ở hồ sơ sau."),
    )
    issuer = models.CharField(
        _("cơ quan cấp"), max_length=255, blank=True, help_text=_("Cơ quan ban hành giấy tờ (số hóa).")
    )
    issue_date = models.DateField(_("ngày cấp"), null=True, blank=True, help_text=_("Ngày ban hành giấy tờ."))
    number = models.CharField(_("số, ký hiệu"), max_length=100, blank=True, help_text=_("Số, ký hiệu của giấy tờ."))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải lên"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Cán bộ hoặc công dân đã tải tệp lên."),
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"), help_text=_("Thời điểm tải tệp lên."))
    supplement_round = models.PositiveSmallIntegerField(
        _("lần bổ sung"),
        default=0,
        help_text=_("0: nộp lần đầu; 1, 2…: nộp theo yêu cầu bổ sung lần thứ mấy. Bản cũ được giữ nguyên."),
    )
    # What was handed in on paper with this component (Form 01 lists it). The desk enters it at
    # the receipt check, prefilled with the procedure's numbers; an online file is electronic only (0, 0, 0).
    originals = models.PositiveSmallIntegerField(
        _("số bản chính"), default=0, help_text=_("Số bản chính người nộp đã nộp cho thành phần này.")
    )
    certified_copies = models.PositiveSmallIntegerField(
        _("số bản sao chứng thực"), default=0, help_text=_("Số bản sao có chứng thực đã nộp.")
    )
    photocopies = models.PositiveSmallIntegerField(
        _("số bản chụp"), default=0, help_text=_("Số bản chụp (bản photo, không chứng thực) đã nộp.")
    )
    reused_from = models.ForeignKey(
        "vault.VaultDocument",
        verbose_name=_("dùng lại từ kho dữ liệu"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reuses",
        help_text=_("Giấy tờ công dân chọn lại từ kho dữ liệu điện tử thay vì tải lên (chỉ tiêu tái sử dụng)."),
    )
    # At the desk the officer may also attach what an earlier dossier of the same CCCD holds (dossiers.reuse).
    reused_document = models.ForeignKey(
        "self",
        verbose_name=_("dùng lại giấy tờ của hồ sơ trước"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reuses",
        help_text=_("Thành phần của hồ sơ trước (cùng số CCCD) được dùng lại thay vì quét lại (chỉ tiêu tái sử dụng)."),
    )
    reused_result = models.ForeignKey(
        Dossier,
        verbose_name=_("dùng lại kết quả của hồ sơ"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="result_reuses",
        help_text=_("Kết quả giải quyết đã cấp ở hồ sơ trước được dùng lại thay vì quét lại (chỉ tiêu tái sử dụng)."),
    )

    objects = DossierDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("giấy tờ trong hồ sơ")
        verbose_name_plural = _("giấy tờ trong hồ sơ")
        ordering = ["requirement__position", "pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def on_paper(self) -> bool:
        """Whether paper was handed in with this file (else it is an electronic document only)."""
        return bool(self.originals or self.certified_copies or self.photocopies)


class DossierCodeCounter(models.Model):
    """The last sequence number issued per receiving agency and local day (see services)."""

    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Cơ quan tiếp nhận."),
    )
    day = models.DateField(_("ngày"), help_text=_("Ngày tiếp nhận (giờ Việt Nam)."))
    last_number = models.PositiveIntegerField(
        _("số cuối đã cấp"), default=0, help_text=_("Số thứ tự cuối cùng đã cấp.")
    )

    class Meta:
        verbose_name = _("bộ đếm mã hồ sơ")
        verbose_name_plural = _("bộ đếm mã hồ sơ")
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="dossiers_counter_agency_day")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day:%Y-%m-%d}: {self.last_number}"


class DossierEvent(models.Model):
    """Append-only history of a dossier: rows are only ever inserted."""

    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("hồ sơ"),
        on_delete=models.PROTECT,
        related_name="events",
        help_text=_("Hồ sơ của sự kiện."),
    )
    action = models.CharField(
        _("thao tác"), max_length=32, choices=EventAction.choices, help_text=_("Việc đã làm với hồ sơ.")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Người thực hiện thao tác."),
    )
    at = models.DateTimeField(_("thời điểm"), help_text=_("Thời điểm thực hiện."))
    comment = models.TextField(_("ghi chú"), blank=True, help_text=_("Lý do, nội dung kèm theo."))
    data = models.JSONField(_("dữ liệu"), default=dict, blank=True, help_text=_("Dữ liệu kèm theo sự kiện."))
    # Hand-over details: one row per hand-over is a line of the process control sheet (Form 05).
    from_state = models.ForeignKey(
        "workflows.State",
        verbose_name=_("từ bước"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Bước trước thao tác."),
    )
    to_state = models.ForeignKey(
        "workflows.State",
        verbose_name=_("đến bước"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Bước sau thao tác."),
    )
    from_agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan giao"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Cơ quan bàn giao hồ sơ."),
    )
    to_agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan nhận"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Cơ quan nhận hồ sơ."),
    )
    step_due_at = models.DateTimeField(_("hạn của bước"), null=True, blank=True, help_text=_("Hạn của bước vừa xong."))
    outcome = models.CharField(
        _("kết quả bước"),
        max_length=16,
        blank=True,
        choices=StepOutcome.choices,
        help_text=_("Trước hạn, đúng hạn hay quá hạn."),
    )

    class Meta:
        verbose_name = _("lịch sử hồ sơ")
        verbose_name_plural = _("lịch sử hồ sơ")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {timezone.localtime(self.at, VIETNAM_TZ):%H:%M %d/%m/%Y}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("Lịch sử hồ sơ chỉ được ghi thêm, không được sửa.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Lịch sử hồ sơ chỉ được ghi thêm, không được xóa.")


class DossierAccess(models.Model):
    """An agency the dossier is or was at: its officials may see the dossier (the row-level rule)."""

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="access", help_text=_("Hồ sơ.")
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Cơ quan đã hoặc đang giữ hồ sơ."),
    )

    #: The dossier's due time while it is open and running (not paused), else empty; kept by Dossier.save()
    #: (dossiers/tallies.py) so that an agency's overdue dossiers are one range of the index below.
    open_due_at = models.DateTimeField(
        _("hạn trả khi đang xử lý"),
        null=True,
        blank=True,
        help_text=_("Ngày hẹn trả của hồ sơ khi hồ sơ đang xử lý và không tạm dừng; để trống khi khác."),
    )

    class Meta:
        verbose_name = _("quyền xem hồ sơ của cơ quan")
        verbose_name_plural = _("quyền xem hồ sơ của cơ quan")
        constraints = [models.UniqueConstraint(fields=["agency", "dossier"], name="dossier_access_unique")]
        indexes = [models.Index(fields=["agency", "open_due_at", "dossier"], name="dossier_access_open_due_idx")]

    def __str__(self) -> str:
        return f"{self.dossier} — {self.agency}"

    def save(self, *args, **kwargs) -> None:
        from . import tallies

        if self._state.adding:
            self.open_due_at = tallies.dossier_open_due(self.dossier)
        super().save(*args, **kwargs)


class Consultation(models.Model):
    """A request for the opinion of another agency (inter-agency one-stop); several run in parallel."""

    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("hồ sơ"),
        on_delete=models.CASCADE,
        related_name="consultations",
        help_text=_("Hồ sơ cần ý kiến."),
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan phối hợp"),
        on_delete=models.PROTECT,
        related_name="consultations",
        help_text=_("Cơ quan được lấy ý kiến."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đề nghị"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Chuyên viên đề nghị."),
    )
    requested_at = models.DateTimeField(_("đề nghị lúc"), help_text=_("Lúc gửi đề nghị."))
    due_at = models.DateTimeField(_("hạn trả lời"), null=True, blank=True, help_text=_("Hạn cơ quan phối hợp trả lời."))
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True, help_text=_("Lúc cơ quan trả lời."))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người trả lời"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Người trả lời ý kiến."),
    )
    answer = models.TextField(_("ý kiến"), blank=True, help_text=_("Nội dung ý kiến của cơ quan phối hợp."))

    class Meta:
        verbose_name = _("ý kiến phối hợp")
        verbose_name_plural = _("ý kiến phối hợp")
        ordering = ["requested_at", "pk"]
        indexes = [models.Index(fields=["agency", "answered_at"])]

    def __str__(self) -> str:
        return f"{self.dossier} — {self.agency}"


class ConsultationFile(models.Model):
    """A file a consulted body answers with (the tax notice, a verification record), kept with the dossier.

    It passed the upload gate like every dossier file; it is not a component of the dossier (the
    receipt does not list it), but the handler reads it beside the answer it came with.
    """

    consultation = models.ForeignKey(
        Consultation,
        verbose_name=_("ý kiến phối hợp"),
        on_delete=models.CASCADE,
        related_name="files",
        help_text=_("Ý kiến phối hợp mà tệp này kèm theo."),
    )
    file = GatedFileField(_("tệp"), folder="consultations", help_text=_("Văn bản trả lời của cơ quan phối hợp."))
    original_name = models.CharField(
        _("tên tệp gốc"), max_length=255, help_text=_("Tên tệp khi tải lên (chỉ để hiển thị).")
    )
    content_type = models.CharField(
        _("kiểu nội dung"), max_length=100, help_text=_("Kiểu MIME xác định từ nội dung tệp.")
    )
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"), help_text=_("Dung lượng tệp tính bằng byte."))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải lên"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Cán bộ của cơ quan phối hợp đã tải tệp lên."),
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"), help_text=_("Thời điểm tải tệp lên."))

    class Meta:
        verbose_name = _("tệp trả lời phối hợp")
        verbose_name_plural = _("tệp trả lời phối hợp")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class IntakeFile(models.Model):
    """A file chosen on the receipt form that came back with an error, kept so the officer does not choose it again.

    It passed the upload gate when it was kept. The form names it by `token` in a hidden field; only
    the officer who chose it may use it, and the nightly housekeeping deletes what was never used.
    """

    token = models.CharField(_("mã giữ tệp"), max_length=32, unique=True, help_text=_("Mã ngẫu nhiên ghi trong trang."))
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ"),
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Cán bộ tiếp nhận đã chọn tệp."),
    )
    requirement = models.ForeignKey(
        DocumentRequirement,
        verbose_name=_("thành phần hồ sơ"),
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Thành phần hồ sơ mà tệp được chọn cho."),
    )
    file = GatedFileField(_("tệp"), folder="intake", help_text=_("Tệp đã qua kiểm tra, chờ tiếp nhận."))
    original_name = models.CharField(
        _("tên tệp gốc"), max_length=255, help_text=_("Tên tệp khi tải lên (chỉ để hiển thị).")
    )
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, help_text=_("Mã băm của tệp lúc giữ lại."))
    kept_at = models.DateTimeField(_("giữ lúc"), db_index=True, help_text=_("Lúc tệp được giữ lại."))

    class Meta:
        verbose_name = _("tệp giữ lại khi tiếp nhận")
        verbose_name_plural = _("tệp giữ lại khi tiếp nhận")
        ordering = ["kept_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class DeadlineAlert(models.Model):
    """The mark the deadline scan leaves: this dossier was found due soon / overdue for this due date.

    Unique per (dossier, kind, due date), so the scan is idempotent; a new appointment date
    (apology, supplement pause) is a new due date and is watched again. The `check_*` kinds watch
    the check time of an online dossier waiting at the desk (`Dossier.check_due_at`, docs/domain.md
    §5.3): `due_at` is then that check time, `agency` the desk's.
    """

    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("hồ sơ"),
        on_delete=models.CASCADE,
        related_name="deadline_alerts",
        help_text=_("Hồ sơ được đánh dấu."),
    )
    kind = models.CharField(
        _("loại"),
        max_length=16,
        choices=AlertKind.choices,
        help_text=_("Sắp đến hạn hay đã quá hạn (hạn trả kết quả, hoặc hạn kiểm tra hồ sơ trực tuyến)."),
    )
    due_at = models.DateTimeField(
        _("hạn lúc đánh dấu"),
        help_text=_("Hạn trả kết quả (hoặc hạn kiểm tra của hồ sơ trực tuyến) khi đánh dấu."),
    )
    agency = models.ForeignKey(
        "directory.Agency",
        verbose_name=_("cơ quan đang giữ"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Cơ quan đang giữ hồ sơ khi đánh dấu."),
    )
    raised_at = models.DateTimeField(_("đánh dấu lúc"), db_index=True, help_text=_("Lúc quét thời hạn phát hiện."))

    class Meta:
        verbose_name = _("cảnh báo thời hạn")
        verbose_name_plural = _("cảnh báo thời hạn")
        ordering = ["-raised_at", "-pk"]
        # Written by the deadline scan (notifications); the table keeps the name it was made with.
        db_table = "notifications_deadlinealert"
        constraints = [models.UniqueConstraint(fields=["dossier", "kind", "due_at"], name="notifications_alert_unique")]

    def __str__(self) -> str:
        return f"{self.dossier} — {self.get_kind_display()}"


class ApologyDraft(models.Model):
    """Form 04 prepared one working day before the due date, for the current agency's head to confirm."""

    dossier = models.OneToOneField(
        Dossier,
        verbose_name=_("hồ sơ"),
        on_delete=models.CASCADE,
        related_name="apology_draft",
        help_text=_("Hồ sơ có nguy cơ trễ hạn."),
    )
    agency = models.ForeignKey(
        "directory.Agency",
        verbose_name=_("cơ quan chịu trách nhiệm"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Cơ quan đang giữ hồ sơ: lãnh đạo cơ quan xác nhận và gửi phiếu xin lỗi."),
    )
    original_due_at = models.DateTimeField(_("ngày hẹn hiện tại"), help_text=_("Ngày hẹn trả kết quả khi lập dự thảo."))
    prepared_at = models.DateTimeField(_("lập lúc"), db_index=True, help_text=_("Lúc hệ thống lập dự thảo."))
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=ApologyDraftStatus.choices,
        default=ApologyDraftStatus.PENDING,
        help_text=_("Chờ xác nhận, đã gửi hoặc không cần."),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xác nhận"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Lãnh đạo đã xác nhận gửi phiếu."),
    )
    confirmed_at = models.DateTimeField(_("xác nhận lúc"), null=True, blank=True, help_text=_("Lúc xác nhận."))

    class Meta:
        verbose_name = _("dự thảo phiếu xin lỗi (Mẫu 04)")
        verbose_name_plural = _("dự thảo phiếu xin lỗi (Mẫu 04)")
        ordering = ["-prepared_at", "-pk"]
        db_table = "notifications_apologydraft"

    def __str__(self) -> str:
        return str(self.dossier)


class TrackedImport(models.Model):
    """One spreadsheet of tracked-only dossiers an agency uploaded: its lines, their check, its import.

    The lines are kept as read (text per column), not the file: the confirmation checks them again
    and imports them all or none (services.tracked_import_confirm).
    """

    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Cơ quan giải quyết đã tải bảng tính lên; hồ sơ được nhập cho cơ quan này."),
    )
    file_name = models.CharField(_("tên tệp"), max_length=255, help_text=_("Tên tệp khi tải lên (chỉ để hiển thị)."))
    sha256 = models.CharField(
        _("mã băm SHA-256"), max_length=64, db_index=True, help_text=_("Nhận ra một tệp đã tải lên trước đó.")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải lên"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Cán bộ đã tải bảng tính lên."),
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"), help_text=_("Lúc tải bảng tính lên."))
    rows = models.JSONField(
        _("các dòng"), default=list, blank=True, help_text=_("Nội dung từng dòng như đã đọc: số dòng và chữ ở mỗi cột.")
    )
    errors = models.JSONField(
        _("lỗi"), default=list, blank=True, help_text=_("Lỗi của lần kiểm tra gần nhất: dòng, cột, nội dung lỗi.")
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=TrackedImportStatus.choices,
        default=TrackedImportStatus.INVALID,
        help_text=_("Có lỗi, hợp lệ chờ xác nhận, hoặc đã nhập."),
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xác nhận nhập"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Cán bộ đã xác nhận nhập các hồ sơ."),
    )
    imported_at = models.DateTimeField(_("nhập lúc"), null=True, blank=True, help_text=_("Lúc các hồ sơ được tạo."))

    objects = TrackedImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("bảng tính hồ sơ chỉ theo dõi")
        verbose_name_plural = _("nhập hồ sơ chỉ theo dõi")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return _("Bảng tính “%(name)s” (#%(pk)s)") % {"name": self.file_name, "pk": self.pk}

    @property
    def row_count(self) -> int:
        return len(self.rows or [])


class TrackedEntry(models.Model):
    """A tracked-only dossier entered by its competent agency, and the key that keeps it from being entered twice.

    The key is the agency's own reference for the dossier when one was given, otherwise a fingerprint
    of the procedure, the applicant and the minute of receipt; unique per agency, in the database, so
    two imports of the same lines at once cannot both succeed.
    """

    dossier = models.OneToOneField(
        Dossier,
        verbose_name=_("hồ sơ"),
        on_delete=models.CASCADE,
        related_name="tracked_entry",
        help_text=_("Hồ sơ đã được tạo."),
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Cơ quan giải quyết đã nhập hồ sơ."),
    )
    key = models.CharField(
        _("khóa chống trùng"),
        max_length=80,
        help_text=_("Số tham chiếu của cơ quan, hoặc dấu vân tay thủ tục - người nộp - thời điểm tiếp nhận."),
    )
    reference = models.CharField(
        _("số tham chiếu"), max_length=64, blank=True, help_text=_("Số hồ sơ trong sổ của cơ quan, nếu có.")
    )
    batch = models.ForeignKey(
        TrackedImport,
        verbose_name=_("bảng tính"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        help_text=_("Bảng tính đã nhập hồ sơ; trống khi nhập từng hồ sơ."),
    )
    line = models.PositiveIntegerField(
        _("dòng"), null=True, blank=True, help_text=_("Số dòng trong bảng tính (dòng tiêu đề là dòng 1).")
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhập"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Cán bộ đã nhập hồ sơ vào hệ thống."),
    )
    entered_at = models.DateTimeField(_("nhập lúc"), help_text=_("Lúc hồ sơ được nhập vào hệ thống."))

    class Meta:
        verbose_name = _("hồ sơ chỉ theo dõi")
        verbose_name_plural = _("hồ sơ chỉ theo dõi")
        ordering = ["batch_id", "line", "pk"]
        constraints = [models.UniqueConstraint(fields=["agency", "key"], name="dossiers_tracked_agency_key")]
        permissions = [("enter_tracked_dossier", _("Nhập hồ sơ thủ tục chỉ theo dõi của cơ quan mình"))]

    def __str__(self) -> str:
        return str(self.dossier)


class DossierSearchTerm(models.Model):
    """One entry of the desk's search index (dossiers/search.py): a folded word of the applicant's names, two
    adjacent words, the end of the code or an applicant's number written backwards, for one dossier.

    The primary key (term, dossier) is the clustered index: a looked-up term lists its dossiers newest
    first straight from the index, so a page of a common family name is read without sorting.
    """

    pk = models.CompositePrimaryKey("term", "dossier")
    term = models.CharField(
        _("từ khóa"),
        max_length=64,
        db_collation="utf8mb4_bin",
        help_text=_("Chữ của tên (viết thường, bỏ dấu), hai chữ liền nhau, đuôi mã hồ sơ hoặc số viết ngược."),
    )
    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("hồ sơ"),
        on_delete=models.CASCADE,
        related_name="search_terms",
        help_text=_("Hồ sơ có từ khóa này."),
    )

    class Meta:
        verbose_name = _("từ khóa tìm kiếm hồ sơ")
        verbose_name_plural = _("từ khóa tìm kiếm hồ sơ")

    def __str__(self) -> str:
        return f"{self.term} — {self.dossier_id}"


# --- results as offices make them (dossiers.results) ---------------------------------------------


class ResultDraft(models.Model):
    """A draft the handler submits to the head (a result, or a proposed refusal): one per round, so the
    head's comments when sending it back stay with the draft they were about."""

    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("hồ sơ"),
        on_delete=models.CASCADE,
        related_name="result_drafts",
        help_text=_("Hồ sơ mà dự thảo được lập cho."),
    )
    kind = models.CharField(
        _("loại dự thảo"), max_length=16, choices=DraftKind.choices, help_text=_("Kết quả hoặc văn bản từ chối.")
    )
    round = models.PositiveSmallIntegerField(_("lần trình"), help_text=_("Lần trình thứ mấy của hồ sơ."))
    file = GatedFileField(
        _("tệp dự thảo"),
        folder="drafts",
        accepted_types=("pdf",),
        blank=True,
        help_text=_("Dự thảo (PDF) lãnh đạo xem trước khi duyệt."),
    )
    reason = models.TextField(
        _("nội dung trình"), blank=True, help_text=_("Ý kiến của chuyên viên; với từ chối, lý do từ chối.")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người trình"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Chuyên viên trình dự thảo."),
    )
    submitted_at = models.DateTimeField(_("trình lúc"), help_text=_("Thời điểm trình lãnh đạo."))
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=DraftStatus.choices,
        default=DraftStatus.PENDING,
        help_text=_("Chờ duyệt, đã duyệt, bị trả lại hoặc đã phát hành."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lãnh đạo quyết định"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Lãnh đạo đã duyệt hoặc trả lại dự thảo."),
    )
    decided_at = models.DateTimeField(
        _("quyết định lúc"), null=True, blank=True, help_text=_("Lúc duyệt hoặc trả lại.")
    )
    decision_comment = models.TextField(
        _("ý kiến của lãnh đạo"), blank=True, help_text=_("Ý kiến về dự thảo khi duyệt hoặc trả lại.")
    )

    class Meta:
        verbose_name = _("dự thảo kết quả")
        verbose_name_plural = _("dự thảo kết quả")
        ordering = ["dossier", "round"]
        constraints = [models.UniqueConstraint(fields=["dossier", "round"], name="dossiers_draft_round_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — lần {self.round}"


class OutgoingRegister(models.Model):
    """The last number an agency gave its outgoing documents in a year (Nghị định 30/2020: from 01 each 1 January)."""

    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Cơ quan có sổ văn bản đi."),
    )
    year = models.PositiveSmallIntegerField(_("năm"), help_text=_("Năm cấp số (giờ Việt Nam)."))
    last_number = models.PositiveIntegerField(_("số cuối đã cấp"), default=0, help_text=_("Số cuối cùng đã cấp."))

    class Meta:
        verbose_name = _("sổ văn bản đi của cơ quan")
        verbose_name_plural = _("sổ văn bản đi của cơ quan")
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="dossiers_outgoing_agency_year")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.year}: {self.last_number}"


class IssuedDocument(models.Model):
    """A result or refusal as issued: numbered in the agency's register of outgoing documents and
    signed with the agency's certificate. The file is the citizen's electronic copy."""

    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("hồ sơ"),
        on_delete=models.PROTECT,
        related_name="issued_documents",
        help_text=_("Hồ sơ mà văn bản giải quyết."),
    )
    draft = models.OneToOneField(
        ResultDraft,
        verbose_name=_("dự thảo"),
        on_delete=models.PROTECT,
        related_name="issued",
        help_text=_("Dự thảo đã được lãnh đạo duyệt."),
    )
    kind = models.CharField(
        _("loại văn bản"), max_length=16, choices=DraftKind.choices, help_text=_("Kết quả hoặc từ chối.")
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan ban hành"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Cơ quan có thẩm quyền ban hành văn bản."),
    )
    year = models.PositiveSmallIntegerField(_("năm"), help_text=_("Năm cấp số (giờ Việt Nam)."))
    number = models.PositiveIntegerField(_("số"), help_text=_("Số thứ tự trong sổ văn bản đi của cơ quan trong năm."))
    symbol = models.CharField(_("ký hiệu"), max_length=40, help_text=_("Ví dụ QĐ-UBND."))
    issued_at = models.DateTimeField(_("ban hành lúc"), help_text=_("Ngày, giờ văn thư cấp số và phát hành."))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("văn thư"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Văn thư đã cấp số và phát hành."),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lãnh đạo duyệt"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Lãnh đạo đã duyệt văn bản."),
    )
    file = GeneratedFileField(
        _("tệp đã ký số"), upload_to="issued/%Y/%m/", help_text=_("Bản PDF đã ký số, không sửa sau khi lưu.")
    )
    sha256 = models.CharField(
        _("mã băm SHA-256"), max_length=64, db_index=True, help_text=_("Mã băm của tệp đã ký, để đối chiếu.")
    )
    check_code = models.CharField(
        _("mã kiểm tra"), max_length=32, unique=True, help_text=_("Mã trong mã QR in trên văn bản, để xác minh.")
    )
    signer = models.CharField(_("chứng thư số của"), max_length=255, help_text=_("Chủ thể của chứng thư số đã ký."))
    certificate_serial = models.CharField(
        _("số hiệu chứng thư số"), max_length=64, help_text=_("Số sê-ri của chứng thư số đã ký.")
    )

    class Meta:
        verbose_name = _("văn bản đã phát hành")
        verbose_name_plural = _("văn bản đã phát hành")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "number"], name="dossiers_issued_number_unique")
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """ "125/QĐ-UBND": numbers below 10 take a leading zero (Nghị định 30/2020/NĐ-CP)."""
        return f"{self.number:02d}/{self.symbol}"


class InboxTally(models.Model):
    """How many dossiers wait in one place (dossiers/tallies.py): the maintained counts of the inbox.

    Kept by `Dossier.save()` in the dossier's own transaction, rebuilt by `manage.py rebuild_inbox_tallies`.
    Keys are plain numbers with 0 for "none" (not foreign keys with NULL): the primary key must match
    every time for `ON DUPLICATE KEY UPDATE`.
    """

    pk = models.CompositePrimaryKey("agency", "status", "desk", "state", "assignee")
    agency = models.PositiveBigIntegerField(
        _("cơ quan"), help_text=_("Mã số cơ quan giữ hồ sơ (cơ quan tiếp nhận khi hồ sơ chờ kiểm tra).")
    )
    status = models.CharField(_("trạng thái"), max_length=20, help_text=_("Trạng thái hồ sơ."))
    desk = models.PositiveBigIntegerField(
        _("bộ phận tiếp nhận"), help_text=_("Mã số bộ phận tiếp nhận của hồ sơ chờ kiểm tra; 0 với hồ sơ khác.")
    )
    state = models.PositiveBigIntegerField(
        _("bước xử lý"), help_text=_("Mã số bước quy trình của hồ sơ đang xử lý; 0 nếu không có.")
    )
    assignee = models.PositiveBigIntegerField(
        _("người được phân công"), help_text=_("Mã số cán bộ được phân công xử lý; 0 nếu chưa phân công.")
    )
    n = models.IntegerField(_("số hồ sơ"), default=0, help_text=_("Số hồ sơ đang ở chỗ này."))

    class Meta:
        verbose_name = _("số đếm hộp việc")
        verbose_name_plural = _("số đếm hộp việc")

    def __str__(self) -> str:
        return f"{self.agency}/{self.status}/{self.desk}/{self.state}/{self.assignee}: {self.n}"
