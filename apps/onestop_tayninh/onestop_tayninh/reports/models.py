"""The evaluation's stored figures: one fact per received dossier, and the daily and monthly sums of
the facts by (body, desk, procedure, channel) that dashboards, indicators and reports read.

A fact is derived from the dossier and what happened to it (reports.facts) whenever a dossier event
commits; the sums follow each fact's change in the same transaction (reports.rollups). Nothing else
writes them, and `manage.py recompute_indicators` rebuilds all three from the dossiers, to the same
numbers. Keys that are missing are 0, not NULL, so that the composite keys match (as in dossiers.tallies).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.catalog.constants import Channel
from onestop_tayninh.core.rowlevel import AgencyScopedQuerySet
from onestop_tayninh.security.uploads import GeneratedFileField

from .constants import Outcome, PeriodKind, ReportStatus, UnitKind
from .periods import Period


class DossierFact(models.Model):
    """What the indicators need to know of one received dossier, in one row."""

    dossier = models.OneToOneField(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        help_text=_("Hồ sơ đã tiếp nhận."),
    )
    agency_id = models.PositiveIntegerField(_("cơ quan giải quyết"), help_text=_("Cơ quan có thẩm quyền giải quyết."))
    desk_id = models.PositiveIntegerField(
        _("bộ phận tiếp nhận"), help_text=_("Bộ phận một cửa đã tiếp nhận; 0 khi không có.")
    )
    procedure_id = models.PositiveIntegerField(_("thủ tục"), help_text=_("Thủ tục hành chính."))
    channel = models.CharField(_("kênh nộp"), max_length=16, choices=Channel.choices, help_text=_("Cách hồ sơ đến."))
    official_id = models.PositiveIntegerField(
        _("cán bộ xử lý"), default=0, help_text=_("Tài khoản của chuyên viên được phân công xử lý; 0 khi chưa có.")
    )
    state_id = models.PositiveIntegerField(
        _("bước xử lý"), default=0, help_text=_("Bước của quy trình hồ sơ đang ở (hồ sơ chưa xong: tồn theo bước).")
    )
    received_on = models.DateField(_("ngày tiếp nhận"), help_text=_("Ngày tiếp nhận, giờ Việt Nam."))
    closed_on = models.DateField(
        _("ngày kết thúc"), null=True, blank=True, help_text=_("Ngày trả kết quả, từ chối, dừng hoặc rút hồ sơ.")
    )
    late_on = models.DateField(
        _("trễ hạn từ ngày"),
        null=True,
        blank=True,
        help_text=_("Ngày hồ sơ chưa xong bắt đầu bị tính là trễ hạn; trống khi chưa bao giờ trễ."),
    )
    outcome = models.CharField(
        _("kết quả"), max_length=16, choices=Outcome.choices, help_text=_("Trước, đúng hay quá hạn.")
    )
    working_seconds = models.BigIntegerField(
        _("thời gian giải quyết (giây làm việc)"),
        default=0,
        help_text=_("Giờ hành chính từ khi tiếp nhận đến khi xong, trừ thời gian chờ bổ sung."),
    )
    elapsed_seconds = models.BigIntegerField(
        _("thời gian giải quyết (giây)"), default=0, help_text=_("Thời gian thực từ khi tiếp nhận đến khi xong.")
    )
    legal_seconds = models.BigIntegerField(
        _("thời gian theo quy định (giây làm việc)"),
        default=0,
        help_text=_("Thời hạn giải quyết của thủ tục, quy ra giờ hành chính."),
    )
    digitised = models.BooleanField(
        _("đã số hóa"), default=False, help_text=_("Thành phần hồ sơ và kết quả đều có bản điện tử.")
    )
    reused = models.BooleanField(
        _("tái sử dụng dữ liệu"), default=False, help_text=_("Có ít nhất một thành phần lấy lại từ kho dữ liệu.")
    )
    with_fees = models.BooleanField(_("có phí, lệ phí"), default=False, help_text=_("Hồ sơ phải nộp phí, lệ phí."))
    paid_online = models.BooleanField(
        _("thanh toán trực tuyến"), default=False, help_text=_("Đã nộp phí, lệ phí trực tuyến.")
    )
    synced = models.BooleanField(
        _("đã đồng bộ"),
        default=False,
        help_text=_("Cổng Dịch vụ công quốc gia đã nhận trạng thái mới nhất của hồ sơ (chỉ số 1.4)."),
    )
    e_result = models.BooleanField(_("kết quả điện tử"), default=False, help_text=_("Có kết quả bản điện tử."))
    dissatisfied = models.BooleanField(
        _("không hài lòng"), default=False, help_text=_("Công dân đánh giá không hài lòng hoặc có phản ánh về hồ sơ.")
    )
    rated = models.BooleanField(_("đã đánh giá"), default=False, help_text=_("Công dân đã đánh giá mức độ hài lòng."))
    index_points = models.PositiveSmallIntegerField(
        _("điểm chỉ số đánh giá"),
        default=0,
        help_text=_("Tổng điểm 2 / 1 / 0 các chỉ số của Thông tư 01/2018 (điều 13)."),
    )
    index_max = models.PositiveSmallIntegerField(
        _("điểm tối đa"), default=0, help_text=_("Điểm tối đa của các chỉ số đã chấm cho hồ sơ.")
    )

    class Meta:
        verbose_name = _("dữ liệu đánh giá của hồ sơ")
        verbose_name_plural = _("dữ liệu đánh giá của hồ sơ")
        # The app's permissions hang on its one model people's roles are about.
        permissions = [
            ("view_dashboard", _("Xem bảng điều hành và chỉ số đánh giá của cơ quan, đơn vị")),
            ("send_urging", _("Gửi đôn đốc xử lý hồ sơ trễ hạn")),
            ("view_statistics", _("Lập báo cáo thống kê định kỳ về giải quyết thủ tục")),
        ]
        indexes = [
            # An official's own figures, and a body's list of the officials it counts.
            models.Index(fields=["official_id", "closed_on"], name="fact_official_closed_idx"),
            models.Index(fields=["official_id", "received_on"], name="fact_official_received_idx"),
            models.Index(fields=["agency_id", "official_id"], name="fact_agency_official_idx"),
            # The backlog: open dossiers by step and age, read from the index alone.
            models.Index(fields=["closed_on", "agency_id", "state_id", "received_on"], name="fact_backlog_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.get_outcome_display()}"


def _measure_fields() -> dict[str, models.Field]:
    from .constants import MEASURES

    return {name: models.BigIntegerField(name, default=0) for name in MEASURES}


class RollupBase(models.Model):
    agency_id = models.PositiveIntegerField(_("cơ quan giải quyết"))
    desk_id = models.PositiveIntegerField(_("bộ phận tiếp nhận"))
    procedure_id = models.PositiveIntegerField(_("thủ tục"))
    channel = models.CharField(_("kênh nộp"), max_length=16)

    class Meta:
        abstract = True


for _name, _field in _measure_fields().items():
    RollupBase.add_to_class(_name, _field)


class DailyRollup(RollupBase):
    """The facts' measures of one day, by (body, desk, procedure, channel): clustered by day."""

    pk = models.CompositePrimaryKey("day", "agency_id", "desk_id", "procedure_id", "channel")
    day = models.DateField(_("ngày"))

    class Meta:
        verbose_name = _("số liệu theo ngày")
        verbose_name_plural = _("số liệu theo ngày")

    def __str__(self) -> str:
        return f"{self.day}: {self.agency_id}/{self.desk_id}/{self.procedure_id}/{self.channel}"


