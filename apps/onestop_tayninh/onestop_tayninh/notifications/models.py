"""Notifications: an outbox of messages in MariaDB, their templates, in-desk notices, deadline marks.

A message is written in the same transaction as the event that causes it (services.message_enqueue),
so a rolled-back event sends nothing and a committed one is never forgotten: the send job is only
a courier that may be lost and re-run (see services for the delivery guarantees).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import DEDUPE_KEY_LENGTH, MessageStatus, TemplateKey
from .query import DeskNotificationQuerySet, MessageQuerySet


class MessageTemplate(models.Model):
    key = models.CharField(
        _("loại thông báo"),
        max_length=64,
        choices=TemplateKey.choices,
        help_text=_("Sự kiện dẫn đến thông báo."),
    )
    channel = models.CharField(
        _("kênh"), max_length=16, help_text=_("Kênh gửi: email, sms, desk (hoặc kênh bổ sung như zalo).")
    )
    subject = models.CharField(
        _("tiêu đề"),
        max_length=255,
        blank=True,
        help_text=_("Tiêu đề thư hoặc thông báo (cú pháp mẫu Django, ví dụ {{ dossier.code }}); SMS không dùng."),
    )
    body = models.TextField(
        _("nội dung"),
        help_text=_(
            "Nội dung theo cú pháp mẫu Django. Biến có sẵn: dossier, recipient, applicant_name, procedure_name, "
            "due_at, new_due_at, previous_due_at, agency, receiving_desk, site_url, dossier_url (trang của chính hồ "
            "sơ: trang Hồ sơ của tôi nếu người nộp có tài khoản, không thì đường dẫn riêng), applicant_url (đường dẫn "
            "của người nộp: tình trạng, kết quả điện tử, đánh giá; không cần tài khoản), issuer_name (cơ quan ký "
            "thông báo), consultation. SMS được gửi toàn bộ có dấu hoặc toàn bộ không dấu theo cài đặt của kênh."
        ),
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True, help_text=_("Lần sửa gần nhất."))

    class Meta:
        verbose_name = _("mẫu thông báo")
        verbose_name_plural = _("mẫu thông báo")
        ordering = ["key", "channel"]
        constraints = [models.UniqueConstraint(fields=["key", "channel"], name="notifications_template_key_channel")]

    def __str__(self) -> str:
        return f"{self.get_key_display()} ({self.channel})"


class Message(models.Model):
    channel = models.CharField(
        _("kênh"), max_length=16, db_index=True, help_text=_("Kênh gửi, theo tên đăng ký trong registry.")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhận (tài khoản)"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages_received",
        help_text=_("Tài khoản người nhận, nếu có (cán bộ; công dân có tài khoản)."),
    )
    address = models.CharField(
        _("địa chỉ nhận"),
        max_length=255,
        blank=True,
        help_text=_("Địa chỉ thư điện tử hoặc số điện thoại; trống với thông báo trên bàn làm việc."),
    )
    template_key = models.CharField(
        _("loại thông báo"), max_length=64, choices=TemplateKey.choices, help_text=_("Mẫu dùng để soạn nội dung.")
    )
    context = models.JSONField(
        _("dữ liệu kèm theo"), default=dict, blank=True, help_text=_("Giá trị thêm cho mẫu (ngoài hồ sơ).")
    )
    subject = models.CharField(
        _("tiêu đề"), max_length=255, blank=True, help_text=_("Soạn từ mẫu lúc gửi lần đầu, giữ nguyên khi gửi lại.")
    )
    body = models.TextField(_("nội dung"), blank=True, help_text=_("Soạn từ mẫu lúc gửi lần đầu."))
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=MessageStatus.choices,
        default=MessageStatus.QUEUED,
        help_text=_("Chờ gửi, đang gửi, đã gửi hoặc gửi không được."),
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0, help_text=_("Số lần đã thử gửi."))
    next_attempt_at = models.DateTimeField(
        _("gửi lần tới lúc"), null=True, blank=True, help_text=_("Không gửi trước thời điểm này (thử lại giãn dần).")
    )
    last_error = models.TextField(_("lỗi gần nhất"), blank=True, help_text=_("Lý do lần gửi gần nhất không được."))
    dedupe_key = models.CharField(
        _("khóa chống trùng"),
        max_length=DEDUPE_KEY_LENGTH,
        unique=True,
        help_text=_("Cùng một sự kiện, cùng người nhận, cùng kênh chỉ có một thông báo."),
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        help_text=_("Hồ sơ mà thông báo nói đến."),
    )
    claimed_by = models.CharField(
        _("tiến trình gửi"), max_length=100, blank=True, help_text=_("Tiến trình đang giữ thông báo để gửi.")
    )
    claimed_at = models.DateTimeField(
        _("nhận gửi lúc"), null=True, blank=True, help_text=_("Lúc tiến trình nhận gửi (tính thời hạn giữ).")
    )
    dispatched_at = models.DateTimeField(
        _("giao cho hàng đợi lúc"),
        null=True,
        blank=True,
        help_text=_("Lúc việc gửi được đưa vào hàng đợi RQ; trống thì bộ điều phối sẽ đưa vào."),
    )
    created_at = models.DateTimeField(_("tạo lúc"), help_text=_("Lúc sự kiện tạo ra thông báo."))
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True, help_text=_("Lúc kênh nhận thông báo."))
    # The portal's "Thông báo" page shows each notice of a dossier once (e-mail and SMS of one event are
    # one notice) and marks every message of the event read together.
    read_at = models.DateTimeField(
        _("người nhận đã xem lúc"),
        null=True,
        blank=True,
        help_text=_("Lúc người nộp mở thông báo trên trang Thông báo của Cổng dịch vụ công; trống khi chưa xem."),
    )

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("thông báo đã gửi")
        verbose_name_plural = _("hộp thư đi")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The dispatcher's two look-ups: due queued messages, and sends whose lease expired.
            models.Index(fields=["status", "next_attempt_at"], name="notif_msg_status_next"),
            models.Index(fields=["status", "claimed_at"], name="notif_msg_status_claimed"),
        ]

    def __str__(self) -> str:
        return f"{self.get_template_key_display()} → {self.address or self.user or '?'} ({self.channel})"

    @property
    def idempotency_key(self) -> str:
        """Stable across every attempt of this message: the Message-ID / Idempotency-Key receivers dedupe on."""
        return f"onestop-msg-{self.pk}"


class DeskNotification(models.Model):
    """A notice in an official's desk (the bell); written by the `desk` channel, one per message."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ"),
        on_delete=models.CASCADE,
        related_name="desk_notifications",
        help_text=_("Người nhận thông báo."),
    )
    message = models.OneToOneField(
        Message,
        verbose_name=_("thông báo"),
        on_delete=models.CASCADE,
        related_name="desk_notification",
        help_text=_("Thông báo trong hộp thư đi đã tạo ra mục này."),
    )
    created_at = models.DateTimeField(_("tạo lúc"), help_text=_("Lúc thông báo hiện trên bàn làm việc."))
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True, help_text=_("Trống khi chưa đọc."))

    objects = DeskNotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("thông báo trên bàn làm việc")
        verbose_name_plural = _("thông báo trên bàn làm việc")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notif_desk_user_read")]

    def __str__(self) -> str:
        return self.message.subject or str(self.message)
