"""Writes and decisions about logins: two-factor devices, recovery codes, unlocking."""

from __future__ import annotations

from base64 import b32encode
from typing import TYPE_CHECKING

import segno
from axes.utils import reset as axes_reset
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from . import login_throttle
from .audit import audit_event
from .constants import AuditAction

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Ứng dụng xác thực"
RECOVERY_DEVICE_NAME = "Mã dự phòng"


def two_factor_required(user: User) -> bool:
    """Whether this user must pass a second factor before the desk.

    Yes when any of the user's roles says so (directory.Role.requires_two_factor), and for
    superusers unless ONESTOP_SUPERUSER_2FA is off. ONESTOP_ENFORCE_2FA switches it all off.
    """
    if not settings.ONESTOP_ENFORCE_2FA or not user.is_authenticated:
        return False
    if user.is_superuser and settings.ONESTOP_SUPERUSER_2FA:
        return True
    from onestop_tayninh.directory.selectors import user_roles

    return any(role.requires_two_factor for role in user_roles(user))


def has_confirmed_device(user: User) -> bool:
    return any(True for _device in devices_for_user(user, confirmed=True))


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (created once, reused until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The key in base32, for typing into an authenticator app by hand."""
    return b32encode(device.bin_key).decode().rstrip("=")


def totp_qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code (no request leaves the server)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm enrolment with the first code; returns fresh recovery codes, or None if the code is wrong."""
    if not device.verify_token(token.strip().replace(" ", "")):
        audit_event(actor=device.user, action=AuditAction.OTP_FAILED, target=device.user, data={"step": "enrol"})
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    codes = recovery_codes_issue(user=device.user)
    audit_event(actor=device.user, action=AuditAction.OTP_ENROLLED, target=device.user)
    return codes


@transaction.atomic
def recovery_codes_issue(*, user: User) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODE_COUNT new single-use ones."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def otp_check(*, user: User, token: str) -> TOTPDevice | StaticDevice | None:
    """The device that accepts this code (an authenticator code or an unused recovery code), or None.

    A recovery code is deleted when used, so it works once. The devices are read locked
    (django-otp's `for_verify`), so two requests with the same code cannot both pass; that lock
    needs a transaction of its own, as the server runs in autocommit. A wrong code still counts
    against the authenticator's throttle: the failure is saved and the transaction commits.
    """
    token = token.strip().replace(" ", "").lower()
    if not token:
        return None
    # A six-digit code is for the authenticator, anything else is a recovery code: trying a
    # recovery code against the authenticator would count as a failure and throttle it.
    is_totp = len(token) == 6 and token.isdigit()
    for device in devices_for_user(user, confirmed=True, for_verify=True):
        if isinstance(device, TOTPDevice) != is_totp:
            continue
        if device.verify_token(token):
            return device
    return None


def otp_throttled(*, user: User) -> bool:
    """Whether the user's authenticator refuses codes for now after repeated wrong ones."""
    return any(not device.verify_is_allowed()[0] for device in TOTPDevice.objects.filter(user=user, confirmed=True))


def login_unlock(*, username: str | None, ip_address: str | None, by: User) -> int:
    """Lift a login lockout for an account and the address it was attempted from, and the account's slow-down."""
    count: int = axes_reset(username=username or None, ip=ip_address or None, ip_or_username=True)
    if username:
        login_throttle.clear(username)
    audit_event(
        actor=by,
        action=AuditAction.UNLOCK,
        target=username or ip_address or "",
        data={"username": username, "ip_address": ip_address, "attempts_removed": count},
    )
    return count


def two_factor_status(user: User) -> str:
    """What an administrator needs to know before resetting: enrolled or not, recovery codes left."""
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return str(_("Chưa đăng ký"))
    left = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return str(_("Đã đăng ký, còn %(count)d mã dự phòng") % {"count": left})


@transaction.atomic
def two_factor_reset(*, user: User, by: User | None, reason: str = "") -> bool:
    """Remove a user's authenticator and recovery codes; they enrol again at their next login.

    `by` is None when the server's operator resets from the command line. Returns whether the
    user had anything to remove; the reset is audited either way.
    """
    removed_totp, _detail = TOTPDevice.objects.filter(user=user).delete()
    removed_static, _detail = StaticDevice.objects.filter(user=user).delete()
    audit_event(actor=by, action=AuditAction.OTP_RESET, target=user, data={"reason": reason} if reason else None)
    return bool(removed_totp or removed_static)