class MonthlyRollup(RollupBase):
    """The same sums by month (`month` is the month's first day): a year is twelve rows per key."""

    pk = models.CompositePrimaryKey("month", "agency_id", "desk_id", "procedure_id", "channel")
    month = models.DateField(_("tháng"))

    class Meta:
        verbose_name = _("số liệu theo tháng")
        verbose_name_plural = _("số liệu theo tháng")

    def __str__(self) -> str:
        return f"{self.month:%m/%Y}: {self.agency_id}/{self.desk_id}/{self.procedure_id}/{self.channel}"


class RollupBalance(RollupBase):
    """The running measures summed over all days, by key: what is open (and open late) at the end of any
    day is this minus the days after it (reports.rollups.running_at)."""

    pk = models.CompositePrimaryKey("agency_id", "desk_id", "procedure_id", "channel")

    class Meta:
        verbose_name = _("số dư hồ sơ đang giải quyết")
        verbose_name_plural = _("số dư hồ sơ đang giải quyết")

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.desk_id}/{self.procedure_id}/{self.channel}"


class AgencyMonthlyRollup(models.Model):
    """The monthly sums again by (body, channel) only: what the province's and a body's figures read
    (reports.figures), a tenth of the rows of MonthlyRollup. Kept with the same upserts, rebuilt from
    MonthlyRollup by the recompute."""

    pk = models.CompositePrimaryKey("month", "agency_id", "channel")
    month = models.DateField(_("tháng"))
    agency_id = models.PositiveIntegerField(_("cơ quan giải quyết"))
    channel = models.CharField(_("kênh nộp"), max_length=16)

    class Meta:
        verbose_name = _("số liệu theo tháng của cơ quan")
        verbose_name_plural = _("số liệu theo tháng của cơ quan")

    def __str__(self) -> str:
        return f"{self.month:%m/%Y}: {self.agency_id}/{self.channel}"


