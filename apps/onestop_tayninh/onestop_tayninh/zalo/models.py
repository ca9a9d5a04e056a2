"""What Zalo sent us, the OA's tokens, and the conversations with citizens (docs/architecture.md §6.2).

An event (`ZaloEvent`) is stored once, as received, before anything is done with it; a worker
then processes it. The OA's tokens (`OaToken`) are one row per app: Zalo's refresh token is
single-use, so the row is rewritten, under a row lock, each time one is spent.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.template import Variable, VariableDoesNotExist
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.notifications.constants import CITIZEN_DOSSIER_KEYS, TemplateKey
from onestop_tayninh.security.sealing import seal, unseal
from onestop_tayninh.security.uploads import GatedFileField

from .constants import (
    ConversationState,
    Direction,
    EventStatus,
    IdentitySource,
    PhotoKind,
    SubmissionKind,
    SubmissionStatus,
)


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
    access_token_sealed = models.TextField(
        _("access token (đã mã hóa)"),
        blank=True,
        help_text=_("Khóa truy cập dùng để gửi tin qua OA, lưu đã mã hóa; trống: làm mới trước khi gửi."),
    )
    access_expires_at = models.DateTimeField(
        _("access token hết hạn lúc"),
        null=True,
        blank=True,
        help_text=_("Để trống: chưa biết, làm mới khi Zalo từ chối."),
    )
    refresh_token_sealed = models.TextField(
        _("refresh token (đã mã hóa)"),
        help_text=_("Khóa làm mới, lưu đã mã hóa; chỉ dùng được một lần, mỗi lần làm mới Zalo cấp khóa mới."),
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

    # The tokens in clear for the client only; the columns hold them sealed (security.sealing).
    @property
    def access_token(self) -> str:
        return unseal(self.access_token_sealed)

    @access_token.setter
    def access_token(self, value: str) -> None:
        self.access_token_sealed = seal(value)

    @property
    def refresh_token(self) -> str:
        return unseal(self.refresh_token_sealed)

    @refresh_token.setter
    def refresh_token(self, value: str) -> None:
        self.refresh_token_sealed = seal(value)


class ZaloUser(models.Model):
    """A Zalo user who wrote to or followed the OA: the link to a citizen account, and where the
    conversation stands (`state`, with what it needs in `state_data`). Events of one user are
    processed one at a time under this row's lock."""

    user_id = models.CharField(
        _("mã người dùng Zalo"), max_length=64, unique=True, help_text=_("Mã người dùng theo OA (user_id).")
    )
    display_name = models.CharField(_("tên Zalo"), max_length=255, blank=True, help_text=_("Tên hiển thị trên Zalo."))
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản công dân"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="zalo_links",
        help_text=_("Tài khoản trên Cổng dịch vụ công đã liên kết; trống: chưa liên kết."),
    )
    linked_at = models.DateTimeField(_("liên kết lúc"), null=True, blank=True, help_text=_("Lúc liên kết tài khoản."))
    follows = models.BooleanField(_("đang quan tâm OA"), default=False, help_text=_("Người dùng đang quan tâm OA."))
    followed_at = models.DateTimeField(_("quan tâm lúc"), null=True, blank=True, help_text=_("Lần quan tâm gần nhất."))
    unfollowed_at = models.DateTimeField(
        _("bỏ quan tâm lúc"), null=True, blank=True, help_text=_("Lần bỏ quan tâm gần nhất.")
    )
    last_interaction_at = models.DateTimeField(
        _("tương tác gần nhất"),
        null=True,
        blank=True,
        help_text=_("Lần gần nhất người dùng gửi tin hoặc quan tâm OA; OA chỉ gửi tin tư vấn trong thời hạn sau đó."),
    )
    blocked_at = models.DateTimeField(
        _("chặn lúc"),
        null=True,
        blank=True,
        help_text=_("Người dùng bị chặn (gửi tin rác, lạm dụng): hệ thống không xử lý tin của họ."),
    )
    state = models.CharField(
        _("bước trò chuyện"),
        max_length=32,
        choices=ConversationState.choices,
        default=ConversationState.IDLE,
        help_text=_("Điều OA đang chờ người dùng gửi."),
    )
    state_data = models.JSONField(_("dữ liệu bước"), default=dict, blank=True, help_text=_("Dữ liệu của bước."))
    created_at = models.DateTimeField(_("lần đầu liên hệ"), auto_now_add=True, help_text=_("Lần đầu OA nhận tin."))

    class Meta:
        verbose_name = _("người dùng Zalo")
        verbose_name_plural = _("người dùng Zalo")
        ordering = ["-last_interaction_at", "-pk"]

    def __str__(self) -> str:
        return self.display_name or self.user_id


