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


class CodeCheck(models.TextChoices):
    """Outcome of typing an SMS password-reset code."""

    VALID = "valid", _("Mã đúng")
    WRONG = "wrong", _("Mã không đúng")
    EXPIRED = "expired", _("Mã đã hết hạn")
    TOO_MANY = "too_many", _("Nhập sai quá nhiều lần")


#: identity_provider of accounts registered on the portal with a password.
PASSWORD_PROVIDER = "password"
