"""Systems that subscribe to dossier events, and the outbox of what is posted to them.

A `Subscriber` names a URL, the event kinds it wants and the bodies whose dossiers it may hear
about. For each dossier event, `subscribers.event_published` writes one `Delivery` per matching
subscriber in the event's own transaction (unique per subscriber and event); workers post them
signed, retry with back-off and record the answer (services.py describes the guarantees).
"""

from __future__ import annotations

import ipaddress
import uuid
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.dossiers.constants import EventAction
from onestop_tayninh.security.sealing import seal, unseal

from .constants import DeliveryStatus


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_problem(url: str) -> str:
    """Why `url` cannot receive deliveries (in Vietnamese), or "" when it can.

    HTTPS only; plain HTTP only to this machine (127.0.0.1, ::1, localhost) and only where
    ONESTOP_WEBHOOKS_ALLOW_LOOPBACK_HTTP is on (development and tests): a signature proves who sent
    a delivery, not that nobody else read it on the way.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return str(_("Địa chỉ nhận phải là một địa chỉ https://… đầy đủ."))
    if parts.username or parts.password:
        return str(_("Địa chỉ nhận không được chứa tên đăng nhập hay mật khẩu."))
    if parts.scheme == "http":
        if not settings.ONESTOP_WEBHOOKS_ALLOW_LOOPBACK_HTTP:
            return str(_("Địa chỉ nhận phải dùng https:// để dữ liệu được mã hóa trên đường truyền."))
        if not is_loopback(parts.hostname):
            return str(
                _("Chỉ địa chỉ trên chính máy chủ (127.0.0.1, localhost) mới được dùng http://; hãy dùng https://.")
            )
    return ""


class Subscriber(models.Model):
    name = models.CharField(
        _("tên hệ thống"),
        max_length=200,
        unique=True,
        help_text=_("Tên hệ thống nhận sự kiện, ví dụ Hệ thống thống kê của Sở Tư pháp."),
        error_messages={"unique": _("Đã có hệ thống nhận mang tên này.")},
    )
    url = models.URLField(
        _("địa chỉ nhận"),
        max_length=500,
        help_text=_("Địa chỉ https:// mà hệ thống nhận chờ sự kiện (phương thức POST, nội dung JSON)."),
    )
    # Sealed at rest (security.sealing): we must keep the secret to sign with it, never show it again.
    secret_sealed = models.TextField(
        _("khóa bí mật (đã mã hóa)"),
        editable=False,
        help_text=_("Khóa ký sự kiện, lưu ở dạng mã hóa; chỉ hiện một lần khi tạo hoặc đổi khóa."),
    )
    secret_hint = models.CharField(
        _("đuôi khóa bí mật"),
        max_length=16,
        editable=False,
        help_text=_("Bốn ký tự cuối của khóa, để đối chiếu với khóa hệ thống nhận đang dùng."),
    )
    event_kinds = models.JSONField(
        _("loại sự kiện nhận"),
        default=list,
        help_text=_("Các loại sự kiện của hồ sơ mà hệ thống nhận muốn được báo."),
    )
    agencies = models.ManyToManyField(
        "directory.Agency",
        verbose_name=_("cơ quan"),
        related_name="+",
        help_text=_(
            "Hệ thống chỉ được báo sự kiện của hồ sơ mà cán bộ các cơ quan này được xem (hồ sơ đã hoặc đang ở cơ quan)."
        ),
    )
    active = models.BooleanField(
        _("đang hoạt động"),
        default=True,
        help_text=_("Tạm ngừng: không ghi sự kiện mới cho hệ thống, lượt gửi đang chờ được giữ lại đến khi bật lại."),
    )
    # Set when a connected system registered itself through the API: it alone sees and manages this
    # row there, and may choose only bodies within its own account's reach. Empty: the desk's own.
    api_client = models.ForeignKey(
        "api.ApiClient",
        verbose_name=_("hệ thống kết nối đăng ký"),
        on_delete=models.PROTECT,
        related_name="webhook_subscribers",
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Hệ thống kết nối đã tự đăng ký qua API và quản lý hệ thống nhận này; "
            "để trống khi quản trị viên đăng ký trên giao diện quản trị."
        ),
    )
    created_at = models.DateTimeField(_("tạo lúc"), help_text=_("Lúc đăng ký hệ thống nhận."))
    secret_rotated_at = models.DateTimeField(_("đổi khóa lúc"), help_text=_("Lần tạo hoặc đổi khóa bí mật gần nhất."))

    class Meta:
        verbose_name = _("hệ thống nhận sự kiện")
        verbose_name_plural = _("hệ thống nhận sự kiện")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def secret(self) -> str:
        return unseal(self.secret_sealed)

    @secret.setter
    def secret(self, value: str) -> None:
        self.secret_sealed = seal(value)
        self.secret_hint = value[-4:]

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.url and (problem := url_problem(self.url)):
            errors["url"] = problem
        kinds = self.event_kinds
        known = set(EventAction.values)
        if not isinstance(kinds, list) or not kinds:
            errors["event_kinds"] = _("Hãy chọn ít nhất một loại sự kiện.")
        elif not set(kinds) <= known:
            errors["event_kinds"] = _("Có loại sự kiện không tồn tại: %(kinds)s.") % {
                "kinds": ", ".join(sorted(str(kind) for kind in set(kinds) - known))
            }
        if errors:
            raise ValidationError(errors)


class Delivery(models.Model):
    """One event posted to one subscriber: written once, sent until delivered, failed or given up."""

    uuid = models.UUIDField(
        _("mã lượt gửi"),
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=_("Giữ nguyên qua mọi lần thử và khi gửi lại; hệ thống nhận dùng để bỏ qua bản trùng."),
    )
    subscriber = models.ForeignKey(
        Subscriber,
        verbose_name=_("hệ thống nhận"),
        on_delete=models.PROTECT,
        related_name="deliveries",
        help_text=_("Hệ thống được gửi sự kiện."),
    )
    event = models.ForeignKey(
        "dossiers.DossierEvent",
        verbose_name=_("sự kiện"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Sự kiện của hồ sơ được gửi."),
    )
    kind = models.CharField(
        _("loại sự kiện"), max_length=32, choices=EventAction.choices, help_text=_("Loại của sự kiện được gửi.")
    )
    payload = models.JSONField(
        _("nội dung gửi"), default=dict, help_text=_("Các trường được gửi, ghi lúc sự kiện xảy ra; gửi lại y nguyên.")
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.QUEUED,
        help_text=_("Chờ gửi, đang gửi, đã gửi được hay gửi không được."),
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0, help_text=_("Số lần đã thử gửi."))
    next_attempt_at = models.DateTimeField(
        _("gửi lần tới lúc"), help_text=_("Không gửi trước thời điểm này (thử lại giãn dần).")
    )
    last_status_code = models.PositiveSmallIntegerField(
        _("mã trả lời gần nhất"),
        null=True,
        blank=True,
        help_text=_("Mã HTTP hệ thống nhận trả lời lần gửi gần nhất; trống khi không nhận được trả lời."),
    )
    last_error = models.TextField(_("lỗi gần nhất"), blank=True, help_text=_("Lý do lần gửi gần nhất không được."))
    dispatched_at = models.DateTimeField(
        _("giao cho hàng đợi lúc"),
        null=True,
        blank=True,
        help_text=_("Lúc việc gửi được đưa vào hàng đợi; trống thì lần quét sau sẽ đưa vào."),
    )
    claimed_by = models.CharField(
        _("tiến trình gửi"), max_length=100, blank=True, help_text=_("Tiến trình đang giữ lượt gửi.")
    )
    claimed_at = models.DateTimeField(
        _("nhận gửi lúc"), null=True, blank=True, help_text=_("Lúc tiến trình nhận gửi (tính thời hạn giữ).")
    )
    created_at = models.DateTimeField(
        _("tạo lúc"),
        help_text=_("Lúc ghi lượt gửi, cùng lúc với sự kiện (thời điểm của sự kiện nằm trong nội dung gửi)."),
    )
    delivered_at = models.DateTimeField(
        _("gửi được lúc"), null=True, blank=True, help_text=_("Lúc hệ thống nhận trả lời đã nhận (2xx).")
    )
    replay_count = models.PositiveSmallIntegerField(
        _("số lần gửi lại"), default=0, help_text=_("Số lần quản trị viên bấm “Gửi lại”.")
    )

    class Meta:
        verbose_name = _("lượt gửi sự kiện")
        verbose_name_plural = _("lượt gửi sự kiện")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Exactly once per subscriber and event: a replayed event writes nothing more.
            models.UniqueConstraint(fields=["subscriber", "event"], name="webhooks_delivery_once"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhooks_delivery_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"
