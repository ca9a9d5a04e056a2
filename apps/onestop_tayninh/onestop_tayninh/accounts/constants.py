from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    OFFICIAL = "official", _("Cán bộ, công chức")
    CITIZEN = "citizen", _("Công dân, tổ chức")


class ApplicantKind(models.TextChoices):
    """An individual or an organisation: who holds a citizen account (CitizenProfile.applicant_kind),
    who may use a procedure (ProcedureVersion.applicant_kinds), who hands a dossier in (Dossier.applicant_kind)."""

    INDIVIDUAL = "individual", _("Cá nhân")
    ORGANISATION = "organisation", _("Tổ chức")


class MessageKey:
    """Outbox template keys of the accounts app, seeded by migration 0003 (edited in the desk afterwards)."""

    VERIFY_EMAIL = "citizen_verify_email"
    PASSWORD_RESET_LINK = "citizen_password_reset"
    PASSWORD_RESET_CODE = "citizen_password_reset_code"
    #: The SMS code confirming a phone number (at registration, or after it changed).
    PHONE_CODE = "citizen_phone_code"
    #: Sent to an existing account's contact when someone registers with its CCCD, phone or e-mail.
    ALREADY_REGISTERED = "citizen_already_registered"
    #: Sent to an account whose CCCD its verified holder claimed (VNeID or at the desk).
    CCCD_CLAIMED = "citizen_cccd_claimed"


class NoticeChannel(models.TextChoices):
    """The channels a citizen may choose to hear about their dossiers on (CitizenProfile.notice_channels).

    The values are the notification channels' codes (notifications.registry); listed here, not read
    from the registry, because accounts sits below notifications and Zalo."""

    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")
    ZALO = "zalo", _("Zalo (khi đã liên kết)")


class CodeCheck(models.TextChoices):
    """Outcome of typing an SMS password-reset code."""

    VALID = "valid", _("Mã đúng")
    WRONG = "wrong", _("Mã không đúng")
    EXPIRED = "expired", _("Mã đã hết hạn")
    TOO_MANY = "too_many", _("Nhập sai quá nhiều lần")


#: identity_provider of accounts registered on the portal with a password.
PASSWORD_PROVIDER = "password"


class Sex(models.TextChoices):
    """As on the CCCD card (its fourth digit: even male, odd female)."""

    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class IdentityCheck(models.TextChoices):
    """How an account's CCCD was proven to be its holder's (CitizenProfile.identity_verified_via)."""

    VNEID = "vneid", _("Qua VNeID")
    DESK = "desk", _("Tại bộ phận một cửa, cán bộ kiểm tra thẻ CCCD")


class IdentityState(models.TextChoices):
    """What the portal shows of an account holding a CCCD."""

    UNVERIFIED = "unverified", _("Chưa xác minh danh tính")
    VERIFIED = "verified", _("Đã xác minh danh tính")


#: Held by receiving officers: verify a CCCD at the desk, give a squatted CCCD back to its holder.
IDENTITY_PERMISSION = "accounts.verify_citizen_identity"
