"""Every write of the citizen accounts: registration, e-mail verification, profile, passwords, e-ID.

Messages (verification link, password-reset link, SMS code) go through the notifications
outbox, written in the caller's transaction and sent by the workers after commit, with
retries; nothing here talks to a mail server or an SMS gateway.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from onestop_tayninh.notifications.constants import ChannelCode
from onestop_tayninh.notifications.models import Message
from onestop_tayninh.notifications.services import message_enqueue
from onestop_tayninh.security import ratelimit

from .constants import PASSWORD_PROVIDER, AccountKind, ApplicantKind, CodeCheck, MessageKey
from .identifiers import normalise_cccd, normalise_email, normalise_phone, normalise_tax_code
from .login.base import Identity
from .models import CitizenProfile, User
from .selectors import citizen_by_phone, citizens, contact_owner, profile_with_identifier

VERIFY_SALT = "onestop_tayninh.accounts.verify_email"
RESET_CODE_SALT = "onestop_tayninh.accounts.reset_code"
# Seconds to wait for another registration claiming the same phone, e-mail or identifier.
LOCK_TIMEOUT = 5
EARLIEST_BIRTH = dt.date(1900, 1, 1)


def _duplicate_messages() -> dict[str, str]:
    # Says that an account exists (the person needs to know where to go) but nothing about it.
    return {
        "cccd": _("Số CCCD này đã có tài khoản; hãy đăng nhập hoặc lấy lại mật khẩu."),
        "tax_code": _("Mã số thuế này đã có tài khoản; hãy đăng nhập hoặc lấy lại mật khẩu."),
        "phone": _("Số điện thoại này đã được dùng cho một tài khoản khác; hãy đăng nhập hoặc lấy lại mật khẩu."),
        "email": _("Địa chỉ thư điện tử này đã được dùng cho một tài khoản khác; hãy đăng nhập hoặc lấy lại mật khẩu."),
    }


def _site_url(path: str) -> str:
    return settings.ONESTOP_SITE_URL.rstrip("/") + path


@contextmanager
def _claim_locks(*claims: str) -> Iterator[None]:
    """Serialise registrations that claim the same phone, e-mail or identifier.

    CCCD and tax code are unique in the database, but phone and e-mail live on the shared
    users table, where officials may repeat them, so no unique index can guard them. A
    MariaDB advisory lock per claimed value (GET_LOCK, held until after the caller's
    transaction commits) makes the "is it taken?" check and the insert one step. Names are
    hashed (64-character limit, no personal data in the lock list) and taken in sorted order.
    """
    names = sorted({"onestop:acct:" + hashlib.sha256(claim.encode()).hexdigest()[:40] for claim in claims if claim})
    if connection.vendor != "mysql" or not names:
        yield
        return
    held: list[str] = []
    try:
        for name in names:
            with connection.cursor() as cursor:
                cursor.execute("SELECT GET_LOCK(%s, %s)", [name, LOCK_TIMEOUT])
                (granted,) = cursor.fetchone()
            if granted != 1:
                raise ValidationError(_("Hệ thống đang bận, vui lòng thử lại sau ít phút."), code="busy")
            held.append(name)
        yield
    finally:
        for name in held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT RELEASE_LOCK(%s)", [name])


def _normalised(errors: dict[str, list[str]], field: str, value: str, normalise: Callable[[str], str]) -> str:
    if not value:
        return ""
    try:
        return normalise(value)
    except ValidationError as exc:
        errors.setdefault(field, []).extend(exc.messages)
        return ""


def _unique_username(base: str) -> str:
    """`base`, or `base-2`, `base-3`… if an account (an official, say) already has it."""
    candidate, number = base, 1
    while User.objects.filter(username=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


# --- registration -------------------------------------------------------------------------------


def citizen_register(
    *,
    applicant_kind: str,
    full_name: str,
    password: str,
    at: dt.datetime,
    phone: str = "",
    email: str = "",
    cccd: str = "",
    tax_code: str = "",
    organisation_name: str = "",
) -> User:
    """Create a citizen (CCCD) or organisation (tax code) account with a password.

    Raises ValidationError keyed by these argument names, listing every problem at once, and
    creates nothing then. With an e-mail address, a verification link is queued in the outbox.
    """
    errors: dict[str, list[str]] = {}
    full_name = " ".join((full_name or "").split())
    organisation_name = " ".join((organisation_name or "").split())
    phone = _normalised(errors, "phone", phone, normalise_phone)
    email = _normalised(errors, "email", email, normalise_email)
    if not full_name:
        errors.setdefault("full_name", []).append(_("Hãy nhập họ và tên."))
    if not phone and not email and "phone" not in errors and "email" not in errors:
        errors.setdefault("phone", []).append(
            _("Hãy nhập số điện thoại hoặc địa chỉ thư điện tử (ít nhất một trong hai).")
        )
    if applicant_kind == ApplicantKind.INDIVIDUAL:
        cccd = _normalised(errors, "cccd", cccd, normalise_cccd)
        if not cccd and "cccd" not in errors:
            errors["cccd"] = [_("Hãy nhập số CCCD (12 chữ số).")]
        tax_code, organisation_name, base = "", "", f"cccd-{cccd}"
    elif applicant_kind == ApplicantKind.ORGANISATION:
        tax_code = _normalised(errors, "tax_code", tax_code, normalise_tax_code)
        if not tax_code and "tax_code" not in errors:
            errors["tax_code"] = [_("Hãy nhập mã số thuế của tổ chức.")]
        if not organisation_name:
            errors["organisation_name"] = [_("Hãy nhập tên tổ chức.")]
        cccd, base = "", f"mst-{tax_code}"
    else:
        errors["applicant_kind"] = [_("Hãy chọn cá nhân hoặc tổ chức.")]
        base = "citizen"

    with _claim_locks(phone and f"phone:{phone}", email and f"email:{email}", cccd, tax_code), transaction.atomic():
        duplicates = _duplicate_messages()
        if (cccd or tax_code) and profile_with_identifier(cccd=cccd, tax_code=tax_code) is not None:
            errors["cccd" if cccd else "tax_code"] = [duplicates["cccd" if cccd else "tax_code"]]
        for field, taken in contact_owner(phone=phone, email=email).items():
            if taken:
                errors.setdefault(field, []).append(duplicates[field])

        user = User(
            username=_unique_username(base),
            kind=AccountKind.CITIZEN,
            full_name=full_name,
            phone=phone,
            email=email,
            is_staff=False,
        )
        try:
            password_validation.validate_password(password or "", user=user)
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
        _raise(errors)

        user.set_password(password)
        user.full_clean()
        user.save()
        profile = CitizenProfile(
            user=user,
            applicant_kind=applicant_kind,
            cccd=cccd or None,
            tax_code=tax_code or None,
            organisation_name=organisation_name,
            identity_provider=PASSWORD_PROVIDER,
        )
        profile.full_clean(exclude=["user"])
        try:
            with transaction.atomic():
                profile.save()
        except IntegrityError:
            # Only reachable without the advisory locks (another database): report as a duplicate.
            field = "cccd" if cccd else "tax_code"
            raise ValidationError({field: duplicates[field]}) from None
        if email:
            citizen_email_verification_send(user=user, at=at)
    return user


# --- e-mail verification ------------------------------------------------------------------------


def email_verification_token(*, user: User, at: dt.datetime) -> str:
    """A signed token naming the account and the address it verifies, with its time of issue."""
    return signing.dumps({"u": user.pk, "e": user.email, "t": int(at.timestamp())}, salt=VERIFY_SALT)


def citizen_email_verification_send(*, user: User, at: dt.datetime) -> Message | None:
    """Queue the verification link for the account's current e-mail; None if there is nothing to verify."""
    profile = getattr(user, "citizen", None)
    if not user.email or profile is None or profile.email_verified_at is not None:
        return None
    token = email_verification_token(user=user, at=at)
    return message_enqueue(
        channel=ChannelCode.EMAIL,
        template_key=MessageKey.VERIFY_EMAIL,
        dedupe_key=f"{MessageKey.VERIFY_EMAIL}:{user.pk}:{uuid.uuid4().hex}",
        at=at,
        user=user,
        address=user.email,
        context={
            "verify_url": _site_url(reverse("accounts:verify_email", args=[token])),
            "days": int(settings.ONESTOP_EMAIL_VERIFY_DAYS),
        },
    )


