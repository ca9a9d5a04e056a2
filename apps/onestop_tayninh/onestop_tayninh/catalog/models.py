"""The catalogue of administrative procedures (thủ tục hành chính).

A `Procedure` is the stable identity (its national code). Its content lives in
`ProcedureVersion` rows: draft → published → retired. A published version is
never edited; changing it means a new draft, which retires the old one when it
is published. Dossiers point at the version they were received under.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.accounts.constants import ApplicantKind
from onestop_tayninh.calendars.constants import TimeUnit
from onestop_tayninh.core.text import fold
from onestop_tayninh.directory.constants import Tier
from onestop_tayninh.directory.models import Agency, ReceptionDesk
from onestop_tayninh.security.uploads import GatedFileField

from .constants import (
    ONLINE_CATEGORY_LEVELS,
    Channel,
    CompetentBasis,
    CompetentKind,
    FeeKind,
    FeeUnit,
    FieldType,
    OnlineCategory,
    RequirementKind,
    ServiceLevel,
    VersionStatus,
)
from .query import ProcedureVersionQuerySet
from .validators import (
    FIELD_KEY_REGEX,
    validate_channels,
    validate_choice_list,
    validate_field_rules,
    validate_file_kinds,
    validate_prefill,
)


def _default_channels() -> list[str]:
    return [Channel.DESK, Channel.POST]


def _default_file_kinds() -> list[str]:
    return ["pdf", "jpg", "png"]


def _default_applicants() -> list[str]:
    return [ApplicantKind.INDIVIDUAL]


class Sector(models.Model):
    code = models.CharField(
        _("mã lĩnh vực"),
        max_length=32,
        unique=True,
        help_text=_("Mã lĩnh vực, ví dụ HOTICH."),
        error_messages={"unique": _("Mã lĩnh vực này đã tồn tại.")},
    )
    name = models.CharField(_("tên lĩnh vực"), max_length=200, help_text=_("Ví dụ Hộ tịch, Đất đai."))

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DocumentType(models.Model):
    """A kind of document a citizen may give once and reuse (Decree 45/2020)."""

    code = models.SlugField(
        _("mã loại giấy tờ"),
        max_length=64,
        unique=True,
        help_text=_("Mã ngắn, ví dụ giay-khai-sinh."),
        error_messages={"unique": _("Mã loại giấy tờ này đã tồn tại.")},
    )
    name = models.CharField(_("tên loại giấy tờ"), max_length=255, help_text=_("Ví dụ Giấy khai sinh."))

    class Meta:
        verbose_name = _("loại giấy tờ dùng lại")
        verbose_name_plural = _("loại giấy tờ dùng lại")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    workflow = models.ForeignKey(
        "workflows.Workflow",
        verbose_name=_("quy trình xử lý"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="procedures",
        help_text=_("Quy trình nội bộ; để trống thì dùng quy trình mặc định của site."),
    )
    code = models.CharField(
        _("mã thủ tục"),
        max_length=40,
        unique=True,
        help_text=_("Mã thủ tục trên Cơ sở dữ liệu quốc gia, ví dụ 1.001193 hoặc 1.000948.H38 (lưu nguyên văn)."),
        error_messages={"unique": _("Mã thủ tục này đã tồn tại.")},
    )

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ProcedureVersion(models.Model):
    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("thủ tục"),
        on_delete=models.PROTECT,
        related_name="versions",
        help_text=_("Thủ tục mà phiên bản này mô tả."),
    )
    number = models.PositiveIntegerField(_("phiên bản số"), default=1, help_text=_("Tăng dần theo từng lần sửa đổi."))
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=VersionStatus.choices,
        default=VersionStatus.DRAFT,
        help_text=_("Bản nháp được sửa; bản đang công bố không được sửa, muốn sửa hãy tạo phiên bản mới."),
    )
    published_at = models.DateTimeField(_("công bố lúc"), null=True, blank=True, editable=False)
    retired_at = models.DateTimeField(_("hết hiệu lực lúc"), null=True, blank=True, editable=False)

    name = models.CharField(_("tên thủ tục"), max_length=500, help_text=_("Tên đầy đủ, ví dụ Đăng ký khai sinh."))
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("lĩnh vực"),
        on_delete=models.PROTECT,
        related_name="procedure_versions",
        help_text=_("Lĩnh vực của thủ tục."),
    )
    tiers = models.JSONField(
        _("cấp thực hiện"), default=list, blank=True, help_text=_("Các cấp thực hiện: tỉnh, huyện, xã.")
    )
    competent_kind = models.CharField(
        _("cơ quan giải quyết"),
        max_length=32,
        choices=CompetentKind.choices,
        default=CompetentKind.NAMED_AGENCY,
        help_text=_("Một cơ quan cụ thể, hoặc UBND của cấp có thẩm quyền theo địa bàn."),
    )
    competent_tier = models.CharField(
        _("cấp UBND có thẩm quyền"),
        max_length=16,
        choices=Tier.choices,
        blank=True,
        help_text=_(
            "Với UBND theo địa bàn: cấp của UBND quyết định (ví dụ cấp huyện cho trợ cấp xã hội); "
            "để trống khi xác định theo nơi tiếp nhận."
        ),
    )
    competent_basis = models.CharField(
        _("xác định địa bàn theo"),
        max_length=16,
        choices=CompetentBasis.choices,
        default=CompetentBasis.RESIDENCE,
        help_text=_(
            "Nơi cư trú của người nộp, hoặc nơi có đối tượng của thủ tục (thửa đất, công trình, địa điểm kinh "
            "doanh, nơi cư trú cuối cùng của người chết…); không theo nơi nộp hồ sơ."
        ),
    )
    competent_place = models.CharField(
        _("nơi có đối tượng"),
        max_length=200,
        blank=True,
        help_text=_(
            "Với địa bàn xác định theo nơi có đối tượng: nơi đó, như công dân đọc, ví dụ “nơi xây dựng công "
            "trình”, “nơi đặt trụ sở hộ kinh doanh”, “nơi cư trú cuối cùng của người chết”. Để trống: "
            "“nơi có thửa đất, công trình”."
        ),
    )
    competent_agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan có thẩm quyền"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="competent_for",
        help_text=_("Bắt buộc khi chọn cơ quan được chỉ định."),
    )
    receiving_desks = models.ManyToManyField(
        ReceptionDesk,
        verbose_name=_("nơi tiếp nhận"),
        blank=True,
        related_name="procedure_versions",
        help_text=_("Các bộ phận một cửa được tiếp nhận thủ tục này."),
    )
    receipt_anywhere = models.BooleanField(
        _("tiếp nhận không phụ thuộc địa giới hành chính"),
        default=False,
        help_text=_(
            "Thuộc danh mục Chủ tịch UBND tỉnh công bố (Nghị định 118/2025): mọi bộ phận một cửa trong tỉnh được "
            "tiếp nhận; hồ sơ được chuyển đến cơ quan có thẩm quyền theo nơi cư trú hoặc nơi có đối tượng."
        ),
    )
    tracked_only = models.BooleanField(
        _("không tiếp nhận tại bộ phận một cửa"),
        default=False,
        help_text=_(
            "Theo quyết định của Chủ tịch UBND tỉnh: không tiếp nhận tại một cửa nhưng vẫn theo dõi trên hệ thống."
        ),
    )
    level = models.PositiveSmallIntegerField(
        _("mức độ dịch vụ công trực tuyến"),
        choices=ServiceLevel.choices,
        default=ServiceLevel.DOWNLOADABLE_FORMS,
        help_text=_("Mức 1–4 theo Nghị định 43/2011; mức 4 tương ứng toàn trình, mức 3 một phần."),
    )
    processing_amount = models.DecimalField(
        _("thời hạn giải quyết"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(0)],
        help_text=_("Số ngày hoặc giờ theo quy định; 0 kèm giờ chốt nghĩa là trả trong ngày."),
    )
    processing_unit = models.CharField(
        _("đơn vị thời hạn"),
        max_length=16,
        choices=TimeUnit.choices,
        default=TimeUnit.WORKING_DAYS,
        help_text=_("Ngày làm việc, ngày, hoặc giờ làm việc."),
    )
    same_day_cutoff = models.TimeField(
        _("giờ chốt trong ngày"),
        null=True,
        blank=True,
        help_text=_("Với thủ tục trả trong ngày: nhận sau giờ này thì hẹn ngày làm việc tiếp theo (ví dụ 15:00)."),
    )
    result_name = models.CharField(
        _("kết quả"), max_length=255, help_text=_("Tên giấy tờ kết quả, ví dụ Giấy khai sinh.")
    )
    electronic_result_allowed = models.BooleanField(
        _("cho phép kết quả điện tử"), default=False, help_text=_("Kết quả bản điện tử có giá trị như bản giấy.")
    )
    submission_methods = models.JSONField(
        _("cách thức nộp"),
        default=_default_channels,
        validators=[validate_channels],
        help_text=_("Trực tiếp, qua bưu chính, trực tuyến."),
    )
    return_methods = models.JSONField(
        _("cách thức nhận kết quả"),
        default=_default_channels,
        validators=[validate_channels],
        help_text=_("Trực tiếp, qua bưu chính, trực tuyến."),
    )
    online_payment = models.BooleanField(
        _("thanh toán trực tuyến"), default=False, help_text=_("Cho phép nộp phí, lệ phí trực tuyến (mức độ 4).")
    )
    applicant_kinds = models.JSONField(
        _("đối tượng thực hiện"), default=_default_applicants, help_text=_("Cá nhân, tổ chức.")
    )
    steps = models.TextField(_("trình tự thực hiện"), blank=True, help_text=_("Các bước công dân cần làm."))
    requirements = models.TextField(_("yêu cầu, điều kiện"), blank=True, help_text=_("Yêu cầu, điều kiện thực hiện."))
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True, help_text=_("Các văn bản quy phạm pháp luật."))
    # Folded copy of code + name (no diacritics, lower case) in a binary collation: substring
    # search is a plain byte comparison, several times cheaper than LIKE under a UCA collation.
    search_text = models.CharField(
        _("chuỗi tìm kiếm"),
        max_length=600,
        editable=False,
        default="",
        db_collation="utf8mb4_bin",
        help_text=_("Tên và mã thủ tục viết thường, bỏ dấu, dùng cho tìm kiếm."),
    )
    source_checksum = models.CharField(
        _("mã kiểm tra nguồn"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("Mã băm của dòng cấu hình site đã tạo phiên bản này (để nạp lại không tạo bản trùng)."),
    )

    objects = ProcedureVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("thủ tục hành chính (các phiên bản)")
        ordering = ["procedure__code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="catalog_version_unique_number"),
        ]
        indexes = [models.Index(fields=["status", "level"]), models.Index(fields=["name"])]
        permissions = [("publish_procedureversion", _("Được công bố thủ tục"))]

    def __str__(self) -> str:
        return f"{self.procedure.code} — {self.name}"

    def save(self, *args, **kwargs) -> None:
        self.search_text = self.compute_search_text()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def compute_search_text(self) -> str:
        return fold(f"{self.procedure.code} {self.name}")

    @property
    def online_category(self) -> str:
        for category, levels in ONLINE_CATEGORY_LEVELS.items():
            if self.level in levels:
                return category
        return OnlineCategory.INFORMATION_ONLY

    def get_online_category_display(self) -> str:
        return str(OnlineCategory(self.online_category).label)

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def competent_description(self) -> str:
        """The competent body as the catalogue tells citizens: "UBND cấp huyện nơi người nộp cư trú"."""
        if self.competent_kind == CompetentKind.NAMED_AGENCY:
            return self.competent_agency.name if self.competent_agency else ""
        if self.competent_basis == CompetentBasis.RECEIVING_DESK or not self.competent_tier:
            return str(_("UBND nơi tiếp nhận hồ sơ"))
        where = _("nơi người nộp cư trú") if self.competent_basis == CompetentBasis.RESIDENCE else self.object_place
        return str(_("UBND %(tier)s %(where)s") % {"tier": Tier(self.competent_tier).label.lower(), "where": where})

    @property
    def object_place(self) -> str:
        """Where the object that fixes the competent body lies, as citizens read it: "nơi xây dựng công trình"."""
        return self.competent_place or str(_("nơi có thửa đất, công trình"))

    @property
    def object_unit_label(self) -> str:
        """The label of the field the desk and the portal ask that place's commune or ward with."""
        return str(_("%(place)s (xã, phường)") % {"place": capfirst(self.object_place)})

    @property
    def accepts_online(self) -> bool:
        return self.level >= ServiceLevel.ONLINE_SUBMISSION and Channel.ONLINE in self.submission_methods

    @property
    def total_fee(self) -> int:
        return sum(fee.amount for fee in self.fees.all())

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.processing_amount is not None and self.processing_amount <= 0 and self.same_day_cutoff is None:
            errors["processing_amount"] = _(
                "Thời hạn giải quyết phải lớn hơn 0 (hoặc bằng 0 kèm giờ chốt trả trong ngày)."
            )
        if self.competent_kind == CompetentKind.NAMED_AGENCY and not self.competent_agency_id:
            errors["competent_agency"] = _("Hãy chọn cơ quan có thẩm quyền giải quyết.")
        if (
            self.competent_kind == CompetentKind.APPLICANT_UNIT_COMMITTEE
            and self.competent_basis != CompetentBasis.RECEIVING_DESK
            and not self.competent_tier
        ):
            errors["competent_tier"] = _("Hãy chọn cấp của UBND có thẩm quyền (tỉnh, huyện hoặc xã).")
        try:
            validate_choice_list(self.tiers, choices=Tier.values, label=_("Cấp thực hiện"))
        except ValidationError as exc:
            errors["tiers"] = exc.messages[0]
        try:
            validate_choice_list(self.applicant_kinds, choices=ApplicantKind.values, label=_("Đối tượng thực hiện"))
        except ValidationError as exc:
            errors["applicant_kinds"] = exc.messages[0]
        if errors:
            raise ValidationError(errors)