for _name, _field in _measure_fields().items():
    AgencyMonthlyRollup.add_to_class(_name, _field)


class RecomputeGuard(models.Model):
    """One row: whether the from-scratch recompute is rewriting the figures. A live refresh reads it
    under a shared lock, so the recompute's switch waits for refreshes under way and every later one
    sees it and queues its dossiers (PendingFact) for the recompute to take at its end."""

    recomputing_since = models.DateTimeField(_("đang tính lại từ"), null=True, blank=True)
    finished_at = models.DateTimeField(_("tính lại xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("trạng thái tính lại số liệu")
        verbose_name_plural = _("trạng thái tính lại số liệu")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class PendingFact(models.Model):
    """A dossier that changed while the recompute ran: derived again when it ends."""

    dossier_id = models.PositiveBigIntegerField(_("hồ sơ"), primary_key=True)

    class Meta:
        verbose_name = _("hồ sơ chờ tính lại")
        verbose_name_plural = _("hồ sơ chờ tính lại")

    def __str__(self) -> str:
        return str(self.dossier_id)


class UrgingStatus(models.TextChoices):
    SENT = "sent", _("Chờ trả lời")
    ANSWERED = "answered", _("Đã trả lời")


class UrgingQuerySet(AgencyScopedQuerySet["Urging"]):
    """Urgings belong to the body urged: its officials see them, and the coordinators above it."""

    agency_lookup = "agency"


class Urging(models.Model):
    """A recorded urging (đôn đốc): a coordinator or a head asks the body, or one official, holding late
    dossiers to finish them, and expects a reply by a date. Part of each dossier's history (its events)
    and of the body's record (this table)."""

    agency = models.ForeignKey(
        "directory.Agency",
        verbose_name=_("cơ quan được đôn đốc"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Cơ quan đang giữ các hồ sơ trễ hạn."),
    )
    official = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ được đôn đốc"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Cán bộ được giao các hồ sơ; trống khi đôn đốc cả cơ quan."),
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đôn đốc"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Lãnh đạo hoặc điều phối viên gửi đôn đốc."),
    )
    sent_at = models.DateTimeField(_("gửi lúc"), help_text=_("Lúc gửi đôn đốc."))
    message = models.TextField(_("nội dung đôn đốc"), max_length=2000, help_text=_("Yêu cầu gửi cơ quan, cán bộ."))
    reply_due_at = models.DateTimeField(_("hạn trả lời"), help_text=_("Hạn báo cáo lại tình hình xử lý."))
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=UrgingStatus.choices,
        default=UrgingStatus.SENT,
        help_text=_("Đã trả lời chưa."),
    )
    reply = models.TextField(
        _("nội dung trả lời"), max_length=2000, blank=True, help_text=_("Báo cáo lại của nơi được đôn đốc.")
    )
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người trả lời"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Cán bộ trả lời đôn đốc."),
    )
    replied_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True, help_text=_("Lúc trả lời."))
    dossiers = models.ManyToManyField(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ trễ hạn"),
        related_name="+",
        help_text=_("Các hồ sơ trễ hạn được đôn đốc."),
    )

    objects = UrgingQuerySet.as_manager()

    class Meta:
        verbose_name = _("đôn đốc xử lý hồ sơ")
        verbose_name_plural = _("đôn đốc xử lý hồ sơ")
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["agency", "sent_at"], name="urging_agency_sent_idx")]

    def __str__(self) -> str:
        return _("Đôn đốc %(agency)s lúc %(at)s") % {"agency": self.agency, "at": f"{self.sent_at:%d/%m/%Y}"}