@transaction.atomic
def citizen_email_verify(*, token: str, at: dt.datetime) -> User:
    """Mark the address in the token verified. ValidationError code "expired", "used" or "invalid" otherwise.

    A token for an address the citizen has since changed is invalid: it proves nothing about
    the new one.
    """
    invalid = ValidationError(_("Liên kết xác thực không hợp lệ."), code="invalid")
    try:
        data = signing.loads(token, salt=VERIFY_SALT)
        user_id, address, issued = int(data["u"]), str(data["e"]), int(data["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise invalid from None
    issued_at = dt.datetime.fromtimestamp(issued, tz=dt.UTC)
    if at - issued_at > dt.timedelta(days=int(settings.ONESTOP_EMAIL_VERIFY_DAYS)):
        raise ValidationError(_("Liên kết xác thực đã hết hạn."), code="expired")
    profile = (
        CitizenProfile.objects.select_related("user")
        .select_for_update()
        .filter(user_id=user_id, user__kind=AccountKind.CITIZEN)
        .first()
    )
    if profile is None or not profile.user.email or profile.user.email.lower() != address.lower():
        raise invalid
    user = profile.user
    if profile.email_verified_at is not None:
        # Single use: the link is only good while the address waits for verification, like a
        # password-reset link is only good for the password it was issued against.
        raise ValidationError(_("Liên kết xác thực này đã được dùng."), code="used")
    profile.email_verified_at = at
    profile.full_clean(exclude=["user"])
    profile.save(update_fields=["email_verified_at"])
    return user


# --- profile ------------------------------------------------------------------------------------


def citizen_profile_update(
    *,
    user: User,
    phone: str,
    email: str,
    address: str,
    date_of_birth: dt.date | None,
    at: dt.datetime,
) -> User:
    """Change the contact details; the identifier and the name stay (they come from the papers).

    A new e-mail address is unverified until its link is clicked; the link is queued at once.
    """
    errors: dict[str, list[str]] = {}
    phone = _normalised(errors, "phone", phone, normalise_phone)
    email = _normalised(errors, "email", email, normalise_email)
    if not phone and not email and "phone" not in errors and "email" not in errors:
        errors["phone"] = [_("Hãy giữ ít nhất một cách liên lạc: số điện thoại hoặc địa chỉ thư điện tử.")]
    if date_of_birth is not None and not EARLIEST_BIRTH <= date_of_birth <= at.date():
        errors["date_of_birth"] = [_("Ngày sinh không hợp lệ.")]
    with _claim_locks(phone and f"phone:{phone}", email and f"email:{email}"), transaction.atomic():
        duplicates = _duplicate_messages()
        for field, taken in contact_owner(phone=phone, email=email, exclude=user).items():
            if taken:
                errors.setdefault(field, []).append(duplicates[field])
        _raise(errors)
        profile = CitizenProfile.objects.select_related("user").select_for_update().get(user_id=user.pk)
        user = profile.user
        email_changed = (user.email or "").lower() != email
        user.phone, user.email = phone, email
        profile.address = " ".join((address or "").split())
        profile.date_of_birth = date_of_birth
        if email_changed:
            profile.email_verified_at = None
        user.full_clean()
        user.save(update_fields=["phone", "email"])
        profile.full_clean(exclude=["user"])
        profile.save(update_fields=["address", "date_of_birth", "email_verified_at"])
        if email_changed and email:
            citizen_email_verification_send(user=user, at=at)
    return user


# --- passwords ----------------------------------------------------------------------------------


@transaction.atomic
def citizen_password_set(*, user: User, password: str, at: dt.datetime, email_proven: bool = False) -> User:
    """Set a new password (change, reset by link or by SMS code).

    `email_proven`: the reset link reached the mailbox, which proves the address as well as
    the verification link would (Django's reset token dies if the address changes).
    """
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": list(exc.messages)}) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    profile = getattr(user, "citizen", None)
    if email_proven and user.email and profile is not None and profile.email_verified_at is None:
        profile.email_verified_at = at
        profile.save(update_fields=["email_verified_at"])
    return user


def reset_link_users(email: str) -> list[User]:
    """Citizen accounts a reset link for this address may go to (never officials)."""
    try:
        email = normalise_email(email)
    except ValidationError:
        return []
    return [user for user in citizens().filter(email=email, is_active=True) if user.has_usable_password()]


@transaction.atomic
def citizen_password_reset_link_send(*, email: str, at: dt.datetime) -> list[Message]:
    """Queue a reset link to each citizen account with this address; nothing if there is none.

    The caller tells the person the same thing either way.
    """
    messages = []
    for user in reset_link_users(email):
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
        messages.append(
            message_enqueue(
                channel=ChannelCode.EMAIL,
                template_key=MessageKey.PASSWORD_RESET_LINK,
                dedupe_key=f"{MessageKey.PASSWORD_RESET_LINK}:{user.pk}:{uuid.uuid4().hex}",
                at=at,
                user=user,
                address=user.email,
                context={
                    "reset_url": _site_url(path),
                    "hours": max(1, int(settings.PASSWORD_RESET_TIMEOUT) // 3600),
                },
            )
        )
    return messages


def _code_keys(phone: str) -> tuple[str, str]:
    base = "accounts:reset_code:" + hashlib.sha256(phone.encode()).hexdigest()[:32]
    return base, base + ":tries"


def _code_digest(phone: str, code: str) -> str:
    return salted_hmac(RESET_CODE_SALT, f"{phone}:{code}", algorithm="sha256").hexdigest()


def citizen_password_reset_code_send(*, phone: str, at: dt.datetime) -> Message | None:
    """Issue a 6-digit code for the citizen account with this phone and queue it by SMS.

    A code record is stored whether or not an account has the number (one nobody can type
    when none has), so the code page answers alike for both and reveals nothing. The code
    lives in the cache (Redis) as a keyed hash only; it expires after
    ONESTOP_RESET_CODE_MINUTES and after ONESTOP_RESET_CODE_MAX_TRIES wrong tries. At most
    ONESTOP_RESET_CODES_PER_HOUR codes per number per hour (SMS cost, harassment): beyond
    that nothing is sent and the last code stays valid.
    """
    phone = normalise_phone(phone)
    limit = int(settings.ONESTOP_RESET_CODES_PER_HOUR)
    if not ratelimit.hit(scope="reset_code_phone", key=phone, limit=limit, window_seconds=3600):
        return None
    user = citizen_by_phone(phone)
    code = f"{secrets.randbelow(1_000_000):06d}"
    secret = code if user is not None else secrets.token_hex(16)
    minutes = int(settings.ONESTOP_RESET_CODE_MINUTES)
    record = {
        "digest": _code_digest(phone, secret),
        "expires": (at + dt.timedelta(minutes=minutes)).timestamp(),
        "user": user.pk if user is not None else None,
    }
    key, tries_key = _code_keys(phone)
    # The cache entry outlives the code a little; expiry itself is decided against `at`.
    ttl = minutes * 60 + 300
    cache.set(key, record, timeout=ttl)
    cache.set(tries_key, 0, timeout=ttl)
    if user is None:
        return None
    return message_enqueue(
        channel=ChannelCode.SMS,
        template_key=MessageKey.PASSWORD_RESET_CODE,
        dedupe_key=f"{MessageKey.PASSWORD_RESET_CODE}:{user.pk}:{uuid.uuid4().hex}",
        at=at,
        user=user,
        address=phone,
        context={"code": code, "minutes": minutes},
    )


def citizen_password_reset_code_check(*, phone: str, code: str, at: dt.datetime) -> tuple[str, User | None, int]:
    """(outcome, account, tries left) for a typed code; a right code is used up at once."""
    try:
        phone = normalise_phone(phone)
    except ValidationError:
        return CodeCheck.EXPIRED, None, 0
    key, tries_key = _code_keys(phone)
    record: dict[str, Any] | None = cache.get(key)
    if record is None:
        return CodeCheck.EXPIRED, None, 0
    try:
        tries = cache.incr(tries_key)
    except ValueError:
        return CodeCheck.EXPIRED, None, 0
    max_tries = int(settings.ONESTOP_RESET_CODE_MAX_TRIES)
    if tries > max_tries:
        cache.delete_many([key, tries_key])
        return CodeCheck.TOO_MANY, None, 0
    if at.timestamp() > float(record["expires"]):
        cache.delete_many([key, tries_key])
        return CodeCheck.EXPIRED, None, 0
    if not constant_time_compare(record["digest"], _code_digest(phone, (code or "").strip())):
        left = max_tries - tries
        if left <= 0:
            cache.delete_many([key, tries_key])
            return CodeCheck.TOO_MANY, None, 0
        return CodeCheck.WRONG, None, left
    cache.delete_many([key, tries_key])
    user = citizens().filter(pk=record["user"], is_active=True).first() if record["user"] else None
    if user is None:
        return CodeCheck.WRONG, None, 0
    return CodeCheck.VALID, user, max_tries - tries


# --- external identity (VNeID and others, accounts.login) --------------------------------------


def _free_contact(kind: Literal["phone", "email"], raw: str, normalise: Callable[[str], str]) -> str:
    """The identity's phone or e-mail if it is well-formed and no other citizen account uses it."""
    try:
        value = normalise(raw) if raw else ""
    except ValidationError:
        return ""
    if not value:
        return ""
    taken = contact_owner(phone=value) if kind == "phone" else contact_owner(email=value)
    return "" if taken.get(kind) else value


def citizen_from_identity(*, identity: Identity, provider: str) -> User:
    """The citizen account of a person an identity provider vouched for, created on first login.

    Linked by CCCD: the account registered with the same CCCD if there is one (its details are
    only completed where blank; the person may have changed them on purpose), otherwise a new
    account without a password. Raises ValidationError if the identity has no valid CCCD or the
    account is disabled.
    """
    try:
        cccd = normalise_cccd(identity.cccd)
    except ValidationError:
        raise ValidationError(
            _("Tài khoản định danh không cung cấp số CCCD hợp lệ nên không thể đăng nhập."), code="no_cccd"
        ) from None
    disabled = ValidationError(
        _("Tài khoản này đang bị khóa. Vui lòng liên hệ Trung tâm Phục vụ hành chính công."), code="disabled"
    )
    with _claim_locks(cccd), transaction.atomic():
        profile = CitizenProfile.objects.select_related("user").select_for_update().filter(cccd=cccd).first()
        if profile is not None:
            user = profile.user
            if not user.is_active or user.kind != AccountKind.CITIZEN:
                raise disabled
            if not user.full_name and identity.full_name:
                user.full_name = " ".join(identity.full_name.split())[:150]
            if not user.phone:
                user.phone = _free_contact("phone", identity.phone, normalise_phone)
            if not user.email:
                user.email = _free_contact("email", identity.email, normalise_email)
            if profile.date_of_birth is None and identity.date_of_birth is not None:
                profile.date_of_birth = identity.date_of_birth
            user.full_clean()
            user.save(update_fields=["full_name", "phone", "email"])
            profile.full_clean(exclude=["user"])
            profile.save(update_fields=["date_of_birth"])
            return user
        user = User(
            username=_unique_username(f"cccd-{cccd}"),
            kind=AccountKind.CITIZEN,
            full_name=" ".join((identity.full_name or "").split())[:150],
            phone=_free_contact("phone", identity.phone, normalise_phone),
            email=_free_contact("email", identity.email, normalise_email),
            is_staff=False,
        )
        user.set_unusable_password()
        user.full_clean()
        user.save()
        profile = CitizenProfile(
            user=user,
            applicant_kind=ApplicantKind.INDIVIDUAL,
            cccd=cccd,
            date_of_birth=identity.date_of_birth,
            identity_provider=provider[:32],
        )
        profile.full_clean(exclude=["user"])
        profile.save()
    return user
