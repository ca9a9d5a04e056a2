from django.db import models
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện")
    COMMUNE = "commune", _("Cấp xã")


# A parent must sit on a strictly higher tier (smaller rank) than its child.
TIER_RANK = {Tier.PROVINCE: 1, Tier.DISTRICT: 2, Tier.COMMUNE: 3}


class AgencyKind(models.TextChoices):
    PEOPLE_COMMITTEE = "people_committee", _("Ủy ban nhân dân")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    SERVICE_CENTRE = "service_centre", _("Trung tâm Phục vụ hành chính công")
    POLICE = "police", _("Công an")
    TAX = "tax", _("Cơ quan thuế")
    VERTICAL = "vertical", _("Cơ quan ngành dọc khác")
    OTHER = "other", _("Khác")


class DeskKind(models.TextChoices):
    PROVINCE_CENTRE = "province_centre", _("Trung tâm Phục vụ hành chính công tỉnh")
    DEPARTMENT_DESK = "department_desk", _("Bộ phận một cửa của sở, ngành")
    DISTRICT_DESK = "district_desk", _("Bộ phận một cửa cấp huyện")
    COMMUNE_DESK = "commune_desk", _("Bộ phận một cửa cấp xã")
    # Not a one-stop desk: where the competent agency itself receives the dossiers of its tracked-only
    # procedures (made on demand by directory.services.agency_own_desk), so every dossier keeps a desk.
    AGENCY_OFFICE = "agency_office", _("Cơ quan giải quyết tự tiếp nhận (thủ tục chỉ theo dõi)")


class RoleCode(models.TextChoices):
    """The built-in roles (directory/roles.py), named in code where a rule is about one of them.

    Roles are data: an administrator adds others in the desk (`Role.code` is a free slug), and
    what a role may do is its `effects`, not its code.
    """

    RECEIVING_OFFICER = "receiving_officer", _("Cán bộ tiếp nhận")
    HANDLING_OFFICER = "handling_officer", _("Chuyên viên xử lý")
    AGENCY_HEAD = "agency_head", _("Lãnh đạo cơ quan")
    RECORDS_CLERK = "records_clerk", _("Văn thư")
    PROVINCE_COORDINATOR = "province_coordinator", _("Điều phối viên cấp tỉnh")
    SYSTEM_ADMIN = "system_admin", _("Quản trị hệ thống")


class Capability(models.TextChoices):
    """What a role may do outside a workflow's transitions, listed with the transitions' effects
    (`Role.effects`). A transition's effect is `workflows.constants.Effect`."""

    APOLOGISE = "apologise", _("Gửi phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04)")


# Role codes are slugs: lower-case letters, digits, "_" and "-", starting with a letter.
ROLE_CODE_REGEX = r"^[a-z][a-z0-9_-]{1,31}$"

# The permission that lets a role read citizens' dossiers (core.rowlevel): a role without it reaches no
# dossier, whatever its scope. The system administrator's role configures the system and lacks it.
DOSSIER_READ_PERMISSION = ("dossiers", "view_dossier")


class RoleScope(models.TextChoices):
    """How far an official's view reaches (see core.rowlevel). Ordered narrow → wide."""

    AGENCY = "agency", _("Cơ quan của mình")
    UNIT = "unit", _("Đơn vị hành chính của mình và cấp dưới")
    ALL = "all", _("Toàn hệ thống")


SCOPE_WIDTH = {RoleScope.AGENCY: 1, RoleScope.UNIT: 2, RoleScope.ALL: 3}

# QCVN 102:2016 identifier: V1V2V3.Z1Z2.Y1Y2.MX1X2, e.g. 000.00.14.H56.
AGENCY_CODE_REGEX = r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$"
