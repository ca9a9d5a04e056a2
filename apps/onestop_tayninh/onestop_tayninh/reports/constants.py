"""The evaluation's vocabulary: a dossier's outcome and the measures the daily figures keep."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    """Where a received dossier stands for the timeliness indicators (docs/domain.md §9)."""

    OPEN = "open", _("Đang giải quyết")
    EARLY = "early", _("Giải quyết trước hạn")
    ON_TIME = "on_time", _("Giải quyết đúng hạn")
    LATE = "late", _("Giải quyết quá hạn")
    #: Withdrawn after receipt: closed, but neither resolved on time nor late.
    WITHDRAWN = "withdrawn", _("Công dân rút hồ sơ")


#: Outcomes of a resolved dossier (a result or a refusal was issued).
RESOLVED = (Outcome.EARLY, Outcome.ON_TIME, Outcome.LATE)

#: The measures each daily (and monthly) row keeps, each counted on one day of the dossier's life:
#: - on the day it was received: received, received_online (on the portal or Zalo), digitised, reused, with_fees,
#:   paid_online, synced (the National Public Service Portal has its latest state, indicator 1.4);
#: - on the day it was closed: closed (every closing), early, on_time, late, withdrawn, the sums of
#:   processing time and of the legal time, e_results, dissatisfied, rated, index_points, index_max;
#: - late_opened on the day an open dossier became late, late_closed on the day such a dossier closed,
#:   so that the dossiers open and late at the end of any day are running sums (reports.rollups).
MEASURES: tuple[str, ...] = (
    "received",
    "received_online",
    "digitised",
    "reused",
    "with_fees",
    "paid_online",
    "synced",
    "closed",
    "early",
    "on_time",
    "late",
    "withdrawn",
    "working_seconds",
    "elapsed_seconds",
    "legal_seconds",
    "e_results",
    "dissatisfied",
    "rated",
    "index_points",
    "index_max",
    "late_opened",
    "late_closed",
)

#: The running measures: what is open (received − closed) and open late (late_opened − late_closed).
RUNNING = ("received", "closed", "late_opened", "late_closed")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Tháng")
    QUARTER = "quarter", _("Quý")
    YEAR = "year", _("Năm")
    RANGE = "range", _("Khoảng ngày")


class UnitKind(models.TextChoices):
    """What an indicator is computed for."""

    PROVINCE = "province", _("Toàn tỉnh")
    AGENCY = "agency", _("Cơ quan")
    DESK = "desk", _("Bộ phận một cửa")
    PROCEDURE = "procedure", _("Thủ tục")
    SECTOR = "sector", _("Lĩnh vực")
    OFFICIAL = "official", _("Cán bộ, công chức")


# --- the periodic statistical report (reports.statistics) ---------------------------------------


class ReportFormat(models.TextChoices):
    PDF = "pdf", _("PDF (A4 ngang, để in và ký)")
    XLSX = "xlsx", _("Excel (XLSX)")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ lập")
    RUNNING = "running", _("Đang lập")
    DONE = "done", _("Đã xong")
    FAILED = "failed", _("Không lập được")


#: A report of a body or a desk for up to a quarter is made while the official waits (a few hundred
#: milliseconds); the province's, or a longer period's, by a worker.
STATISTICS_INLINE_MAX_DAYS = 92
#: Reports an official asked a worker for are kept this long; the scheduled ones are the archive and stay.
STATISTICS_KEEP_DAYS = 30
#: Queued or "being made" this long after the request, a report lost its job (a worker killed mid-way;
#: RQ stops a job after 10 minutes): it is marked failed, and the official may ask again.
STATISTICS_STALE_MINUTES = 20
