from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceLevel(models.IntegerChoices):
    """Online public service levels of Decree 43/2011 (the seed)."""

    INFORMATION = 1, _("Mức độ 1: cung cấp thông tin")
    DOWNLOADABLE_FORMS = 2, _("Mức độ 2: tải biểu mẫu")
    ONLINE_SUBMISSION = 3, _("Mức độ 3: nộp hồ sơ trực tuyến")
    ONLINE_PAYMENT = 4, _("Mức độ 4: thanh toán và nhận kết quả trực tuyến")


class OnlineCategory(models.TextChoices):
    """Decree 42/2022 classification: level 4 ≈ full-process, level 3 ≈ partial."""

    FULL_PROCESS = "full_process", _("Dịch vụ công trực tuyến toàn trình")
    PARTIAL = "partial", _("Dịch vụ công trực tuyến một phần")
    INFORMATION_ONLY = "information", _("Chỉ cung cấp thông tin")


# The levels of Decree 43/2011 each class of Decree 42/2022 stands for (docs/domain.md §2): the
# catalogue stores the level, and reads the class from it (ProcedureVersion.online_category).
ONLINE_CATEGORY_LEVELS: dict[str, tuple[int, ...]] = {
    OnlineCategory.FULL_PROCESS: (ServiceLevel.ONLINE_PAYMENT,),
    OnlineCategory.PARTIAL: (ServiceLevel.ONLINE_SUBMISSION,),
    OnlineCategory.INFORMATION_ONLY: (ServiceLevel.INFORMATION, ServiceLevel.DOWNLOADABLE_FORMS),
}


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đang công bố")
    RETIRED = "retired", _("Hết hiệu lực")


class CompetentKind(models.TextChoices):
    """Who decides: one named body, or the People's Committee of a tier over the unit the dossier concerns
    (where the applicant resides, or where the object lies: CompetentBasis)."""

    NAMED_AGENCY = "named_agency", _("Cơ quan được chỉ định")
    APPLICANT_UNIT_COMMITTEE = "applicant_unit_committee", _("UBND theo địa bàn")


class CompetentBasis(models.TextChoices):
    """Which unit fixes the competent People's Committee: never the desk where the dossier was handed in."""

    RESIDENCE = "residence", _("Nơi cư trú của người nộp")
    # Where the thing the procedure is about is: the parcel, the works, the shop, the deceased's last
    # residence. ProcedureVersion.competent_place names it for each procedure.
    OBJECT = "object", _("Nơi có đối tượng của thủ tục (thửa đất, công trình, địa điểm kinh doanh…)")
    # Services any committee gives to anyone (certification): the committee where the dossier is handed in.
    RECEIVING_DESK = "desk", _("Nơi tiếp nhận hồ sơ (ví dụ chứng thực)")


class Channel(models.TextChoices):
    """How a dossier reaches the desk (Dossier.channel), and the ways a procedure accepts dossiers and
    returns results (ProcedureVersion.submission_methods, return_methods): one list for both."""

    DESK = "desk", _("Trực tiếp tại Bộ phận Một cửa")
    POST = "post", _("Qua bưu chính công ích")
    ONLINE = "online", _("Trực tuyến")
    ZALO = "zalo", _("Qua Zalo")
    # A tracked-only procedure's dossier, received by the competent agency itself and entered by
    # its officials (not at a one-stop desk, not online): never counted as an online dossier.
    AGENCY = "agency", _("Trực tiếp tại cơ quan giải quyết")


# The ways a procedure may declare: a dossier may come by Zalo, but no procedure offers it as a method yet;
# AGENCY is how a tracked-only dossier came, not a way a procedure offers.
PROCEDURE_CHANNELS = (Channel.DESK, Channel.POST, Channel.ONLINE)


class RequirementKind(models.TextChoices):
    REQUIRED = "required", _("Bắt buộc")
    OPTIONAL = "optional", _("Không bắt buộc")
    CONDITIONAL = "conditional", _("Bắt buộc khi có điều kiện")


class FileKind(models.TextChoices):
    """Accepted upload types; the type is decided from the content, not the name."""

    PDF = "pdf", "PDF"
    JPEG = "jpg", "JPEG"
    PNG = "png", "PNG"
    DOCX = "docx", "Word (DOCX)"
    XLSX = "xlsx", "Excel (XLSX)"


class FieldType(models.TextChoices):
    TEXT = "text", _("Chữ (một dòng)")
    LONG_TEXT = "long_text", _("Đoạn văn")
    NUMBER = "number", _("Số")
    DATE = "date", _("Ngày")
    CHOICE = "choice", _("Lựa chọn")
    YES_NO = "yes_no", _("Có / Không")
    CCCD = "cccd", _("Số CCCD (12 chữ số)")
    PHONE = "phone", _("Số điện thoại")
    EMAIL = "email", _("Thư điện tử")
    ADDRESS = "address", _("Địa chỉ")
    MONEY = "money", _("Số tiền (đồng)")
    # Added for forms that catch mistakes: whole numbers, years, names, and closed lists.
    INTEGER = "integer", _("Số nguyên (ví dụ số bản sao)")
    YEAR = "year", _("Năm (ví dụ năm sinh)")
    PERSON_NAME = "person_name", _("Họ, chữ đệm và tên")
    ETHNICITY = "ethnicity", _("Dân tộc (danh mục 54 dân tộc)")
    NATIONALITY = "nationality", _("Quốc tịch (danh mục quốc gia)")
    ADMIN_UNIT = "admin_unit", _("Xã, phường trong tỉnh")


class PrefillSource(models.TextChoices):
    """Where a field's first value comes from when a citizen starts a draft: their account, or the
    metadata of a document in their vault (`vault:<document type code>:<number|issuer|issue_date>`)."""

    FULL_NAME = "account:full_name", _("Tài khoản: họ và tên")
    CCCD = "account:cccd", _("Tài khoản: số CCCD")
    DATE_OF_BIRTH = "account:date_of_birth", _("Tài khoản: ngày sinh")
    PHONE = "account:phone", _("Tài khoản: số điện thoại")
    EMAIL = "account:email", _("Tài khoản: thư điện tử")
    ADDRESS = "account:address", _("Tài khoản: địa chỉ")


VAULT_PREFILL_ATTRIBUTES = ("number", "issuer", "issue_date")


class FeeKind(models.TextChoices):
    """Law 97/2015 on fees and charges: a fee (phí) pays for a service, a charge (lệ phí) for the act of the State."""

    CHARGE = "charge", _("Lệ phí")
    FEE = "fee", _("Phí")


class FeeUnit(models.TextChoices):
    """What one amount pays for; the quantity of a per-copy or per-unit fee is chosen by the applicant."""

    DOSSIER = "dossier", _("Mỗi hồ sơ")
    COPY = "copy", _("Mỗi bản")
    PAGE = "page", _("Mỗi trang")
    UNIT = "unit", _("Mỗi đơn vị")
