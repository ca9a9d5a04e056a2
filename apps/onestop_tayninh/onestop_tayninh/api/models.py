"""A connected system (ApiClient) and the keys that make its creates safe to replay."""

from __future__ import annotations

from oauth2_provider.models import Application

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import IDEMPOTENCY_KEY_MAX


class ApiClient(models.Model):
    """Another system of the province that calls the API ("Hệ thống kết nối").

    It authenticates with its OAuth2 application (client credentials) and acts as its own technical
    account (`user`): an official's account that cannot log in (no usable password, not staff), at the
    agency and with the roles and desks given here, so the row-level rule and the desk's action
    predicates apply to it unchanged.
    """

    name = models.CharField(
        _("tên hệ thống"),
        max_length=200,
        unique=True,
        help_text=_("Tên hệ thống kết nối, ví dụ Phần mềm quản lý đất đai của Sở Nông nghiệp và Môi trường."),
        error_messages={"unique": _("Đã có hệ thống kết nối cùng tên.")},
    )
    application = models.OneToOneField(
        Application,
        verbose_name=_("ứng dụng OAuth2"),
        on_delete=models.PROTECT,
        related_name="api_client",
        help_text=_("Mã ứng dụng (client id) và khóa bí mật mà hệ thống dùng để lấy mã truy cập."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản kỹ thuật"),
        on_delete=models.PROTECT,
        related_name="api_client",
        help_text=_("Tài khoản mà hệ thống hành động dưới danh nghĩa; không đăng nhập được vào giao diện."),
    )
    scopes = models.JSONField(
        _("phạm vi được cấp"),
        default=list,
        blank=True,
        help_text=_("Các loại thao tác hệ thống được gọi qua API."),
    )
    rate_per_minute = models.PositiveIntegerField(
        _("số lượt gọi mỗi phút"),
        null=True,
        blank=True,
        help_text=_("Giới hạn số lượt gọi API mỗi phút; để trống để dùng mức chung của hệ thống."),
    )
    contact = models.CharField(
        _("đầu mối kỹ thuật"),
        max_length=300,
        blank=True,
        help_text=_("Họ tên, điện thoại, thư điện tử của người phụ trách hệ thống kết nối."),
    )
    is_active = models.BooleanField(
        _("đang hoạt động"), default=True, help_text=_("Bỏ chọn để ngừng ngay mọi lượt gọi của hệ thống.")
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True, help_text=_("Lúc kết nối hệ thống."))

    class Meta:
        verbose_name = _("hệ thống kết nối")
        verbose_name_plural = _("hệ thống kết nối")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class IdempotencyKey(models.Model):
    """A create call a client marked with an Idempotency-Key: a replay answers the same dossier."""

    client = models.ForeignKey(
        ApiClient,
        verbose_name=_("hệ thống kết nối"),
        on_delete=models.CASCADE,
        related_name="idempotency_keys",
        help_text=_("Hệ thống đã gửi yêu cầu."),
    )
    key = models.CharField(
        _("khóa chống trùng"), max_length=IDEMPOTENCY_KEY_MAX, help_text=_("Giá trị tiêu đề Idempotency-Key.")
    )
    fingerprint = models.CharField(
        _("dấu vân tay yêu cầu"), max_length=64, help_text=_("SHA-256 của nội dung yêu cầu đầu tiên.")
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Hồ sơ mà yêu cầu đầu tiên đã tạo."),
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True, help_text=_("Lúc nhận yêu cầu đầu tiên."))

    class Meta:
        verbose_name = _("khóa chống trùng")
        verbose_name_plural = _("khóa chống trùng")
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="api_idempotency_unique_key")]

    def __str__(self) -> str:
        return self.key
