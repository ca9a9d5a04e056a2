"""The printed forms of the one-stop rules (docs/domain.md §6), per legal set."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.dossiers.constants import FormsVersion


class DocumentKind(models.TextChoices):
    RECEIPT = "receipt", _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    SUPPLEMENT_REQUEST = "supplement_request", _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")
    REFUSAL = "refusal", _("Phiếu từ chối tiếp nhận giải quyết hồ sơ")
    REFUSAL_NOTICE = "refusal_notice", _("Thông báo không giải quyết hồ sơ")
    APOLOGY = "apology", _("Phiếu xin lỗi và hẹn lại ngày trả kết quả")
    STOP_NOTICE = "stop_notice", _("Thông báo dừng giải quyết hồ sơ")
    CONTROL_SHEET = "control_sheet", _("Phiếu kiểm soát quá trình giải quyết hồ sơ")


@dataclass(frozen=True)
class FormSpec:
    number: str  # "Mẫu số 01"
    title: str  # printed title (upper-cased by the template)
    short: str  # used in messages: "chưa thể in <short>"


# Circular 01/2018/TT-VPCP and Circular 03/2025/TT-VPCP, Appendix: form numbers and titles.
# The register is not a per-dossier document: see REGISTER_FORM.
FORM_SETS: dict[str, dict[str, FormSpec]] = {
    FormsVersion.CIRCULAR_01_2018: {
        DocumentKind.RECEIPT: FormSpec("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "Giấy tiếp nhận"),
        DocumentKind.SUPPLEMENT_REQUEST: FormSpec(
            "02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "Phiếu yêu cầu bổ sung"
        ),
        DocumentKind.REFUSAL: FormSpec("03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ", "Phiếu từ chối"),
        DocumentKind.APOLOGY: FormSpec("04", "Phiếu xin lỗi và hẹn lại ngày trả kết quả", "Phiếu xin lỗi"),
        DocumentKind.CONTROL_SHEET: FormSpec("05", "Phiếu kiểm soát quá trình giải quyết hồ sơ", "Phiếu kiểm soát"),
    },
    FormsVersion.CIRCULAR_03_2025: {
        DocumentKind.RECEIPT: FormSpec("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "Giấy tiếp nhận"),
        DocumentKind.SUPPLEMENT_REQUEST: FormSpec(
            "02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "Phiếu yêu cầu bổ sung"
        ),
        DocumentKind.REFUSAL: FormSpec("03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ", "Phiếu từ chối"),
        DocumentKind.APOLOGY: FormSpec(
            "04", "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết", "Văn bản xin lỗi"
        ),
        DocumentKind.STOP_NOTICE: FormSpec("05", "Thông báo dừng giải quyết hồ sơ", "Thông báo dừng giải quyết"),
        DocumentKind.CONTROL_SHEET: FormSpec("06", "Phiếu kiểm soát quá trình giải quyết hồ sơ", "Phiếu kiểm soát"),
    },
}
# Documents that are not forms of a circular but are printed the same way, in either set.
# A refusal after appraisal is the competent body's own notice, signed by its head (Decree
# 61/2018: the dossier is returned "kèm theo thông báo bằng văn bản và nêu rõ lý do không giải
# quyết"), not the desk's Form 03, which is for a refusal at receipt.
OTHER_DOCUMENTS: dict[str, FormSpec] = {
    DocumentKind.REFUSAL_NOTICE: FormSpec("", "Thông báo không giải quyết hồ sơ", "Thông báo không giải quyết hồ sơ"),
}
# The symbol after the number of a form the system numbers when it issues it ("Số: 07/YCBS").
OUTGOING_SYMBOLS = {
    DocumentKind.SUPPLEMENT_REQUEST: "YCBS",
    DocumentKind.REFUSAL: "TCGQ",
    DocumentKind.APOLOGY: "XL",
    DocumentKind.STOP_NOTICE: "TB-DGQ",
}
REGISTER_FORM = {FormsVersion.CIRCULAR_01_2018: "06", FormsVersion.CIRCULAR_03_2025: "07"}
CIRCULAR_NAMES = {
    FormsVersion.CIRCULAR_01_2018: "Thông tư số 01/2018/TT-VPCP",
    FormsVersion.CIRCULAR_03_2025: "Thông tư số 03/2025/TT-VPCP",
}


# --- the register as a file ---------------------------------------------------------------------


class RegisterFormat(models.TextChoices):
    PDF = "pdf", _("PDF (A4 ngang)")
    XLSX = "xlsx", _("Excel (XLSX)")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ lập")
    RUNNING = "running", _("Đang lập")
    DONE = "done", _("Đã xong")
    FAILED = "failed", _("Không lập được")


# The register book is kept per year (Sổ theo dõi hồ sơ năm ...): one register covers at most a year.
REGISTER_MAX_DAYS = 366
# A register up to this many rows is made while the official waits (about 1 ms a row, PDF);
# a longer one (a year of a busy desk) is made by a worker and downloaded from its page.
REGISTER_INLINE_MAX_ROWS = 5000
# Registers made by a worker are kept this long, then deleted with their files.
REGISTER_EXPORT_KEEP_DAYS = 7
# A register still waiting or "being made" after this long lost its job (RQ stops a job after
# 10 minutes, settings.RQ_QUEUES): it is marked failed, and the official may ask again.
REGISTER_EXPORT_STALE_MINUTES = 20
