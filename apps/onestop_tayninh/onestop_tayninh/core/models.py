"""The task outbox: work for a worker, written as a row in the transaction that calls for it.

A subscriber that needs a worker (print a form, later: push to the national portal) writes a
`Task` in the caller's transaction, so the work exists exactly when the event does. After
commit the row is handed to RQ; if Redis is down then, nothing is lost and the request does not
fail: the dispatcher (core/cron.py, every minute) hands over every due row that no job carries,
and re-hands rows whose worker died mid-run once their lease expires. A run claims its row
first, so a task handed over twice runs once. The notifications outbox (`notifications.Message`)
works the same way for messages.
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


class ReplicaHeartbeat(models.Model):
    """One row the primary stamps every second (a MariaDB EVENT, migration 0002); its age read on
    the replica is how far the replica lags (core.dbrouting)."""

    beat = models.DateTimeField(_("nhịp lúc"), help_text=_("Lần gần nhất máy chủ chính ghi nhịp (UTC)."))

    class Meta:
        verbose_name = _("nhịp sao chép cơ sở dữ liệu")
        verbose_name_plural = _("nhịp sao chép cơ sở dữ liệu")

    def __str__(self) -> str:
        return f"{self.beat:%Y-%m-%d %H:%M:%S}"
