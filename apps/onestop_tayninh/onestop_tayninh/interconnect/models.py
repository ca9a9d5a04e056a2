"""Hand-overs between installations (liên thông): the installations we send to, what we sent, what we received."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.security.sealing import seal, unseal

from .constants import HandoverStatus, ResultStatus


class PeerInstallation(models.Model):
    """Another province's (or installation's) one-stop system ("Hệ thống liên thông").

    We call its API with the OAuth2 client id and secret it gave us; it calls ours as the ApiClient
    `api_client` (scope handover:write), which says, for a package or a result that arrives, from which
    installation it came.
    """

    name = models.CharField(
        _("tên hệ thống"),
        max_length=200,
        unique=True,
        help_text=_("Ví dụ Hệ thống thông tin giải quyết TTHC tỉnh Bình Dương."),
        error_messages={"unique": _("Đã có hệ thống liên thông cùng tên.")},
    )
    base_url = models.URLField(
        _("địa chỉ hệ thống"),
        help_text=_("Địa chỉ gốc của hệ thống bên kia, ví dụ https://motcua.binhduong.gov.vn (API ở /api/v1/)."),
    )
    client_id = models.CharField(
        _("mã ứng dụng (client id)"), max_length=100, help_text=_("Mã ứng dụng bên kia cấp cho hệ thống của tỉnh.")
    )
    # Sealed at rest (security.sealing): we must keep the secret to call the other side, never show it again.
    client_secret_sealed = models.TextField(
        _("khóa bí mật (đã mã hóa)"),
        editable=False,
        help_text=_("Khóa bí mật đi kèm mã ứng dụng, do bên kia cấp; lưu ở dạng mã hóa, không hiện lại."),
    )
    agencies = models.ManyToManyField(
        "directory.Agency",
        verbose_name=_("cơ quan được gửi"),
        related_name="+",
        blank=True,
        help_text=_("Các cơ quan của tỉnh được gửi hồ sơ liên thông đến hệ thống này."),
    )
    api_client = models.OneToOneField(
        "api.ApiClient",
        verbose_name=_("hệ thống kết nối tương ứng"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="peer",
        help_text=_("Hệ thống kết nối (có phạm vi liên thông) mà bên kia dùng để gửi hồ sơ và kết quả về đây."),
    )
    is_active = models.BooleanField(
        _("đang hoạt động"), default=True, help_text=_("Bỏ chọn để ngừng gửi hồ sơ đến hệ thống này.")
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True, help_text=_("Lúc khai báo hệ thống."))

    class Meta:
        verbose_name = _("hệ thống liên thông")
        verbose_name_plural = _("hệ thống liên thông")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def client_secret(self) -> str:
        return unseal(self.client_secret_sealed)

    @client_secret.setter
    def client_secret(self, value: str) -> None:
        self.client_secret_sealed = seal(value)


class Handover(models.Model):
    """A dossier of ours sent to another installation (the outbox of the hand-over and its follow-up)."""

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Hồ sơ được gửi liên thông."),
    )
    peer = models.ForeignKey(
        PeerInstallation,
        verbose_name=_("gửi đến"),
        on_delete=models.PROTECT,
        related_name="handovers",
        help_text=_("Hệ thống nhận hồ sơ."),
    )
    code = models.CharField(_("mã hồ sơ"), max_length=32, help_text=_("Mã hồ sơ, giữ nguyên ở hệ thống bên nhận."))
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=HandoverStatus.choices,
        default=HandoverStatus.PENDING,
        help_text=_("Đang gửi, bên nhận đã tiếp nhận, gửi không được hay đã nhận kết quả."),
    )
    note = models.TextField(_("ghi chú"), blank=True, help_text=_("Nội dung gửi kèm hồ sơ."))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ gửi"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Cán bộ đã gửi hồ sơ liên thông."),
    )
    sent_at = models.DateTimeField(_("gửi lúc"), help_text=_("Lúc cán bộ gửi hồ sơ."))
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0, help_text=_("Số lần đã gửi thử."))
    last_error = models.TextField(_("lỗi gần nhất"), blank=True, help_text=_("Lý do lần gửi gần nhất không được."))
    delivered_at = models.DateTimeField(
        _("bên nhận tiếp nhận lúc"), null=True, blank=True, help_text=_("Lúc hệ thống bên nhận xác nhận đã nhận.")
    )
    result_status = models.CharField(
        _("kết quả"),
        max_length=16,
        choices=ResultStatus.choices,
        blank=True,
        help_text=_("Kết quả bên nhận gửi về."),
    )
    result_received_at = models.DateTimeField(
        _("nhận kết quả lúc"), null=True, blank=True, help_text=_("Lúc kết quả từ bên nhận về đến hệ thống.")
    )
    result_sha256 = models.CharField(
        _("SHA-256 tệp kết quả"), max_length=64, blank=True, help_text=_("Mã băm của tệp kết quả đã nhận.")
    )

    class Meta:
        verbose_name = _("hồ sơ gửi liên thông")
        verbose_name_plural = _("hồ sơ gửi liên thông")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            # A dossier is handed over once: its code can exist only once on the other side.
            models.UniqueConstraint(fields=["dossier"], name="interconnect_handover_one_per_dossier"),
        ]

    def __str__(self) -> str:
        return self.code


class ReceivedHandover(models.Model):
    """A dossier another installation handed over to us: received here under its own code."""

    client = models.ForeignKey(
        "api.ApiClient",
        verbose_name=_("hệ thống gửi"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Hệ thống kết nối đã gửi hồ sơ."),
    )
    peer = models.ForeignKey(
        PeerInstallation,
        verbose_name=_("hệ thống liên thông"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="received",
        help_text=_("Hệ thống liên thông mà kết quả được gửi về."),
    )
    code = models.CharField(
        _("mã hồ sơ"),
        max_length=32,
        unique=True,
        help_text=_("Mã hồ sơ do hệ thống gửi cấp."),
        error_messages={"unique": _("Hồ sơ mã này đã được nhận.")},
    )
    fingerprint = models.CharField(
        _("dấu vân tay gói hồ sơ"), max_length=64, help_text=_("SHA-256 của gói hồ sơ nhận lần đầu.")
    )
    dossier = models.OneToOneField(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Hồ sơ tạo ra từ gói hồ sơ."),
    )
    origin = models.CharField(
        _("nơi gửi"), max_length=300, blank=True, help_text=_("Cơ quan và hệ thống đã gửi hồ sơ.")
    )
    received_at = models.DateTimeField(_("nhận lúc"), help_text=_("Lúc nhận gói hồ sơ."))
    result_status = models.CharField(
        _("kết quả đã gửi về"),
        max_length=16,
        choices=ResultStatus.choices,
        blank=True,
        help_text=_("Kết quả đã gửi về hệ thống gửi."),
    )
    result_sent_at = models.DateTimeField(
        _("gửi kết quả lúc"), null=True, blank=True, help_text=_("Lúc hệ thống gửi xác nhận đã nhận kết quả.")
    )

    class Meta:
        verbose_name = _("hồ sơ nhận liên thông")
        verbose_name_plural = _("hồ sơ nhận liên thông")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return self.code
