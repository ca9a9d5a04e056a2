from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import AccountKind


class User(AbstractUser):
    """One login table for officials and citizens; `kind` keeps them apart.

    Officials get a `directory.Official` profile (agency, desks, position);
    citizens get their own profile in the portal.
    """

    kind = models.CharField(
        _("loại tài khoản"),
        max_length=16,
        choices=AccountKind.choices,
        default=AccountKind.OFFICIAL,
        help_text=_("Cán bộ làm việc trên bàn làm việc; công dân dùng cổng dịch vụ công."),
    )
    full_name = models.CharField(
        _("họ và tên"), max_length=150, blank=True, help_text=_("Họ tên đầy đủ, có dấu, ví dụ Nguyễn Thị Lan.")
    )
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True, help_text=_("Số điện thoại liên hệ."))

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name()

    def get_short_name(self) -> str:
        return self.full_name or self.username

    @property
    def is_official(self) -> bool:
        return self.kind == AccountKind.OFFICIAL

    def access_scope(self) -> str:
        """The widest row-level scope among this user's roles (see core.rowlevel)."""
        from onestop_tayninh.directory.selectors import user_access_scope

        return user_access_scope(self)
