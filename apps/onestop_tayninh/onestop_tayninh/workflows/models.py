"""Workflows as data: states, transitions and step time allotments, edited in the desk.

`Workflow` is the stable identity procedures point at; `WorkflowVersion` holds the
graph. An active version is never edited: a change is a new draft, activated when
ready, and every dossier keeps the version it started under, so a change never
breaks dossiers in flight. Unlike Frappe's Workflow, a transition may be allowed to
several roles, and consultations of several agencies run in parallel.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.calendars.constants import TimeUnit
from onestop_tayninh.directory.models import Agency, Role

from .constants import FINAL_KINDS, Destination, Effect, StateKind, WorkflowStatus


class Workflow(models.Model):
    code = models.SlugField(
        _("mã quy trình"),
        max_length=64,
        unique=True,
        help_text=_("Mã ngắn, ví dụ mot-co-quan."),
        error_messages={"unique": _("Mã quy trình này đã tồn tại.")},
    )
    name = models.CharField(_("tên quy trình"), max_length=255, help_text=_("Ví dụ Quy trình một cơ quan giải quyết."))
    description = models.TextField(_("mô tả"), blank=True, help_text=_("Quy trình dùng cho những thủ tục nào."))

    class Meta:
        verbose_name = _("quy trình")
        verbose_name_plural = _("quy trình")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def active_version(self) -> "WorkflowVersion | None":
        return self.versions.filter(status=WorkflowStatus.ACTIVE).first()


class WorkflowVersion(models.Model):
    workflow = models.ForeignKey(
        Workflow,
        verbose_name=_("quy trình"),
        on_delete=models.PROTECT,
        related_name="versions",
        help_text=_("Quy trình mà phiên bản này mô tả."),
    )
    number = models.PositiveIntegerField(_("phiên bản số"), default=1, help_text=_("Tăng dần theo từng lần sửa."))
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=WorkflowStatus.choices,
        default=WorkflowStatus.DRAFT,
        help_text=_("Chỉ bản nháp được sửa; hồ sơ đang xử lý giữ phiên bản đã bắt đầu."),
    )
    activated_at = models.DateTimeField(_("áp dụng từ"), null=True, blank=True, editable=False)
    source_checksum = models.CharField(
        _("mã kiểm tra nguồn"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("Mã băm của cấu hình site đã tạo phiên bản này (nạp lại không tạo bản trùng)."),
    )

    class Meta:
        verbose_name = _("phiên bản quy trình")
        verbose_name_plural = _("phiên bản quy trình")
        ordering = ["workflow__code", "-number"]
        constraints = [models.UniqueConstraint(fields=["workflow", "number"], name="workflow_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.workflow.name} (v{self.number})"

    @property
    def initial_state(self) -> "State | None":
        return self.states.filter(is_initial=True).first()


class State(models.Model):
    version = models.ForeignKey(
        WorkflowVersion,
        verbose_name=_("phiên bản quy trình"),
        on_delete=models.CASCADE,
        related_name="states",
        help_text=_("Quy trình chứa bước này."),
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0, help_text=_("Thứ tự hiển thị."))
    code = models.SlugField(_("mã bước"), max_length=64, help_text=_("Mã ngắn, duy nhất trong quy trình."))
    name = models.CharField(_("tên bước"), max_length=255, help_text=_("Ví dụ Chờ phân công."))
    kind = models.CharField(
        _("loại bước"),
        max_length=32,
        choices=StateKind.choices,
        help_text=_("Hồ sơ đang ở đâu trong vòng khép kín; quyết định cách hiển thị cho công dân."),
    )
    clock_runs = models.BooleanField(
        _("tính thời gian"), default=True, help_text=_("Bỏ chọn khi thời gian tạm dừng (chờ công dân bổ sung).")
    )
    is_initial = models.BooleanField(_("bước đầu tiên"), default=False, help_text=_("Hồ sơ vừa tiếp nhận ở bước này."))
    allotment_amount = models.DecimalField(
        _("thời gian cho bước"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Thời gian quy định cho bước này; để trống nếu không giới hạn."),
    )
    allotment_unit = models.CharField(
        _("đơn vị"),
        max_length=16,
        choices=TimeUnit.choices,
        default=TimeUnit.WORKING_DAYS,
        help_text=_("Ngày làm việc hoặc giờ làm việc."),
    )

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("các bước xử lý")
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="workflow_state_unique_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_final(self) -> bool:
        return self.kind in FINAL_KINDS

    def clean(self) -> None:
        if self.kind == StateKind.AWAITING_CITIZEN and self.clock_runs:
            raise ValidationError({"clock_runs": _("Khi chờ công dân bổ sung, thời gian giải quyết phải tạm dừng.")})


class Transition(models.Model):
    version = models.ForeignKey(
        WorkflowVersion,
        verbose_name=_("phiên bản quy trình"),
        on_delete=models.CASCADE,
        related_name="transitions",
        help_text=_("Quy trình chứa thao tác này."),
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0, help_text=_("Thứ tự nút trên màn hình."))
    code = models.SlugField(_("mã thao tác"), max_length=64, help_text=_("Mã ngắn, duy nhất trong quy trình."))
    label = models.CharField(_("tên thao tác"), max_length=255, help_text=_("Chữ trên nút, ví dụ Chuyển xử lý."))
    source = models.ForeignKey(
        State,
        verbose_name=_("từ bước"),
        on_delete=models.CASCADE,
        related_name="outgoing",
        help_text=_("Bước mà thao tác này bắt đầu."),
    )
    target = models.ForeignKey(
        State,
        verbose_name=_("đến bước"),
        on_delete=models.CASCADE,
        related_name="incoming",
        help_text=_("Bước hồ sơ chuyển đến."),
    )
    roles = models.ManyToManyField(
        Role,
        verbose_name=_("vai trò được thực hiện"),
        related_name="transitions",
        help_text=_("Một hoặc nhiều vai trò được thực hiện thao tác."),
    )
    effect = models.CharField(
        _("tác dụng"),
        max_length=32,
        choices=Effect.choices,
        default=Effect.NONE,
        help_text=_("Việc hệ thống làm thêm khi thực hiện thao tác."),
    )
    destination = models.CharField(
        _("chuyển đến cơ quan"),
        max_length=32,
        choices=Destination.choices,
        default=Destination.STAY,
        help_text=_("Cơ quan giữ hồ sơ sau thao tác."),
    )
    destination_agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan được chỉ định"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Bắt buộc khi chuyển đến cơ quan được chỉ định."),
    )
    requires_comment = models.BooleanField(
        _("bắt buộc ý kiến"), default=False, help_text=_("Người thực hiện phải ghi ý kiến.")
    )
    requires_result_file = models.BooleanField(
        _("bắt buộc tệp kết quả"), default=False, help_text=_("Phải tải lên tệp kết quả đã ký.")
    )
    requires_consultations_answered = models.BooleanField(
        _("chờ đủ ý kiến phối hợp"),
        default=False,
        help_text=_("Chỉ thực hiện được khi mọi cơ quan phối hợp đã trả lời."),
    )
    requires_payment = models.BooleanField(
        _("chờ nộp đủ phí, lệ phí"),
        default=False,
        help_text=_("Chỉ thực hiện được khi hồ sơ không còn khoản phí, lệ phí nào chưa nộp."),
    )

    class Meta:
        verbose_name = _("thao tác chuyển bước")
        verbose_name_plural = _("các thao tác chuyển bước")
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="workflow_transition_unique_code")]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        errors = {}
        if self.destination == Destination.NAMED_AGENCY and not self.destination_agency_id:
            errors["destination_agency"] = _("Hãy chọn cơ quan được chỉ định.")
        if self.source_id and self.target_id and self.source.version_id != self.target.version_id:
            errors["target"] = _("Hai bước phải thuộc cùng một phiên bản quy trình.")
        if self.source_id and self.source.is_final:
            errors["source"] = _("Không thể đi tiếp từ một bước kết thúc.")
        if errors:
            raise ValidationError(errors)
