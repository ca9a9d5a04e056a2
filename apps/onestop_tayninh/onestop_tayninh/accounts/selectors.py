"""Reads of the accounts app: finding citizen accounts by what a person types."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from .constants import AccountKind
from .identifiers import login_interpretations
from .models import CitizenProfile, User

# More accounts than this behind one identifier would mean corrupt data; never hash that many passwords.
MAX_CANDIDATES = 4


def citizens() -> QuerySet[User]:
    return User.objects.filter(kind=AccountKind.CITIZEN)


def citizen_candidates(identifier: str) -> list[User]:
    """Active citizen accounts the identifier may name (phone, e-mail, CCCD, tax code or username).

    Usually one or none; two when a ten-digit number is one account's phone and another's
    tax code. The caller checks the password against each.
    """
    readings = login_interpretations(identifier)
    query = Q()
    if "email" in readings:
        query |= Q(email=readings["email"])
    if "phone" in readings:
        query |= Q(phone=readings["phone"])
    if "cccd" in readings:
        query |= Q(citizen__cccd=readings["cccd"])
    if "tax_code" in readings:
        query |= Q(citizen__tax_code=readings["tax_code"])
    value = (identifier or "").strip()
    if value and len(value) <= 150:
        query |= Q(username=value)
    if not query:
        return []
    return list(citizens().filter(query, is_active=True).distinct().order_by("pk")[:MAX_CANDIDATES])


def citizen_by_phone(phone: str) -> User | None:
    """The active citizen account with this (normalised) phone number, if exactly one."""
    found = list(citizens().filter(phone=phone, is_active=True)[:2])
    return found[0] if len(found) == 1 else None


def contact_owner(*, phone: str = "", email: str = "", exclude: User | None = None) -> dict[str, bool]:
    """Which of these contact details another citizen account already uses."""
    taken: dict[str, bool] = {}
    others = citizens().exclude(pk=exclude.pk) if exclude is not None else citizens()
    if phone:
        taken["phone"] = others.filter(phone=phone).exists()
    if email:
        taken["email"] = others.filter(email=email).exists()
    return taken


def profile_with_identifier(*, cccd: str = "", tax_code: str = "") -> CitizenProfile | None:
    if cccd:
        return CitizenProfile.objects.select_related("user").filter(cccd=cccd).first()
    if tax_code:
        return CitizenProfile.objects.select_related("user").filter(tax_code=tax_code).first()
    return None


def submission_blocker(user: User) -> str:
    """Why this citizen account may not submit a dossier online yet ("" if it may): the phone must
    be confirmed by an SMS code first (docs/domain.md, "Identity at registration")."""
    profile = getattr(user, "citizen", None)
    if profile is None:
        return ""
    if not user.phone:
        return _("Hãy thêm số điện thoại di động trong trang tài khoản và xác nhận bằng mã SMS trước khi nộp hồ sơ.")
    if profile.phone_verified_at is None:
        return _("Hãy xác nhận số điện thoại bằng mã SMS trước khi nộp hồ sơ.")
    return ""
