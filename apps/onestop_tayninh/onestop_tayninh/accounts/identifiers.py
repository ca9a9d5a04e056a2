"""Citizen identifiers and contact details: the accepted formats and their one stored form.

Every entry point (registration, login, password reset, profile, e-ID) normalises through
these functions, so "+84 912 345 678", "0912.345.678" and "0912345678" are one phone number
and "0312345678001" is the branch tax code "0312345678-001".
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

# re.ASCII: \d must not accept other scripts' digits (Arabic-Indic, full-width…).
PHONE_PATTERN = re.compile(r"(0|\+84)(3|5|7|8|9)\d{8}", re.ASCII)
CCCD_PATTERN = re.compile(r"\d{12}", re.ASCII)
TAX_CODE_PATTERN = re.compile(r"(\d{10})(?:-?(\d{3}))?", re.ASCII)
# Separators people type inside numbers; removed before matching.
_SEPARATORS = re.compile(r"[\s.\-()]")

PHONE_INVALID = _("Số điện thoại không hợp lệ. Hãy nhập 10 chữ số, ví dụ 0912345678 hoặc +84912345678.")
CCCD_INVALID = _("Số CCCD gồm đúng 12 chữ số, ví dụ 072190001234.")
TAX_CODE_INVALID = _("Mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu gạch và 3 chữ số (ví dụ 0312345678-001).")
EMAIL_INVALID = _("Địa chỉ thư điện tử không hợp lệ, ví dụ ten@example.vn.")


def normalise_phone(raw: str) -> str:
    """The stored form 0XXXXXXXXX; ValidationError if it is not a Vietnamese mobile number."""
    compact = _SEPARATORS.sub("", raw or "")
    if not PHONE_PATTERN.fullmatch(compact):
        raise ValidationError(PHONE_INVALID, code="invalid_phone")
    return "0" + compact[-9:]


def normalise_cccd(raw: str) -> str:
    compact = _SEPARATORS.sub("", raw or "")
    if not CCCD_PATTERN.fullmatch(compact):
        raise ValidationError(CCCD_INVALID, code="invalid_cccd")
    return compact


def normalise_tax_code(raw: str) -> str:
    """10 digits, or 10-3 digits for a branch (the dash is optional on input, always stored)."""
    compact = re.sub(r"[\s.]", "", raw or "")
    match = TAX_CODE_PATTERN.fullmatch(compact)
    if not match:
        raise ValidationError(TAX_CODE_INVALID, code="invalid_tax_code")
    head, branch = match.groups()
    return f"{head}-{branch}" if branch else head


def normalise_email(raw: str) -> str:
    value = (raw or "").strip()
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError(EMAIL_INVALID, code="invalid_email") from None
    return value.lower()


def login_interpretations(raw: str) -> dict[str, str]:
    """What a login identifier may be: {"email"|"phone"|"cccd"|"tax_code": stored form}.

    A ten-digit number starting 03/05/07/08/09 is both a phone number and a tax code, so a
    value can have several readings; the login backend tries each.
    """
    value = (raw or "").strip()[:254]
    readings: dict[str, str] = {}
    for kind, normalise in (
        ("email", normalise_email),
        ("phone", normalise_phone),
        ("cccd", normalise_cccd),
        ("tax_code", normalise_tax_code),
    ):
        if kind == "email" and "@" not in value:
            continue
        try:
            readings[kind] = normalise(value)
        except ValidationError:
            continue
    return readings