class ZaloSubmission(models.Model):
    """A dossier being sent by photos (or a supplement to one): what the citizen chose, the identity
    read from the ID card and where it came from, and, once sent, the dossier."""

    zalo_user = models.ForeignKey(
        ZaloUser, verbose_name=_("người dùng Zalo"), on_delete=models.PROTECT, related_name="submissions"
    )
    kind = models.CharField(
        _("loại"),
        max_length=16,
        choices=SubmissionKind.choices,
        default=SubmissionKind.DOSSIER,
        help_text=_("Nộp mới hay bổ sung."),
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.COLLECTING,
        help_text=_("Đang gửi ảnh, đã nộp hay đã hủy."),
    )
    procedure_version = models.ForeignKey(
        "catalog.ProcedureVersion",
        verbose_name=_("thủ tục"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Phiên bản thủ tục công dân chọn."),
    )
    desk = models.ForeignKey(
        "directory.ReceptionDesk",
        verbose_name=_("nơi nộp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Bộ phận một cửa nhận hồ sơ."),
    )
    unit = models.ForeignKey(
        "directory.AdministrativeUnit",
        verbose_name=_("xã, phường"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Xã, phường xác định cơ quan giải quyết (nơi cư trú hoặc địa bàn), khi thủ tục cần."),
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="zalo_submissions",
        help_text=_("Hồ sơ đã tạo (nộp mới) hoặc được bổ sung."),
    )
    identity = models.JSONField(
        _("thông tin căn cước"),
        default=dict,
        blank=True,
        help_text=_("Số CCCD, họ tên, ngày sinh, giới tính, nơi thường trú, ngày cấp đọc từ ảnh căn cước."),
    )
    identity_source = models.CharField(
        _("nguồn thông tin căn cước"),
        max_length=16,
        choices=IdentitySource.choices,
        blank=True,
        help_text=_("Thông tin người nộp lấy từ đâu."),
    )
    identity_confirmed_at = models.DateTimeField(
        _("công dân xác nhận lúc"), null=True, blank=True, help_text=_("Lúc công dân xác nhận thông tin căn cước.")
    )
    started_at = models.DateTimeField(_("bắt đầu lúc"), help_text=_("Lúc công dân bắt đầu."))
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True, help_text=_("Lúc hồ sơ được nộp."))

    class Meta:
        verbose_name = _("hồ sơ gửi qua Zalo")
        verbose_name_plural = _("hồ sơ gửi qua Zalo")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.zalo_user} {self.get_kind_display()} {self.started_at:%d/%m/%Y %H:%M}"

    @property
    def identity_dates(self) -> dict[str, dt.date | None]:
        """The identity's dates (kept as ISO text) as dates, for display."""
        dates: dict[str, dt.date | None] = {}
        for key in ("date_of_birth", "issued_on"):
            try:
                dates[key] = dt.date.fromisoformat(str((self.identity or {}).get(key) or ""))
            except ValueError:
                dates[key] = None
        return dates


