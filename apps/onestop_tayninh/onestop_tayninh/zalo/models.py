"""What Zalo sent us, and the OA's tokens (docs/architecture.md §6.2).

An event (`ZaloEvent`) is stored once, as received, before anything is done with it; a worker
then processes it. The OA's tokens (`OaToken`) are one row per app: Zalo's refresh token is
single-use, so the row is rewritten, under a row lock, each time one is spent.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import EventStatus


class ZaloEvent(models.Model):
    event_id = models.CharField(
        _("mã sự kiện"),
        max_length=100,
        unique=True,
        help_text=_(
            "Mã tin nhắn (msg_id) Zalo gửi kèm; sự kiện không có tin nhắn: mã băm SHA-256 của "
            "app_id, tên sự kiện, thời điểm và người gửi. Một sự kiện chỉ được lưu một lần."
        ),
    )
    event_name = models.CharField(
        _("loại sự kiện"), max_length=64, db_index=True, help_text=_("Tên sự kiện Zalo, ví dụ follow, user_send_text.")
    )
    app_id = models.CharField(_("mã ứng dụng"), max_length=64, help_text=_("Mã ứng dụng Zalo ghi trong sự kiện."))
    sender_id = models.CharField(
        _("mã người gửi"), max_length=64, blank=True, db_index=True, help_text=_("Mã người dùng Zalo gửi sự kiện.")
    )
    recipient_id = models.CharField(
        _("mã người nhận"), max_length=64, blank=True, help_text=_("Mã người nhận (thường là mã OA).")
    )
    timestamp = models.CharField(
        _("dấu thời gian"),
        max_length=32,
        help_text=_("Dấu thời gian Zalo ghi trong sự kiện, giữ nguyên như nhận được."),
    )
    occurred_at = models.DateTimeField(_("xảy ra lúc"), help_text=_("Dấu thời gian của sự kiện, đổi ra ngày giờ."))
    payload = models.JSONField(_("nội dung nhận được"), default=dict, help_text=_("Nội dung JSON Zalo gửi sang."))
    received_at = models.DateTimeField(_("nhận lúc"), db_index=True, help_text=_("Lúc hệ thống nhận sự kiện."))
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=EventStatus.choices,
        default=EventStatus.RECEIVED,
        help_text=_("Chờ xử lý, đã xử lý, bỏ qua hay xử lý không được."),
    )
    error = models.TextField(_("lỗi"), blank=True, help_text=_("Lý do bỏ qua hoặc lý do xử lý không được."))
    processed_at = models.DateTimeField(
        _("xử lý lúc"), null=True, blank=True, help_text=_("Lúc sự kiện được xử lý xong hoặc bỏ qua.")
    )

    class Meta:
        verbose_name = _("sự kiện Zalo")
        verbose_name_plural = _("sự kiện Zalo")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.event_name} {self.event_id}"


class OaToken(models.Model):
    app_id = models.CharField(
        _("mã ứng dụng"), max_length=64, unique=True, help_text=_("Mã ứng dụng Zalo của OA; mỗi OA một dòng.")
    )
    access_token = models.TextField(
        _("access token"),
        blank=True,
        help_text=_("Khóa truy cập dùng để gửi tin qua OA; trống: làm mới trước khi gửi."),
    )
    access_expires_at = models.DateTimeField(
        _("access token hết hạn lúc"),
        null=True,
        blank=True,
        help_text=_("Để trống: chưa biết, làm mới khi Zalo từ chối."),
    )
    refresh_token = models.TextField(
        _("refresh token"), help_text=_("Khóa làm mới, chỉ dùng được một lần; mỗi lần làm mới Zalo cấp khóa mới.")
    )
    refresh_expires_at = models.DateTimeField(
        _("refresh token hết hạn lúc"), null=True, blank=True, help_text=_("Hạn dùng của khóa làm mới.")
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True, help_text=_("Lần gần nhất đổi khóa."))

    class Meta:
        verbose_name = _("khóa truy cập Zalo OA")
        verbose_name_plural = _("khóa truy cập Zalo OA")

    def __str__(self) -> str:
        return self.app_id