class Fee(models.Model):
    version = models.ForeignKey(
        ProcedureVersion,
        verbose_name=_("phiên bản thủ tục"),
        on_delete=models.CASCADE,
        related_name="fees",
        help_text=_("Thủ tục thu khoản phí này."),
    )
    name = models.CharField(_("tên phí, lệ phí"), max_length=255, help_text=_("Ví dụ Lệ phí đăng ký."))
    amount = models.BigIntegerField(
        _("mức thu (đồng)"),
        validators=[MinValueValidator(0, _("Mức phí không được âm."))],
        help_text=_("Số tiền bằng đồng Việt Nam; 0 nếu miễn."),
    )
    note = models.CharField(_("ghi chú"), max_length=500, blank=True, help_text=_("Trường hợp miễn, giảm."))
    kind = models.CharField(
        _("loại"),
        max_length=16,
        choices=FeeKind.choices,
        default=FeeKind.CHARGE,
        help_text=_("Phí hay lệ phí (Luật Phí và lệ phí); in trên biên lai."),
    )
    unit = models.CharField(
        _("tính theo"),
        max_length=16,
        choices=FeeUnit.choices,
        default=FeeUnit.DOSSIER,
        help_text=_("Mức thu cho mỗi hồ sơ, mỗi bản, mỗi trang…; người nộp chọn số lượng khi thanh toán."),
    )
    exempt_groups = models.JSONField(
        _("đối tượng được miễn"),
        default=list,
        blank=True,
        help_text=_("Các nhóm người được miễn khoản này, ví dụ hộ nghèo, người khuyết tật; mỗi dòng một nhóm."),
    )
    set_after_appraisal = models.BooleanField(
        _("xác định sau thẩm định"),
        default=False,
        help_text=_("Số tiền chỉ biết khi cơ quan có thẩm quyền thẩm định xong; cơ quan gửi yêu cầu nộp sau."),
    )

    class Meta:
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name}: {self.amount:,} đ".replace(",", ".")


