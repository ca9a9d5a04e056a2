"""The audit trail: one append-only table for data changes and security or workflow events.

Rows are only ever inserted. save() refuses updates, delete() and the QuerySet's
update()/delete() refuse, the desk shows the table read-only, and a database trigger
(migration 0002) refuses UPDATE and DELETE even from raw SQL.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .query import AuditEventQuerySet


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit event."""


class AuditEvent(models.Model):
    at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True, help_text=_("Lúc sự kiện xảy ra."))
    # No database constraint and DO_NOTHING: deleting a user or a content type must never touch
    # (and so never be blocked by) the append-only rows; actor_repr keeps the name readable.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Tài khoản thực hiện; trống với hệ thống hoặc người chưa đăng nhập."),
    )
    actor_repr = models.CharField(
        _("tên người thực hiện"), max_length=150, blank=True, help_text=_("Tên đăng nhập tại thời điểm ghi.")
    )
    action = models.CharField(
        _("hành động"), max_length=64, db_index=True, help_text=_("Ví dụ create, update, login_failed, export.")
    )
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("loại đối tượng"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Loại bản ghi bị tác động."),
    )
    object_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True, help_text=_("Khóa chính của bản ghi."))
    object_repr = models.CharField(
        _("đối tượng"), max_length=255, blank=True, help_text=_("Tên bản ghi tại thời điểm ghi.")
    )
    data = models.JSONField(
        _("chi tiết"),
        default=dict,
        blank=True,
        encoder=DjangoJSONEncoder,
        help_text=_("Giá trị trước/sau khi sửa, hoặc chi tiết của sự kiện."),
    )
    ip_address = models.GenericIPAddressField(
        _("địa chỉ IP"), null=True, blank=True, help_text=_("Địa chỉ máy khách gửi yêu cầu.")
    )
    path = models.CharField(_("đường dẫn"), max_length=255, blank=True, help_text=_("Đường dẫn của yêu cầu."))

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhật ký kiểm toán")
        verbose_name_plural = _("nhật ký kiểm toán")
        ordering = ["-at", "-id"]
        # Only "view" exists: nobody, not even a superuser through the desk, may add, change or delete.
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="security_audit_target_idx"),
            models.Index(fields=["actor", "at"], name="security_audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_repr or '-'} {self.action} {self.object_repr}".strip()

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit events are append-only: an existing row cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are append-only: a row cannot be deleted.")
