"""The national sync's rows: the outbox of dossier changes for the National Public Service Portal
(DVCQG), and the catalogue changes the National Database on Administrative Procedures published.

A `SyncMessage` is written by a subscriber of every dossier event, in the event's transaction, so a
change exists for the national portal exactly when it exists here. Messages are numbered per
dossier (`seq`) and pushed in that order: the next of a dossier waits until the last is accepted.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import ChangeStatus, SyncStatus


class SyncMessage(models.Model):
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Hồ sơ có thay đổi cần đồng bộ."),
    )
    event = models.OneToOneField(
        "dossiers.DossierEvent",
        verbose_name=_("sự kiện"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Thay đổi của hồ sơ mà tin này gửi đi; mỗi sự kiện một tin."),
    )
    seq = models.PositiveIntegerField(
        _("số thứ tự trong hồ sơ"), help_text=_("Tin thứ mấy của hồ sơ; gửi lần lượt, tin sau chờ tin trước được nhận.")
    )
    message_id = models.UUIDField(
        _("mã tin"),
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=_("Cổng quốc gia dựa vào mã này để không ghi một tin hai lần khi tin được gửi lại."),
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=SyncStatus.choices,
        default=SyncStatus.PENDING,
        help_text=_("Chờ gửi, Cổng quốc gia đã nhận hoặc từ chối."),
    )
    payload = models.JSONField(
        _("nội dung tin"),
        default=dict,
        blank=True,
        help_text=_("Các trường theo định dạng của Cổng quốc gia, lập khi giao dịch của thay đổi hoàn tất."),
    )
    mapped_at = models.DateTimeField(
        _("lập nội dung lúc"), null=True, blank=True, help_text=_("Lúc lập nội dung tin từ hồ sơ.")
    )
    attempts = models.PositiveIntegerField(_("số lần gửi"), default=0, help_text=_("Số lần đã gửi tin này."))
    next_attempt_at = models.DateTimeField(_("gửi lúc"), help_text=_("Thời điểm sớm nhất được gửi (lần sau)."))
    last_attempt_at = models.DateTimeField(
        _("gửi gần nhất lúc"), null=True, blank=True, help_text=_("Lần gửi gần nhất.")
    )
    last_error = models.CharField(
        _("lỗi kết nối gần nhất"),
        max_length=500,
        blank=True,
        help_text=_("Vì sao lần gửi gần nhất không tới được Cổng quốc gia (quá thời gian chờ, Cổng ngừng…)."),
    )
    error_code = models.CharField(
        _("mã lỗi của Cổng quốc gia"), max_length=32, blank=True, help_text=_("Mã lỗi khi Cổng quốc gia từ chối tin.")
    )
    error_reason = models.CharField(
        _("lý do từ chối"), max_length=1000, blank=True, help_text=_("Lý do Cổng quốc gia nêu khi từ chối tin.")
    )
    created_at = models.DateTimeField(_("tạo lúc"), help_text=_("Lúc thay đổi của hồ sơ được ghi."))
    accepted_at = models.DateTimeField(
        _("được nhận lúc"), null=True, blank=True, help_text=_("Lúc Cổng quốc gia xác nhận đã nhận tin.")
    )
    rejected_at = models.DateTimeField(
        _("bị từ chối lúc"), null=True, blank=True, help_text=_("Lúc Cổng quốc gia từ chối tin.")
    )
    resent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người gửi lại"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Quản trị viên gửi lại tin sau khi sửa dữ liệu."),
    )
    resent_at = models.DateTimeField(_("gửi lại lúc"), null=True, blank=True, help_text=_("Lúc gửi lại tin."))

    class Meta:
        verbose_name = _("tin đồng bộ Cổng quốc gia")
        verbose_name_plural = _("tin đồng bộ Cổng quốc gia")
        constraints = [models.UniqueConstraint(fields=["dossier", "seq"], name="national_message_seq")]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="national_message_due"),
            # The evaluation's facts follow the latest pushes (reports.services.facts_sync_refresh).
            models.Index(fields=["last_attempt_at"], name="national_message_attempted"),
        ]
        ordering = ["dossier_id", "seq"]
        permissions = [("resend_syncmessage", _("Gửi lại tin đồng bộ bị Cổng quốc gia từ chối"))]

    def __str__(self) -> str:
        return f"{self.payload.get('MaHoSo') or self.dossier_id} #{self.seq}"


class FeedCursor(models.Model):
    """How far a feed of the national side has been read (the catalogue changes)."""

    name = models.CharField(_("nguồn"), max_length=64, unique=True, help_text=_("Tên nguồn tin được đọc."))
    position = models.PositiveBigIntegerField(
        _("vị trí đã đọc"), default=0, help_text=_("Con trỏ của tin cuối đã đọc.")
    )
    read_at = models.DateTimeField(_("đọc lúc"), null=True, blank=True, help_text=_("Lần đọc gần nhất."))

    class Meta:
        verbose_name = _("con trỏ nguồn tin quốc gia")
        verbose_name_plural = _("con trỏ nguồn tin quốc gia")

    def __str__(self) -> str:
        return f"{self.name}: {self.position}"


class ProcedureChange(models.Model):
    """A change of a procedure the national database published, flagged for an administrator."""

    cursor = models.PositiveBigIntegerField(
        _("số tin trên nguồn"),
        unique=True,
        help_text=_("Vị trí của thay đổi trong nguồn tin quốc gia; đọc lại không ghi thêm."),
    )
    national_code = models.CharField(
        _("mã thủ tục quốc gia"), max_length=40, db_index=True, help_text=_("Mã thủ tục trên Cơ sở dữ liệu quốc gia.")
    )
    procedure = models.ForeignKey(
        "catalog.Procedure",
        verbose_name=_("thủ tục"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Thủ tục của danh mục có mã này; trống khi danh mục chưa có."),
    )
    national_data = models.JSONField(
        _("nội dung quốc gia"), default=dict, help_text=_("Các trường thủ tục như Cơ sở dữ liệu quốc gia công bố.")
    )
    differences = models.JSONField(
        _("khác biệt"),
        default=list,
        blank=True,
        help_text=_("Các trường khác với phiên bản đang công bố: tên trường, giá trị của ta, giá trị quốc gia."),
    )
    decided_on = models.DateField(
        _("ngày quyết định công bố"),
        null=True,
        blank=True,
        help_text=_("Ngày quyết định công bố thủ tục ở trung ương."),
    )
    flagged_at = models.DateTimeField(_("phát hiện lúc"), help_text=_("Lúc hệ thống phát hiện thay đổi."))
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=ChangeStatus.choices,
        default=ChangeStatus.FLAGGED,
        help_text=_("Chờ xem xét, đã công bố phiên bản mới, hoặc không áp dụng."),
    )
    draft = models.ForeignKey(
        "catalog.ProcedureVersion",
        verbose_name=_("phiên bản mới"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Bản nháp lập từ thay đổi này, rồi được công bố."),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xem xét"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Quản trị viên xử lý thay đổi."),
    )
    reviewed_at = models.DateTimeField(_("xử lý lúc"), null=True, blank=True, help_text=_("Lúc công bố hoặc bỏ qua."))
    note = models.CharField(_("ghi chú"), max_length=500, blank=True, help_text=_("Lý do không áp dụng, nếu có."))

    class Meta:
        verbose_name = _("thay đổi thủ tục từ CSDL quốc gia")
        verbose_name_plural = _("thay đổi thủ tục từ CSDL quốc gia")
        ordering = ["-flagged_at", "-pk"]
        permissions = [("review_procedurechange", _("Công bố hoặc bỏ qua thay đổi thủ tục từ CSDL quốc gia"))]

    def __str__(self) -> str:
        return f"{self.national_code} ({self.flagged_at:%d/%m/%Y})"