class DocumentRequirement(models.Model):
    """One component of the dossier (thành phần hồ sơ)."""

    version = models.ForeignKey(
        ProcedureVersion,
        verbose_name=_("phiên bản thủ tục"),
        on_delete=models.CASCADE,
        related_name="documents",
        help_text=_("Thủ tục yêu cầu giấy tờ này."),
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0, help_text=_("Thứ tự hiển thị."))
    name = models.CharField(_("tên giấy tờ"), max_length=500, help_text=_("Ví dụ Tờ khai đăng ký khai sinh."))
    originals = models.PositiveSmallIntegerField(_("số bản chính"), default=1, help_text=_("Số bản chính phải nộp."))
    copies = models.PositiveSmallIntegerField(_("số bản sao"), default=0, help_text=_("Số bản sao phải nộp."))
    requirement = models.CharField(
        _("yêu cầu"),
        max_length=16,
        choices=RequirementKind.choices,
        default=RequirementKind.REQUIRED,
        help_text=_("Bắt buộc, không bắt buộc, hoặc bắt buộc khi có điều kiện."),
    )
    condition = models.CharField(
        _("điều kiện"), max_length=500, blank=True, help_text=_("Khi nào phải nộp (với giấy tờ có điều kiện).")
    )
    is_form = models.BooleanField(
        _("là mẫu đơn, tờ khai"), default=False, help_text=_("Mẫu đơn, tờ khai phải có tệp mẫu để tải về (mức độ 2).")
    )
    template = GatedFileField(
        _("tệp mẫu"),
        folder="catalog/templates",
        accepted_types=("pdf", "docx", "xlsx"),
        blank=True,
        help_text=_("Mẫu đơn, tờ khai để công dân tải về điền (thường là PDF để in và điền tay)."),
    )
    template_docx = GatedFileField(
        _("tệp mẫu Word (DOCX)"),
        folder="catalog/templates",
        accepted_types=("docx",),
        blank=True,
        help_text=_(
            "Bản Word của mẫu đơn, tờ khai, nếu cơ quan có, để công dân tải về điền trên máy tính; "
            "phải là tệp Word (.docx) thật. Cổng hiển thị cả hai liên kết tải mẫu."
        ),
    )
    accepted_types = models.JSONField(
        _("loại tệp chấp nhận"),
        default=_default_file_kinds,
        validators=[validate_file_kinds],
        help_text=_("pdf, jpg, png, docx, xlsx."),
    )
    document_type = models.ForeignKey(
        DocumentType,
        verbose_name=_("loại giấy tờ dùng lại"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requirements",
        help_text=_("Để công dân chọn lại giấy tờ đã nộp trước đây."),
    )
    # The declaration whose content the e-form carries: online, the system renders the filled
    # e-form as this component's file instead of asking the citizen for a paper form to scan.
    from_eform = models.BooleanField(
        _("lập từ biểu mẫu điện tử"),
        default=False,
        help_text=_(
            "Tờ khai có cùng nội dung với biểu mẫu điện tử: khi nộp trực tuyến, hệ thống tự lập tệp PDF "
            "tờ khai từ nội dung công dân đã khai, công dân không phải tải lên."
        ),
    )

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def template_format(self) -> str:
        """The downloadable template's format as citizens call it: PDF, Word or Excel."""
        extension = self.template.name.rsplit(".", 1)[-1].lower() if self.template else ""
        return {"pdf": "PDF", "docx": "Word", "xlsx": "Excel"}.get(extension, extension.upper())

    def clean(self) -> None:
        if self.requirement == RequirementKind.CONDITIONAL and not self.condition:
            raise ValidationError({"condition": _("Hãy ghi rõ điều kiện phải nộp giấy tờ này.")})


class EFormField(models.Model):
    """One field of the interactive e-form (mức độ 3, 4)."""

    version = models.ForeignKey(
        ProcedureVersion,
        verbose_name=_("phiên bản thủ tục"),
        on_delete=models.CASCADE,
        related_name="form_fields",
        help_text=_("Thủ tục dùng biểu mẫu này."),
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0, help_text=_("Thứ tự trên biểu mẫu."))
    key = models.CharField(_("khóa"), max_length=50, help_text=_("Tên trường không dấu, chữ thường, ví dụ ho_ten_tre."))
    label = models.CharField(_("nhãn"), max_length=255, help_text=_("Nhãn tiếng Việt công dân nhìn thấy."))
    field_type = models.CharField(_("kiểu"), max_length=16, choices=FieldType.choices, help_text=_("Kiểu dữ liệu."))
    required = models.BooleanField(_("bắt buộc"), default=False, help_text=_("Công dân phải điền."))
    help_text = models.CharField(_("hướng dẫn"), max_length=500, blank=True, help_text=_("Gợi ý dưới ô nhập."))
    choices = models.TextField(_("các lựa chọn"), blank=True, help_text=_("Với kiểu lựa chọn: mỗi dòng một lựa chọn."))
    rules = models.JSONField(
        _("quy tắc kiểm tra"),
        default=dict,
        blank=True,
        help_text=_('JSON, ví dụ {"max_length": 100}, {"min": 1, "max": 10} hoặc {"not_future": true}.'),
    )
    section = models.CharField(
        _("phần"),
        max_length=200,
        blank=True,
        help_text=_("Phần của tờ khai chứa trường này, ví dụ Người yêu cầu, Người được khai sinh, Người mẹ."),
    )
    prefill = models.CharField(
        _("điền sẵn từ"),
        max_length=100,
        blank=True,
        validators=[validate_prefill],
        help_text=_(
            "Nguồn điền sẵn khi công dân bắt đầu khai: account:full_name, account:cccd, account:date_of_birth, "
            "account:phone, account:email, account:address, hoặc vault:<mã loại giấy tờ>:number|issuer|issue_date."
        ),
    )

    class Meta:
        verbose_name = _("trường biểu mẫu điện tử")
        verbose_name_plural = _("biểu mẫu điện tử")
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="catalog_eform_unique_key")]

    def __str__(self) -> str:
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not FIELD_KEY_REGEX.match(self.key or ""):
            errors["key"] = _("Khóa chỉ gồm chữ thường không dấu, số và dấu gạch dưới, bắt đầu bằng chữ cái.")
        if self.field_type == FieldType.CHOICE and len(self.choice_list) < 2:
            errors["choices"] = _("Trường lựa chọn cần ít nhất hai lựa chọn, mỗi dòng một lựa chọn.")
        try:
            validate_field_rules(self.rules, self.field_type)
        except ValidationError as exc:
            errors["rules"] = exc.messages[0]
        if errors:
            raise ValidationError(errors)