class ZaloPhoto(models.Model):
    """One photo the citizen sent, kept as received (checked and scanned), and which document it is a page of."""

    submission = models.ForeignKey(
        ZaloSubmission, verbose_name=_("lần gửi"), on_delete=models.CASCADE, related_name="photos"
    )
    event = models.OneToOneField(
        ZaloEvent,
        verbose_name=_("sự kiện Zalo"),
        on_delete=models.PROTECT,
        related_name="photo",
        help_text=_("Tin nhắn ảnh mang ảnh này; một tin chỉ cho một ảnh được lưu."),
    )
    kind = models.CharField(
        _("loại ảnh"),
        max_length=16,
        choices=PhotoKind.choices,
        default=PhotoKind.PAGE,
        help_text=_("Trang giấy tờ hay ảnh căn cước."),
    )
    requirement = models.ForeignKey(
        "catalog.DocumentRequirement",
        verbose_name=_("thành phần hồ sơ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Giấy tờ mà ảnh này là một trang."),
    )
    file = GatedFileField(
        _("tệp ảnh gốc"),
        folder="zalo",
        accepted_types=("jpg", "png"),
        max_length=255,
        help_text=_("Ảnh như công dân gửi, đã kiểm tra loại tệp và quét virus."),
    )
    content_type = models.CharField(_("kiểu tệp"), max_length=64, help_text=_("Kiểu ảnh theo nội dung tệp."))
    size = models.PositiveIntegerField(_("dung lượng (byte)"), help_text=_("Dung lượng ảnh gốc."))
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, help_text=_("Mã băm của ảnh gốc."))
    width = models.PositiveIntegerField(_("rộng (điểm ảnh)"), null=True, blank=True, help_text=_("Chiều rộng ảnh."))
    height = models.PositiveIntegerField(_("cao (điểm ảnh)"), null=True, blank=True, help_text=_("Chiều cao ảnh."))
    occurred_at = models.DateTimeField(_("gửi lúc"), help_text=_("Lúc công dân gửi ảnh (theo Zalo)."))
    received_at = models.DateTimeField(_("nhận lúc"), help_text=_("Lúc hệ thống tải và kiểm tra xong ảnh."))

    class Meta:
        verbose_name = _("ảnh gửi qua Zalo")
        verbose_name_plural = _("ảnh gửi qua Zalo")
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%d/%m/%Y %H:%M:%S}"


class ZaloMessage(models.Model):
    """One line of the conversation, either way, as the desk reads it on the dossier's page."""

    zalo_user = models.ForeignKey(
        ZaloUser, verbose_name=_("người dùng Zalo"), on_delete=models.CASCADE, related_name="messages"
    )
    direction = models.CharField(_("chiều"), max_length=8, choices=Direction.choices, help_text=_("Ai gửi."))
    text = models.TextField(_("nội dung"), blank=True, help_text=_("Nội dung tin; ảnh ghi là [Ảnh]."))
    event = models.ForeignKey(
        ZaloEvent,
        verbose_name=_("sự kiện Zalo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Sự kiện mang tin của công dân."),
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Hồ sơ tin nhắn nói về."),
    )
    submission = models.ForeignKey(
        ZaloSubmission,
        verbose_name=_("lần gửi"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
        help_text=_("Lần gửi hồ sơ đang diễn ra khi có tin."),
    )
    zalo_message_id = models.CharField(
        _("mã tin Zalo"), max_length=64, blank=True, help_text=_("Mã Zalo trả về khi OA gửi tin.")
    )
    at = models.DateTimeField(_("lúc"), db_index=True, help_text=_("Lúc gửi hoặc nhận."))

    class Meta:
        verbose_name = _("tin nhắn Zalo")
        verbose_name_plural = _("tin nhắn Zalo")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.text[:50]}"


