"""Citizens' feedback and recommendations (PAKN, "phản ánh, kiến nghị"; docs/domain.md §11).

A `Feedback` is one PAKN: about a dossier or about the service in general, addressed to one body
(`agency`), received → accepted or rejected; accepted → more information asked → accepted again;
→ answered → published (when the citizen agreed to publication). Each step has a deadline in working
days (constants); the deadline scan escalates a step once (`FeedbackEscalation`). Every write is a
service (services.py).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.directory.models import Agency
from onestop_tayninh.dossiers.models import Dossier

from .constants import (
    ANSWER_MAX_LENGTH,
    CONTENT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    FeedbackChannel,
    FeedbackKind,
    FeedbackStatus,
    FeedbackStep,
)
from .query import FeedbackQuerySet


class Feedback(models.Model):
    code = models.CharField(
        _("mã phản ánh, kiến nghị"),
        max_length=20,
        unique=True,
        editable=False,
        help_text=_("Mã cấp khi nhận, dạng PAKN-2612-000123 (năm, tháng, số thứ tự trong tháng); dùng để tra cứu."),
    )
    kind = models.CharField(
        _("loại"),
        max_length=16,
        choices=FeedbackKind.choices,
        default=FeedbackKind.COMPLAINT,
        help_text=_("Phản ánh (việc chưa đúng) hay kiến nghị (đề xuất)."),
    )
    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("hồ sơ"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback",
        help_text=_("Hồ sơ mà phản ánh, kiến nghị nói đến; trống khi nói về thủ tục, dịch vụ nói chung."),
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan tiếp nhận, xử lý"),
        on_delete=models.PROTECT,
        related_name="feedback",
        help_text=_(
            "Cơ quan bị phản ánh hoặc được kiến nghị: cơ quan có thẩm quyền giải quyết hồ sơ, hoặc do công dân chọn."
        ),
    )
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản công dân"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback",
        help_text=_("Tài khoản Cổng dịch vụ công đã gửi; trống khi gửi không đăng nhập hoặc nộp tại quầy."),
    )
    full_name = models.CharField(_("họ và tên"), max_length=255, help_text=_("Họ và tên người gửi."))
    phone = models.CharField(
        _("số điện thoại"), max_length=20, blank=True, help_text=_("Số điện thoại để cơ quan liên hệ khi cần.")
    )
    email = models.EmailField(_("thư điện tử"), blank=True, help_text=_("Địa chỉ nhận thông báo trả lời, nếu có."))
    title = models.CharField(
        _("tiêu đề"), max_length=TITLE_MAX_LENGTH, help_text=_("Nội dung chính, ngắn gọn, trong một dòng.")
    )
    content = models.TextField(
        _("nội dung"),
        validators=[MaxLengthValidator(CONTENT_MAX_LENGTH)],
        help_text=_("Nội dung phản ánh, kiến nghị (văn bản thuần, tối đa 5.000 ký tự)."),
    )
    channel = models.CharField(
        _("kênh gửi"),
        max_length=16,
        choices=FeedbackChannel.choices,
        help_text=_("Công dân gửi qua Cổng dịch vụ công, Zalo hay trực tiếp tại quầy."),
    )
    publish_consent = models.BooleanField(
        _("đồng ý công khai"),
        default=False,
        help_text=_("Công dân đồng ý công khai nội dung và câu trả lời (không kèm thông tin cá nhân)."),
    )
    status = models.CharField(
        _("tình trạng"),
        max_length=16,
        choices=FeedbackStatus.choices,
        default=FeedbackStatus.RECEIVED,
        help_text=_("Bước xử lý hiện tại."),
    )
    received_at = models.DateTimeField(_("nhận lúc"), help_text=_("Lúc hệ thống nhận phản ánh, kiến nghị."))
    accept_due_at = models.DateTimeField(
        _("hạn tiếp nhận"), help_text=_("Hạn tiếp nhận hoặc từ chối: 2 ngày làm việc kể từ ngày nhận.")
    )
    info_due_at = models.DateTimeField(
        _("hạn đề nghị bổ sung thông tin"),
        help_text=_("Sau hạn này (5 ngày làm việc kể từ ngày nhận) không đề nghị công dân bổ sung thông tin nữa."),
    )
    answer_due_at = models.DateTimeField(
        _("hạn trả lời"),
        help_text=_("15 ngày làm việc kể từ ngày nhận; lùi thêm đúng thời gian chờ công dân bổ sung thông tin."),
    )
    publish_due_at = models.DateTimeField(
        _("hạn công khai"),
        null=True,
        blank=True,
        help_text=_("2 ngày làm việc kể từ ngày trả lời; chỉ khi công dân đồng ý công khai."),
    )
    decided_at = models.DateTimeField(
        _("tiếp nhận, từ chối lúc"), null=True, blank=True, help_text=_("Lúc cơ quan tiếp nhận hoặc từ chối.")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tiếp nhận, từ chối"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Cán bộ đã tiếp nhận hoặc từ chối."),
    )
    rejection_reason = models.TextField(
        _("lý do không tiếp nhận"), blank=True, help_text=_("Vì sao phản ánh, kiến nghị không được tiếp nhận.")
    )
    info_request = models.TextField(
        _("thông tin cần bổ sung"), blank=True, help_text=_("Cơ quan đề nghị công dân cung cấp thêm thông tin gì.")
    )
    info_requested_at = models.DateTimeField(
        _("đề nghị bổ sung lúc"), null=True, blank=True, help_text=_("Lúc cơ quan đề nghị bổ sung thông tin.")
    )
    info_reply = models.TextField(
        _("thông tin công dân bổ sung"),
        blank=True,
        validators=[MaxLengthValidator(CONTENT_MAX_LENGTH)],
        help_text=_(
            "Thông tin công dân cung cấp thêm (trên Cổng, hoặc cán bộ ghi lại khi công dân gọi điện, đến quầy)."
        ),
    )
    info_supplied_at = models.DateTimeField(
        _("bổ sung lúc"), null=True, blank=True, help_text=_("Lúc nhận được thông tin bổ sung.")
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ được phân công"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_feedback",
        help_text=_("Cán bộ của cơ quan được giao xử lý, trả lời."),
    )
    answer = models.TextField(
        _("nội dung trả lời"),
        blank=True,
        validators=[MaxLengthValidator(ANSWER_MAX_LENGTH)],
        help_text=_("Câu trả lời của cơ quan gửi công dân."),
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người trả lời"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Cán bộ đã trả lời."),
    )
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True, help_text=_("Lúc cơ quan trả lời."))
    published_at = models.DateTimeField(
        _("công khai lúc"), null=True, blank=True, help_text=_("Lúc câu trả lời được công khai trên Cổng.")
    )
    answer_liked = models.BooleanField(
        _("hài lòng với câu trả lời"),
        null=True,
        blank=True,
        help_text=_("Công dân đánh giá câu trả lời: hài lòng hay không hài lòng; trống khi chưa đánh giá."),
    )
    rated_at = models.DateTimeField(
        _("đánh giá lúc"), null=True, blank=True, help_text=_("Lúc công dân đánh giá câu trả lời.")
    )
    repeated = models.BooleanField(
        _("phản ánh lặp lại"),
        default=False,
        help_text=_("Cùng người đã phản ánh trước đó về cùng hồ sơ hoặc cùng việc."),
    )
    escalated_at = models.DateTimeField(
        _("báo lãnh đạo lúc"),
        null=True,
        blank=True,
        help_text=_("Lần gần nhất hệ thống báo lãnh đạo cơ quan vì quá hạn một bước xử lý."),
    )

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["agency", "received_at"], name="feedback_agency_received_idx"),
            models.Index(fields=["status", "received_at"], name="feedback_status_idx"),
            models.Index(fields=["citizen", "received_at"], name="feedback_citizen_idx"),
        ]
        permissions = [
            ("handle_feedback", _("Được xử lý phản ánh, kiến nghị: tiếp nhận, từ chối, đề nghị bổ sung, trả lời")),
            ("assign_feedback", _("Được phân công xử lý phản ánh, kiến nghị")),
            ("publish_feedback", _("Được công khai câu trả lời phản ánh, kiến nghị")),
        ]

    def __str__(self) -> str:
        return self.code


class FeedbackCodeCounter(models.Model):
    """The last number given in a month (core.counters): codes without gaps or duplicates."""

    month = models.DateField(_("tháng"), unique=True, help_text=_("Ngày đầu tháng (giờ Việt Nam)."))
    last_number = models.PositiveIntegerField(
        _("số cuối đã cấp"), default=0, help_text=_("Số thứ tự cuối cùng đã cấp trong tháng.")
    )

    class Meta:
        verbose_name = _("bộ đếm mã phản ánh, kiến nghị")
        verbose_name_plural = _("bộ đếm mã phản ánh, kiến nghị")

    def __str__(self) -> str:
        return f"{self.month:%m/%Y}: {self.last_number}"


class FeedbackEscalation(models.Model):
    """A step of a PAKN reported to the body's heads as overdue: once per step (unique)."""

    feedback = models.ForeignKey(
        Feedback,
        verbose_name=_("phản ánh, kiến nghị"),
        on_delete=models.CASCADE,
        related_name="escalations",
        help_text=_("Phản ánh, kiến nghị quá hạn."),
    )
    step = models.CharField(
        _("bước"), max_length=16, choices=FeedbackStep.choices, help_text=_("Bước xử lý đã quá hạn.")
    )
    due_at = models.DateTimeField(_("hạn"), help_text=_("Hạn của bước khi quá hạn."))
    at = models.DateTimeField(_("báo lúc"), help_text=_("Lúc báo lãnh đạo cơ quan."))

    class Meta:
        verbose_name = _("lần báo quá hạn")
        verbose_name_plural = _("các lần báo quá hạn")
        constraints = [models.UniqueConstraint(fields=["feedback", "step"], name="feedback_escalation_once")]

    def __str__(self) -> str:
        return f"{self.feedback_id} {self.step}"