class StatisticsReport(models.Model):
    """A periodic statistical report (reports.statistics) made by a worker, in PDF and XLSX: on schedule
    (the province and each body, for the month, quarter or year just ended: no one asked, everyone in
    reach may download it), or asked for by an official when too long to wait for (theirs alone)."""

    unit_kind = models.CharField(
        _("loại đơn vị"),
        max_length=16,
        choices=UnitKind.choices,
        help_text=_("Toàn tỉnh, một cơ quan hay một bộ phận."),
    )
    unit_id = models.PositiveIntegerField(
        _("mã đơn vị"), default=0, help_text=_("Mã cơ quan hoặc bộ phận tiếp nhận; 0 với toàn tỉnh.")
    )
    unit_label = models.CharField(_("đơn vị"), max_length=255, help_text=_("Tên đơn vị lúc yêu cầu lập báo cáo."))
    period_kind = models.CharField(
        _("loại kỳ báo cáo"), max_length=16, choices=PeriodKind.choices, help_text=_("Tháng, quý, năm hay khoảng ngày.")
    )
    period_start = models.DateField(_("từ ngày"), help_text=_("Ngày đầu của kỳ báo cáo."))
    period_end = models.DateField(_("đến ngày"), help_text=_("Ngày cuối của kỳ báo cáo."))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người yêu cầu"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="statistics_reports",
        help_text=_("Cán bộ đã yêu cầu lập; trống với báo cáo định kỳ hệ thống tự lập."),
    )
    requested_at = models.DateTimeField(_("yêu cầu lúc"), db_index=True, help_text=_("Thời điểm yêu cầu lập báo cáo."))
    schedule_key = models.CharField(
        _("khóa báo cáo định kỳ"),
        max_length=80,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Đơn vị và kỳ của một báo cáo định kỳ, để mỗi kỳ chỉ lập một lần; trống với báo cáo theo yêu cầu."),
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=ReportStatus.choices,
        default=ReportStatus.QUEUED,
        help_text=_("Đang chờ, đang lập, đã xong hoặc không lập được."),
    )
    pdf_file = GeneratedFileField(
        _("tệp PDF"), upload_to="statistics/%Y/%m/", blank=True, help_text=_("Báo cáo để in, ký và gửi.")
    )
    xlsx_file = GeneratedFileField(
        _("tệp Excel"), upload_to="statistics/%Y/%m/", blank=True, help_text=_("Cùng số liệu, để tổng hợp, tính toán.")
    )
    finished_at = models.DateTimeField(
        _("xong lúc"), null=True, blank=True, help_text=_("Thời điểm báo cáo được lập xong hoặc báo lỗi.")
    )
    error = models.CharField(_("lỗi"), max_length=500, blank=True, help_text=_("Vì sao không lập được báo cáo."))

    class Meta:
        verbose_name = _("báo cáo thống kê đã lập")
        verbose_name_plural = _("báo cáo thống kê đã lập")
        ordering = ["-period_end", "-requested_at", "-pk"]
        indexes = [models.Index(fields=["unit_kind", "unit_id", "period_end"], name="statistics_unit_period_idx")]

    def __str__(self) -> str:
        return f"{self.unit_label}: {self.period.label}"

    @property
    def scheduled(self) -> bool:
        return self.requested_by_id is None

    @property
    def period(self) -> Period:
        return Period(self.period_kind, self.period_start, self.period_end)

    def filename(self, file_format: str) -> str:
        return statistics_filename(self.unit_kind, self.unit_id, self.period, file_format)


def statistics_filename(unit_kind: str, unit_id: int | None, period: Period, file_format: str) -> str:
    """ "bao-cao-tthc-toan-tinh-2027-03.pdf", "bao-cao-tthc-agency-12-2027-q1.xlsx"."""
    unit = "toan-tinh" if unit_kind == UnitKind.PROVINCE else f"{unit_kind}-{unit_id}"
    if period.kind == PeriodKind.MONTH:
        when = f"{period.start:%Y-%m}"
    elif period.kind == PeriodKind.QUARTER:
        when = f"{period.start.year}-q{(period.start.month - 1) // 3 + 1}"
    elif period.kind == PeriodKind.YEAR:
        when = str(period.start.year)
    else:
        when = f"{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    return f"bao-cao-tthc-{unit}-{when}.{file_format}"