#: What a ZNS parameter may be filled with: the notice's template variables (notifications.rendering:
#: the dossier's and the event's); a dotted path reads further (`receiving_desk.phone`).
ZNS_VARIABLES = (
    "code",
    "applicant_name",
    "procedure_name",
    "due_at",
    "original_due_at",
    "new_due_at",
    "previous_due_at",
    "submitted_at",
    "dossier_url",
    "applicant_url",
    "site_url",
    "issuer_name",
    "receiving_desk",
    "receiving_desk_address",
    "agency",
    "dossier",
    "amount",
    "order",
    "receipt",
    "reason",
    "comment",
    "items",
    "document_number",
)
_PARAM_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*=\s*([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*)\s*$")


def zns_params_parse(text: str) -> dict[str, str]:
    """ "param=variable" lines → {param: variable}; ValidationError naming each bad line."""
    mapping: dict[str, str] = {}
    errors: list[str] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        matched = _PARAM_LINE.match(line)
        if matched is None:
            errors.append(
                _("Dòng %(number)s “%(line)s” không đúng dạng tên_tham_số=biến.") % {"number": number, "line": line}
            )
            continue
        param, variable = matched.groups()
        if variable.split(".")[0] not in ZNS_VARIABLES:
            errors.append(
                _("Dòng %(number)s: không có biến “%(variable)s”.") % {"number": number, "variable": variable}
            )
        elif param in mapping:
            errors.append(_("Dòng %(number)s: tham số “%(param)s” lặp lại.") % {"number": number, "param": param})
        else:
            mapping[param] = variable
    if errors:
        raise ValidationError({"params": errors})
    return mapping


def _citizen_notice_choices() -> list[tuple[str, str]]:
    return [(key, TemplateKey(key).label) for key in CITIZEN_DOSSIER_KEYS]


class ZnsTemplate(models.Model):
    """A ZNS template Zalo approved for one notice type, and how its parameters are filled.

    The zalo channel sends it when the citizen is outside the consultation window (or Zalo refuses the
    consultation text); a notice type without an active one falls back to SMS."""

    key = models.CharField(
        _("loại thông báo"),
        max_length=64,
        unique=True,
        choices=_citizen_notice_choices(),
        help_text=_("Thông báo gửi cho người nộp mà mẫu ZNS này thay thế; mỗi loại một mẫu."),
    )
    template_id = models.CharField(
        _("mã mẫu ZNS"), max_length=32, help_text=_("Mã mẫu (template_id) Zalo cấp khi duyệt mẫu ZNS.")
    )
    params = models.TextField(
        _("tham số"),
        blank=True,
        help_text=_(
            "Mỗi dòng một tham số của mẫu ZNS theo dạng tên_tham_số=biến, ví dụ ma_ho_so=code. Biến dùng được: "
            "code, applicant_name, procedure_name, due_at, original_due_at, new_due_at, previous_due_at, "
            "submitted_at, dossier_url, applicant_url, site_url, issuer_name, receiving_desk_address, amount, "
            "order, receipt, reason, comment, items, document_number; receiving_desk.name, agency.name, "
            "dossier.… đọc sâu hơn."
        ),
    )
    active = models.BooleanField(
        _("đang dùng"), default=True, help_text=_("Bỏ chọn: thông báo loại này ngoài thời hạn tư vấn đi bằng SMS.")
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True, help_text=_("Lần sửa gần nhất."))

    class Meta:
        verbose_name = _("mẫu ZNS")
        verbose_name_plural = _("mẫu ZNS")
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.get_key_display()} (ZNS {self.template_id})"

    def save(self, *args, **kwargs) -> None:
        # Validated on every save, not only in the desk's form: a bad line must never reach a send.
        zns_params_parse(self.params)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        zns_params_parse(self.params)

    def template_data(self, context: dict[str, Any]) -> dict[str, str]:
        """The parameters filled from a notice's template context; a missing variable gives ""."""
        data = {}
        for param, variable in zns_params_parse(self.params).items():
            try:
                value = Variable(variable).resolve(context)
            except VariableDoesNotExist:
                value = ""
            data[param] = "" if value is None else str(value)
        return data


class OaSettings(OaToken):
    """The desk's "Cài đặt Zalo OA" page (admin.OaSettingsAdmin): read-only, administrators only."""

    class Meta:
        proxy = True
        verbose_name = _("cài đặt Zalo OA")
        verbose_name_plural = _("cài đặt Zalo OA")
        default_permissions = ("view",)
