"""Announced changes to the working calendar, edited in the desk or loaded from `sites/<name>/holidays.yaml`.

The `holidays` package knows the statutory holidays and the swaps announced up to its
release; each year the government announces new ones (make-up working Saturdays, extra days
off), and this table records them so the calendar follows without a new release.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import OverrideKind


class CalendarOverride(models.Model):
    date = models.DateField(
        _("ngày"),
        unique=True,
        help_text=_("Ngày được cho nghỉ thêm hoặc phải đi làm bù."),
        error_messages={"unique": _("Ngày này đã có trong danh sách điều chỉnh lịch.")},
    )
    kind = models.CharField(
        _("loại điều chỉnh"),
        max_length=16,
        choices=OverrideKind.choices,
        help_text=_("Ngày nghỉ: không tính vào thời hạn. Ngày làm việc bù: tính như ngày làm việc, kể cả thứ Bảy."),
    )
    name = models.CharField(
        _("tên"),
        max_length=150,
        help_text=_("Tên hiển thị, ví dụ Nghỉ bù Tết Nguyên đán hoặc Làm bù cho thứ Hai 31/8."),
    )
    note = models.TextField(
        _("ghi chú"),
        blank=True,
        help_text=_("Căn cứ: số, ngày của văn bản thông báo (ví dụ Thông báo của Bộ Nội vụ)."),
    )

    class Meta:
        verbose_name = _("điều chỉnh lịch làm việc")
        verbose_name_plural = _("điều chỉnh lịch làm việc")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} – {self.name}"

    def clean(self) -> None:
        # Refuse entries that change nothing: usually a date typed one day off.
        if self.date is None or not self.kind:
            return
        from .selectors import package_calendar

        package = package_calendar((self.date.year,))
        weekend = self.date.weekday() >= 5
        if self.kind == OverrideKind.DAY_OFF and weekend and self.date not in package.extra_working_days:
            raise ValidationError({"date": _("Ngày này vốn là ngày nghỉ cuối tuần; không cần khai báo ngày nghỉ.")})
        if self.kind == OverrideKind.WORKING_DAY and not weekend and self.date not in package.days_off:
            raise ValidationError(
                {"date": _("Ngày này vốn là ngày làm việc; chỉ khai báo làm bù cho thứ Bảy, Chủ nhật hoặc ngày lễ.")}
            )
