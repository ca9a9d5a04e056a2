"""The task outbox: work for a worker, written as a row in the transaction that calls for it.

A subscriber that needs a worker (print a form, later: push to the national portal) writes a
`Task` in the caller's transaction, so the work exists exactly when the event does. After
commit the row is handed to RQ; if Redis is down then, nothing is lost and the request does not
fail: the dispatcher (core/cron.py, every minute) hands over every due row that no job carries,
and re-hands rows whose worker died mid-run once their lease expires. A run claims its row
first, so a task handed over twice runs once. The notifications outbox (`notifications.Message`)
works the same way for messages.

`AppliedPatch` records the data patches (patches/NNNN_slug.py) applied to this database by
`manage.py apply_patches` (core/patches.py).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import TaskStatus


class Task(models.Model):
    func = models.CharField(
        _("công việc"), max_length=200, help_text=_("Đường dẫn hàm thực hiện, ví dụ onestop_tayninh.printing.jobs…")
    )
    kwargs = models.JSONField(_("tham số"), default=dict, blank=True, help_text=_("Tham số truyền cho hàm."))
    queue = models.CharField(_("hàng đợi"), max_length=32, default="default", help_text=_("Hàng đợi RQ chạy việc."))
    dedupe_key = models.CharField(
        _("khóa chống trùng"),
        max_length=191,
        unique=True,
        help_text=_("Cùng một việc cho cùng một sự kiện chỉ được ghi một lần."),
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=TaskStatus.choices,
        default=TaskStatus.QUEUED,
        help_text=_("Đang chờ, đang chạy, đã xong hay thất bại."),
    )
    attempts = models.PositiveSmallIntegerField(_("số lần chạy"), default=0, help_text=_("Số lần đã chạy."))
    next_attempt_at = models.DateTimeField(_("chạy lúc"), help_text=_("Thời điểm sớm nhất được chạy (lần sau)."))
    dispatched_at = models.DateTimeField(
        _("giao cho hàng đợi lúc"), null=True, blank=True, help_text=_("Lần gần nhất giao cho hàng đợi RQ.")
    )
    claimed_by = models.CharField(
        _("tiến trình nhận"), max_length=100, blank=True, help_text=_("Tiến trình đang chạy việc.")
    )
    claimed_at = models.DateTimeField(_("nhận lúc"), null=True, blank=True, help_text=_("Lúc tiến trình nhận việc."))
    last_error = models.TextField(_("lỗi gần nhất"), blank=True, help_text=_("Lý do lần chạy gần nhất không được."))
    created_at = models.DateTimeField(_("tạo lúc"), help_text=_("Lúc sự kiện tạo ra việc."))
    finished_at = models.DateTimeField(
        _("xong lúc"), null=True, blank=True, help_text=_("Lúc việc xong hoặc thất bại.")
    )

    class Meta:
        verbose_name = _("tác vụ nền")
        verbose_name_plural = _("tác vụ nền")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="core_task_due")]

    def __str__(self) -> str:
        return f"{self.func.rsplit('.', 1)[-1]} #{self.pk}"


class AppliedPatch(models.Model):
    """A data patch applied to this database: written by the runner in the patch's own transaction, so a
    patch is recorded exactly when its changes are kept. Read-only in the desk."""

    number = models.PositiveIntegerField(
        _("số"), unique=True, help_text=_("Số thứ tự của bản vá (bốn chữ số trong tên tệp); không bao giờ dùng lại.")
    )
    name = models.CharField(
        _("tên"),
        max_length=100,
        unique=True,
        help_text=_("Tên tệp bản vá không có đuôi .py, ví dụ 0001_sua_ma_thu_tuc."),
    )
    applied_at = models.DateTimeField(_("áp dụng lúc"), help_text=_("Lúc bản vá được áp dụng xong."))
    summary = models.TextField(
        _("kết quả"), blank=True, help_text=_("Tóm tắt bản vá trả về: những gì đã được thay đổi.")
    )
    duration_ms = models.PositiveIntegerField(
        _("thời gian chạy (mili giây)"), help_text=_("Thời gian chạy bản vá, không tính lúc chờ khóa.")
    )
    applied_by = models.CharField(
        _("người chạy"), max_length=150, help_text=_("Tài khoản hệ điều hành đã chạy lệnh apply_patches.")
    )
    host = models.CharField(_("máy chủ"), max_length=255, help_text=_("Tên máy chủ đã chạy lệnh apply_patches."))
    checksum = models.CharField(
        _("mã kiểm tra"),
        max_length=64,
        help_text=_("SHA-256 của tệp bản vá lúc áp dụng; bản vá đã áp dụng không được sửa, chỉ viết bản vá mới."),
    )

    class Meta:
        verbose_name = _("bản vá dữ liệu")
        verbose_name_plural = _("bản vá dữ liệu")
        ordering = ["number"]

    def __str__(self) -> str:
        return self.name


class ReplicaHeartbeat(models.Model):
    """One row the primary stamps every second (a MariaDB EVENT, migration 0003); its age read on
    the replica is how far the replica lags (core.dbrouting)."""

    beat = models.DateTimeField(_("nhịp lúc"), help_text=_("Lần gần nhất máy chủ chính ghi nhịp (UTC)."))

    class Meta:
        verbose_name = _("nhịp sao chép cơ sở dữ liệu")
        verbose_name_plural = _("nhịp sao chép cơ sở dữ liệu")

    def __str__(self) -> str:
        return f"{self.beat:%Y-%m-%d %H:%M:%S}"
