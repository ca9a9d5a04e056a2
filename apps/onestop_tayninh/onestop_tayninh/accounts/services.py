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
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from onestop_tayninh.notifications.constants import ChannelCode
from onestop_tayninh.notifications.models import Message
from onestop_tayninh.notifications.services import message_enqueue
from onestop_tayninh.security import ratelimit
from onestop_tayninh.security.audit import audit_event

from .cccd import cccd_problems
from .constants import (
    IDENTITY_PERMISSION,
    PASSWORD_PROVIDER,
    AccountKind,
    ApplicantKind,
    CodeCheck,
    IdentityCheck,
    MessageKey,
    NoticeChannel,
    Sex,
)
from .identifiers import normalise_cccd, normalise_email, normalise_phone, normalise_tax_code
from .login.base import Identity
from .models import CitizenProfile, User
from .selectors import citizen_by_phone, citizens, contact_owner, profile_with_identifier

VERIFY_SALT = "onestop_tayninh.accounts.verify_email"
RESET_CODE_SALT = "onestop_tayninh.accounts.reset_code"
PHONE_CODE_SALT = "onestop_tayninh.accounts.phone_code"
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


def _registration_checks(
    *,
    applicant_kind: str,
    full_name: str,
    password: str,
    phone: str,
    email: str,
    cccd: str,
    tax_code: str,
    organisation_name: str,
    date_of_birth: dt.date | None,
    sex: str,
    at: dt.datetime,
    phone_required: bool,
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Every problem of a registration's shape at once (never whether something is taken): the
    cleaned values and the errors keyed by argument name."""
    errors: dict[str, list[str]] = {}
    full_name = " ".join((full_name or "").split())
    organisation_name = " ".join((organisation_name or "").split())
    phone = _normalised(errors, "phone", phone, normalise_phone)
    email = _normalised(errors, "email", email, normalise_email)
    if not full_name:
        errors.setdefault("full_name", []).append(_("Hãy nhập họ và tên."))
    if phone_required and not phone and "phone" not in errors:
        errors["phone"] = [_("Hãy nhập số điện thoại di động: mã xác nhận được gửi qua SMS đến số này.")]
    if not phone and not email and "phone" not in errors and "email" not in errors:
        errors.setdefault("phone", []).append(
            _("Hãy nhập số điện thoại hoặc địa chỉ thư điện tử (ít nhất một trong hai).")
        )
    if applicant_kind == ApplicantKind.INDIVIDUAL:
        compact = _normalised(errors, "cccd", cccd, normalise_cccd)
        if date_of_birth is not None and not EARLIEST_BIRTH <= date_of_birth <= at.date():
            errors["date_of_birth"] = [_("Ngày sinh không hợp lệ.")]
            date_of_birth = None
        if sex and sex not in Sex.values:
            errors["sex"] = [_("Hãy chọn giới tính Nam hoặc Nữ.")]
            sex = ""
        problems = cccd_problems(compact, date_of_birth=date_of_birth, sex=sex) if compact else []
        if problems:
            errors["cccd"] = problems
        elif not compact and "cccd" not in errors:
            errors["cccd"] = [_("Hãy nhập số CCCD (12 chữ số).")]
        cccd = compact if "cccd" not in errors else ""
        tax_code, organisation_name, base = "", "", f"cccd-{cccd}"
    elif applicant_kind == ApplicantKind.ORGANISATION:
        tax_code = _normalised(errors, "tax_code", tax_code, normalise_tax_code)
        if not tax_code and "tax_code" not in errors:
            errors["tax_code"] = [_("Hãy nhập mã số thuế của tổ chức.")]
        if not organisation_name:
            errors["organisation_name"] = [_("Hãy nhập tên tổ chức.")]
        cccd, base, date_of_birth, sex = "", f"mst-{tax_code}", None, ""
    else:
        errors["applicant_kind"] = [_("Hãy chọn cá nhân hoặc tổ chức.")]
        base = "citizen"
    probe = User(username=base, kind=AccountKind.CITIZEN, full_name=full_name, phone=phone, email=email)
    try:
        password_validation.validate_password(password or "", user=probe)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    cleaned = {
        "applicant_kind": applicant_kind,
        "full_name": full_name,
        "phone": phone,
        "email": email,
        "cccd": cccd,
        "tax_code": tax_code,
        "organisation_name": organisation_name,
        "date_of_birth": date_of_birth,
        "sex": sex,
        "username_base": base,
    }
    return cleaned, errors


def _holders(*, cccd: str, tax_code: str, phone: str, email: str) -> dict[str, User]:
    """The citizen account already holding each of these identifiers or contacts: {"cccd": user, …}."""
    found: dict[str, User] = {}
    profile = profile_with_identifier(cccd=cccd, tax_code=tax_code) if (cccd or tax_code) else None
    if profile is not None:
        found["cccd" if cccd else "tax_code"] = profile.user
    if phone:
        holder = citizens().filter(phone=phone).order_by("pk").first()
        if holder is not None:
            found["phone"] = holder
    if email:
        holder = citizens().filter(email=email).order_by("pk").first()
        if holder is not None:
            found["email"] = holder
    return found


def _account_create(*, data: dict[str, Any], password_hash: str, at: dt.datetime, phone_verified: bool) -> User:
    """Insert the account and its profile (the caller holds the claim locks and checked for holders)."""
    user = User(
        username=_unique_username(data["username_base"]),
        kind=AccountKind.CITIZEN,
        full_name=data["full_name"],
        phone=data["phone"],
        email=data["email"],
        is_staff=False,
        password=password_hash,
    )
    user.full_clean()
    user.save()
    profile = CitizenProfile(
        user=user,
        applicant_kind=data["applicant_kind"],
        cccd=data["cccd"] or None,
        tax_code=data["tax_code"] or None,
        organisation_name=data["organisation_name"],
        date_of_birth=data["date_of_birth"],
        sex=data["sex"],
        phone_verified_at=at if phone_verified and data["phone"] else None,
        identity_provider=PASSWORD_PROVIDER,
    )
    profile.full_clean(exclude=["user"])
    profile.save()
    if data["email"]:
        citizen_email_verification_send(user=user, at=at)
    return user


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
    date_of_birth: dt.date | None = None,
    sex: str = "",
    phone_verified: bool = False,
) -> User:
    """Create a citizen (CCCD) or organisation (tax code) account with a password, at once.

    For callers that already know the person (data set-up, tests). The portal's form goes through
    `citizen_registration_start` / `citizen_registration_confirm`, which never say what is taken.
    Raises ValidationError keyed by these argument names, listing every problem at once, and
    creates nothing then. With an e-mail address, a verification link is queued in the outbox.
    """
    data, errors = _registration_checks(
        applicant_kind=applicant_kind,
        full_name=full_name,
        password=password,
        phone=phone,
        email=email,
        cccd=cccd,
        tax_code=tax_code,
        organisation_name=organisation_name,
        date_of_birth=date_of_birth,
        sex=sex,
        at=at,
        phone_required=False,
    )
    locks = (data["phone"] and f"phone:{data['phone']}", data["email"] and f"email:{data['email']}")
    with _claim_locks(*locks, data["cccd"], data["tax_code"]), transaction.atomic():
        duplicates = _duplicate_messages()
        for field in _holders(cccd=data["cccd"], tax_code=data["tax_code"], phone=data["phone"], email=data["email"]):
            errors.setdefault(field, []).append(duplicates[field])
        _raise(errors)
        return _account_create(data=data, password_hash=make_password(password), at=at, phone_verified=phone_verified)


# --- registration through the portal: an SMS code first, nothing said about what is taken --------

REGISTRATION_PREFIX = "accounts:registration:"
#: What a notice to an existing account names, by the field that matched it.
# Written with diacritics, as every template is; an SMS channel set to unaccented text strips them
# from the whole finished message (notifications, ONESTOP_SMS_ACCENTED).
_NOTICE_WHAT = {
    "cccd": "số CCCD",
    "tax_code": "mã số thuế",
    "phone": "số điện thoại",
    "email": "địa chỉ thư điện tử",
}


def _code_minutes() -> int:
    return int(settings.ONESTOP_RESET_CODE_MINUTES)


def _phone_code_digest(key: str, code: str) -> str:
    return salted_hmac(PHONE_CODE_SALT, f"{key}:{code}", algorithm="sha256").hexdigest()


def _code_record_store(key: str, *, code: str | None, at: dt.datetime, extra: dict[str, Any]) -> None:
    """Keep a code as a keyed hash (or, with `code` None, a record nobody can type) in the cache."""
    secret = code if code is not None else secrets.token_hex(16)
    minutes = _code_minutes()
    record = {"digest": _phone_code_digest(key, secret), "expires": (at + dt.timedelta(minutes=minutes)).timestamp()}
    ttl = minutes * 60 + 300
    cache.set(key, {**record, **extra}, timeout=ttl)
    cache.set(key + ":tries", 0, timeout=ttl)


def _code_record_check(key: str, code: str, at: dt.datetime) -> tuple[str, dict[str, Any] | None, int]:
    """(outcome, record, tries left); a right code uses the record up."""
    record: dict[str, Any] | None = cache.get(key)
    tries_key = key + ":tries"
    if record is None:
        return CodeCheck.EXPIRED, None, 0
    try:
        tries = cache.incr(tries_key)
    except ValueError:
        return CodeCheck.EXPIRED, None, 0
    max_tries = int(settings.ONESTOP_RESET_CODE_MAX_TRIES)
    if tries > max_tries or at.timestamp() > float(record["expires"]):
        cache.delete_many([key, tries_key])
        return (CodeCheck.TOO_MANY if tries > max_tries else CodeCheck.EXPIRED), None, 0
    if not constant_time_compare(record["digest"], _phone_code_digest(key, (code or "").strip())):
        left = max_tries - tries
        if left <= 0:
            cache.delete_many([key, tries_key])
            return CodeCheck.TOO_MANY, None, 0
        return CodeCheck.WRONG, None, left
    cache.delete_many([key, tries_key])
    return CodeCheck.VALID, record, max_tries - tries


def _phone_code_send(*, phone: str, code: str, user: User | None, at: dt.datetime) -> Message | None:
    """The SMS with a confirmation code, at most ONESTOP_RESET_CODES_PER_HOUR a number an hour."""
    limit = int(settings.ONESTOP_RESET_CODES_PER_HOUR)
    if not ratelimit.hit(scope="phone_code", key=phone, limit=limit, window_seconds=3600):
        return None
    return message_enqueue(
        channel=ChannelCode.SMS,
        template_key=MessageKey.PHONE_CODE,
        dedupe_key=f"{MessageKey.PHONE_CODE}:{uuid.uuid4().hex}",
        at=at,
        user=user,
        address=phone,
        context={"code": code, "minutes": _code_minutes()},
    )


def _already_registered_notice(*, holder: User, fields: list[str], at: dt.datetime) -> Message | None:
    """Tell an existing account that someone registered with its details: by SMS to its phone, else
    by e-mail; at most three an account an hour (nobody may flood a person through our form)."""
    if not ratelimit.hit(scope="already_registered", key=str(holder.pk), limit=3, window_seconds=3600):
        return None
    what = ", ".join(_NOTICE_WHAT[field] for field in fields)
    channel, address = (ChannelCode.SMS, holder.phone) if holder.phone else (ChannelCode.EMAIL, holder.email)
    return message_enqueue(
        channel=channel,
        template_key=MessageKey.ALREADY_REGISTERED,
        dedupe_key=f"{MessageKey.ALREADY_REGISTERED}:{holder.pk}:{uuid.uuid4().hex}",
        at=at,
        user=holder,
        address=address,
        context={"what": what},
    )


def _portal_registration_checks(**arguments: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The checks of the portal's form: those of citizen_register, plus a phone (for the SMS code),
    and for an individual the date of birth and sex that the CCCD's digits are checked against."""
    data, errors = _registration_checks(**arguments, phone_required=True)
    if arguments["applicant_kind"] == ApplicantKind.INDIVIDUAL:
        if arguments["date_of_birth"] is None and "date_of_birth" not in errors:
            errors["date_of_birth"] = [_("Hãy nhập ngày sinh như trên thẻ CCCD.")]
        if not arguments["sex"] and "sex" not in errors:
            errors["sex"] = [_("Hãy chọn giới tính như trên thẻ CCCD.")]
    return data, errors


def citizen_registration_problems(*, at: dt.datetime, **arguments: Any) -> dict[str, list[str]]:
    """Every problem of shape in a registration, by argument name, changing nothing (the form asks for
    them even when some of its own fields failed, so the person sees every error at once)."""
    return _portal_registration_checks(at=at, **arguments)[1]


def citizen_registration_start(
    *,
    applicant_kind: str,
    full_name: str,
    password: str,
    at: dt.datetime,
    phone: str,
    email: str = "",
    cccd: str = "",
    tax_code: str = "",
    organisation_name: str = "",
    date_of_birth: dt.date | None = None,
    sex: str = "",
) -> str:
    """Check a registration and send the SMS code that finishes it; returns the pending registration's token.

    Every problem of shape is raised at once (ValidationError keyed by argument name). Whether the
    CCCD, tax code, phone or e-mail already belongs to an account is never said: the answer is the
    same token and the same "type the code" page. When something is taken, no code reaches the
    phone typed (the pending record holds one nobody can type) and each account concerned is told
    at its own contact instead; no account is created before the code comes back.
    """
    data, errors = _portal_registration_checks(
        applicant_kind=applicant_kind,
        full_name=full_name,
        password=password,
        phone=phone,
        email=email,
        cccd=cccd,
        tax_code=tax_code,
        organisation_name=organisation_name,
        date_of_birth=date_of_birth,
        sex=sex,
        at=at,
    )
    _raise(errors)
    token = secrets.token_urlsafe(24)
    with transaction.atomic():
        holders = _holders(cccd=data["cccd"], tax_code=data["tax_code"], phone=data["phone"], email=data["email"])
        by_holder: dict[int, tuple[User, list[str]]] = {}
        for field, holder in holders.items():
            by_holder.setdefault(holder.pk, (holder, []))[1].append(field)
        for holder, fields in by_holder.values():
            _already_registered_notice(holder=holder, fields=fields, at=at)
        code = f"{secrets.randbelow(1_000_000):06d}" if not holders else None
        stored = {**data, "date_of_birth": data["date_of_birth"].isoformat() if data["date_of_birth"] else None}
        _code_record_store(
            REGISTRATION_PREFIX + token,
            code=code,
            at=at,
            extra={"data": stored, "password": make_password(password)},
        )
        if code is not None:
            _phone_code_send(phone=data["phone"], code=code, user=None, at=at)
    return token


def registration_phone_tail(token: str) -> str:
    """The last three digits of the number a pending registration's code went to ("" if gone)."""
    record = cache.get(REGISTRATION_PREFIX + (token or ""))
    return record["data"]["phone"][-3:] if record else ""


def citizen_registration_confirm(*, token: str, code: str, at: dt.datetime) -> tuple[str, User | None, int]:
    """(outcome, the new account, tries left) for the code typed; the right code creates the account,
    with its phone confirmed. A race lost to another registration of the same details reads as expired."""
    outcome, record, left = _code_record_check(REGISTRATION_PREFIX + (token or ""), code, at)
    if outcome != CodeCheck.VALID or record is None:
        return outcome, None, left
    data = dict(record["data"])
    data["date_of_birth"] = dt.date.fromisoformat(data["date_of_birth"]) if data["date_of_birth"] else None
    locks = (data["phone"] and f"phone:{data['phone']}", data["email"] and f"email:{data['email']}")
    with _claim_locks(*locks, data["cccd"], data["tax_code"]), transaction.atomic():
        if _holders(cccd=data["cccd"], tax_code=data["tax_code"], phone=data["phone"], email=data["email"]):
            return CodeCheck.EXPIRED, None, 0
        user = _account_create(data=data, password_hash=record["password"], at=at, phone_verified=True)
    return CodeCheck.VALID, user, left


# --- confirming the phone of an existing account ------------------------------------------------


def _phone_key(user: User) -> str:
    return f"accounts:phone_code:{user.pk}:" + hashlib.sha256(user.phone.encode()).hexdigest()[:16]


def citizen_phone_code_send(*, user: User, at: dt.datetime) -> Message | None:
    """Send a code to the account's current phone; None if there is none, it is confirmed, or too many were sent."""
    profile = getattr(user, "citizen", None)
    if not user.phone or profile is None or profile.phone_verified_at is not None:
        return None
    code = f"{secrets.randbelow(1_000_000):06d}"
    _code_record_store(_phone_key(user), code=code, at=at, extra={})
    return _phone_code_send(phone=user.phone, code=code, user=user, at=at)


@transaction.atomic
def citizen_phone_code_check(*, user: User, code: str, at: dt.datetime) -> tuple[str, int]:
    """(outcome, tries left); the right code marks the account's current phone confirmed."""
    if not user.phone:
        return CodeCheck.EXPIRED, 0
    outcome, _record, left = _code_record_check(_phone_key(user), code, at)
    if outcome == CodeCheck.VALID:
        profile = CitizenProfile.objects.select_for_update().get(user_id=user.pk)
        profile.phone_verified_at = at
        profile.save(update_fields=["phone_verified_at"])
    return outcome, left


def _proof_key(scope: str, phone: str) -> str:
    return f"accounts:phone_proof:{scope}:" + hashlib.sha256(phone.encode()).hexdigest()[:32]


def citizen_phone_proof_send(*, phone: str, scope: str, at: dt.datetime) -> Message | None:
    """Send a code to the citizen account with this phone, for a caller outside the portal that must
    know the person holds it (linking a Zalo user, `scope` naming who asks, e.g. "zalo:<user id>").

    As for a password reset, a record is stored whether or not an account has the number, so the
    answer reveals nothing; the SMS goes only to an account's number, at most
    ONESTOP_RESET_CODES_PER_HOUR an hour. Raises ValidationError for a malformed number.
    """
    phone = normalise_phone(phone)
    user = citizen_by_phone(phone)
    code = f"{secrets.randbelow(1_000_000):06d}"
    _code_record_store(
        _proof_key(scope, phone), code=code if user else None, at=at, extra={"user": user.pk if user else None}
    )
    if user is None:
        return None
    return _phone_code_send(phone=phone, code=code, user=user, at=at)


def citizen_phone_proof_check(*, phone: str, scope: str, code: str, at: dt.datetime) -> tuple[str, User | None, int]:
    """(outcome, account, tries left) for a code sent by citizen_phone_proof_send; a right code is used up."""
    try:
        phone = normalise_phone(phone)
    except ValidationError:
        return CodeCheck.EXPIRED, None, 0
    outcome, record, left = _code_record_check(_proof_key(scope, phone), code, at)
    if outcome != CodeCheck.VALID or record is None or not record.get("user"):
        return (CodeCheck.WRONG if outcome == CodeCheck.VALID else outcome), None, left
    user = citizens().filter(pk=record["user"], is_active=True).first()
    return (CodeCheck.VALID, user, left) if user is not None else (CodeCheck.WRONG, None, 0)


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
    held = getattr(user, "citizen", None)
    if date_of_birth is not None and "date_of_birth" not in errors and held is not None and held.cccd:
        # The CCCD's digits were checked against the date of birth; a new one must agree with them too.
        problems = cccd_problems(held.cccd, date_of_birth=date_of_birth)
        if problems:
            errors["date_of_birth"] = problems
    with _claim_locks(phone and f"phone:{phone}", email and f"email:{email}"), transaction.atomic():
        duplicates = _duplicate_messages()
        for field, taken in contact_owner(phone=phone, email=email, exclude=user).items():
            if taken:
                errors.setdefault(field, []).append(duplicates[field])
        _raise(errors)
        profile = CitizenProfile.objects.select_related("user").select_for_update().get(user_id=user.pk)
        user = profile.user
        email_changed = (user.email or "").lower() != email
        if user.phone != phone:
            profile.phone_verified_at = None
        user.phone, user.email = phone, email
        profile.address = " ".join((address or "").split())
        profile.date_of_birth = date_of_birth
        if email_changed:
            profile.email_verified_at = None
        user.full_clean()
        user.save(update_fields=["phone", "email"])
        profile.full_clean(exclude=["user"])
        profile.save(update_fields=["address", "date_of_birth", "email_verified_at", "phone_verified_at"])
        if email_changed and email:
            citizen_email_verification_send(user=user, at=at)
    return user


def citizen_notice_channels_set(*, user: User, channels: list[str], at: dt.datetime) -> CitizenProfile:
    """The channels the citizen wants to hear about their dossiers on; at least one stays chosen.

    Stored in the order of NoticeChannel, whatever order the form sent them in.
    """
    chosen = [code for code in NoticeChannel.values if code in set(channels)]
    unknown = sorted(set(channels) - set(NoticeChannel.values))
    if unknown:
        _raise({"channels": [_("Kênh không hợp lệ: %(codes)s.") % {"codes": ", ".join(unknown)}]})
    if not chosen:
        _raise({"channels": [_("Hãy chọn ít nhất một kênh nhận thông báo: thư điện tử, tin nhắn SMS hoặc Zalo.")]})
    with transaction.atomic():
        profile = CitizenProfile.objects.select_for_update().get(user_id=user.pk)
        profile.notice_channels = chosen
        profile.full_clean(exclude=["user"])
        profile.save(update_fields=["notice_channels"])
    return profile


# --- passwords ----------------------------------------------------------------------------------


@transaction.atomic
def citizen_password_set(
    *, user: User, password: str, at: dt.datetime, email_proven: bool = False, phone_proven: bool = False
) -> User:
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
    # The SMS reset code reached the phone: it confirms the number as the registration code would.
    if phone_proven and user.phone and profile is not None and profile.phone_verified_at is None:
        profile.phone_verified_at = at
        profile.save(update_fields=["phone_verified_at"])
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


class CccdHeldUnverified(Exception):
    """An identity provider vouched for a CCCD that an unverified account holds: the person chooses
    between logging in to it (it is theirs) and claiming the CCCD from it (it is a squatter's)."""

    def __init__(self, cccd: str) -> None:
        super().__init__(cccd)
        self.cccd = cccd


def _identity_cccd(identity: Identity) -> str:
    try:
        return normalise_cccd(identity.cccd)
    except ValidationError:
        raise ValidationError(
            _("Tài khoản định danh không cung cấp số CCCD hợp lệ nên không thể đăng nhập."), code="no_cccd"
        ) from None


def _mark_verified(
    profile: CitizenProfile,
    *,
    via: str,
    at: dt.datetime,
    officer: User | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    profile.identity_verified_at = at
    profile.identity_verified_via = via
    profile.identity_verified_by = officer
    profile.full_clean(exclude=["user"])
    profile.save(update_fields=["identity_verified_at", "identity_verified_via", "identity_verified_by"])
    audit_event(
        actor=officer or profile.user,
        action="citizen_identity_verified",
        target=profile,
        data={"cccd": profile.cccd, "via": via, "account": profile.user.username, **(data or {})},
    )


def citizen_from_identity(*, identity: Identity, provider: str, at: dt.datetime | None = None) -> User:
    """The citizen account of a person an identity provider vouched for, created on first login.

    Linked by CCCD: the account holding the same CCCD if it is verified (VNeID earlier, or a desk),
    and that account becomes verified through this provider if it was not; otherwise a new, verified
    account without a password. An unverified account holding the CCCD raises CccdHeldUnverified:
    it may be the person's own (they log in with the password and verify) or a squatter's (they claim
    it, citizen_cccd_claim). Raises ValidationError if the identity has no valid CCCD or the account
    is disabled.
    """
    at = at or dt.datetime.now(tz=dt.UTC)
    cccd = _identity_cccd(identity)
    disabled = ValidationError(
        _("Tài khoản này đang bị khóa. Vui lòng liên hệ Trung tâm Phục vụ hành chính công."), code="disabled"
    )
    with _claim_locks(cccd), transaction.atomic():
        profile = CitizenProfile.objects.select_related("user").select_for_update().filter(cccd=cccd).first()
        if profile is not None:
            user = profile.user
            if not user.is_active or user.kind != AccountKind.CITIZEN:
                raise disabled
            if profile.identity_verified_at is None:
                raise CccdHeldUnverified(cccd)
            _complete_from_identity(profile, identity)
            return user
        return _account_from_identity(identity=identity, cccd=cccd, provider=provider, at=at)


def _complete_from_identity(profile: CitizenProfile, identity: Identity) -> None:
    """Fill what the account leaves blank from the identity (the person may have changed the rest on purpose)."""
    user = profile.user
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


def _account_from_identity(*, identity: Identity, cccd: str, provider: str, at: dt.datetime) -> User:
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
    _mark_verified(profile, via=IdentityCheck.VNEID, at=at, data={"provider": provider})
    return user


def citizen_identity_verify(*, user: User, identity: Identity, provider: str, at: dt.datetime) -> CitizenProfile:
    """The logged-in citizen proves through the identity provider that their account's CCCD is theirs.

    ValidationError if the provider vouches for another CCCD (the account's number is mistyped or
    someone else's: the desk sorts it out) or the account has no CCCD.
    """
    cccd = _identity_cccd(identity)
    with transaction.atomic():
        profile = CitizenProfile.objects.select_related("user").select_for_update().filter(user_id=user.pk).first()
        if profile is None or not profile.cccd:
            raise ValidationError(_("Tài khoản này không gắn với số CCCD nên không cần xác minh danh tính."))
        if profile.cccd == cccd:
            if profile.identity_verified_at is None:
                _mark_verified(profile, via=IdentityCheck.VNEID, at=at, data={"provider": provider})
                _complete_from_identity(profile, identity)
            return profile
    # Recorded outside the refused transaction: a mismatch may be a squatter trying someone's number.
    audit_event(
        actor=user,
        action="citizen_identity_mismatch",
        target=profile,
        data={"cccd": profile.cccd, "provider_cccd": cccd, "provider": provider},
    )
    raise ValidationError(
        _(
            "Số CCCD trên VNeID khác với số CCCD của tài khoản này, nên không thể xác minh. "
            "Vui lòng mang thẻ CCCD đến bộ phận một cửa để được hỗ trợ."
        )
    )


def _ensure_identity_officer(officer: User) -> None:
    if not (officer.is_active and officer.kind == AccountKind.OFFICIAL and officer.has_perm(IDENTITY_PERMISSION)):
        raise PermissionDenied(_("Chỉ cán bộ tiếp nhận mới xác minh danh tính tại quầy."))


def desk_identity_lookup(*, cccd: str, officer: User) -> CitizenProfile | None:
    """The account holding this CCCD, for the officer with the person and their card at the counter; audited."""
    _ensure_identity_officer(officer)
    profile = profile_with_identifier(cccd=cccd)
    audit_event(
        actor=officer,
        action="desk_identity_lookup",
        target=f"CCCD {cccd}",
        data={"cccd": cccd, "account": profile.user.username if profile else None},
    )
    return profile


def citizen_identity_verify_at_desk(
    *, profile: CitizenProfile, officer: User, card_checked: bool, at: dt.datetime
) -> CitizenProfile:
    """An officer who looked at the person's CCCD card (photo, number, name) verifies their account; audited."""
    _ensure_identity_officer(officer)
    if not card_checked:
        raise ValidationError(
            {"card_checked": _("Hãy kiểm tra thẻ CCCD bản gốc của người đến quầy và đánh dấu xác nhận.")}
        )
    with transaction.atomic():
        profile = CitizenProfile.objects.select_related("user").select_for_update().get(pk=profile.pk)
        if not profile.cccd:
            raise ValidationError(_("Tài khoản này không gắn với số CCCD nên không cần xác minh danh tính."))
        if profile.identity_verified_at is None:
            _mark_verified(profile, via=IdentityCheck.DESK, at=at, officer=officer)
    return profile


def _claimed_notice(*, squatter: User, cccd: str, via: str, at: dt.datetime) -> Message | None:
    if not (squatter.phone or squatter.email):
        return None
    channel, address = (ChannelCode.SMS, squatter.phone) if squatter.phone else (ChannelCode.EMAIL, squatter.email)
    return message_enqueue(
        channel=channel,
        template_key=MessageKey.CCCD_CLAIMED,
        dedupe_key=f"{MessageKey.CCCD_CLAIMED}:{squatter.pk}:{uuid.uuid4().hex}",
        at=at,
        user=squatter,
        address=address,
        context={
            "cccd": cccd,
            "via": "qua VNeID" if via == IdentityCheck.VNEID else "tại bộ phận một cửa",
        },
    )


def citizen_cccd_claim(
    *,
    cccd: str,
    at: dt.datetime,
    identity: Identity | None = None,
    provider: str = "",
    officer: User | None = None,
    card_checked: bool = False,
    full_name: str = "",
    phone: str = "",
    date_of_birth: dt.date | None = None,
    sex: str = "",
) -> User:
    """The verified holder of a CCCD takes it back from the unverified account that registered it.

    Through VNeID (`identity`, which must carry this CCCD) or at a desk (`officer`, who checked the
    card and types the holder's name, date of birth, sex and phone). The holder gets a new verified
    account with the CCCD (no password yet: VNeID logs them in; from the desk they set one with
    "Quên mật khẩu" by SMS); the other account keeps everything else but loses the CCCD and is told.
    Both steps are audited. A CCCD held by a verified account cannot be claimed this way.
    """
    errors: dict[str, list[str]] = {}
    cccd = _normalised(errors, "cccd", cccd, normalise_cccd)
    if identity is not None:
        via = IdentityCheck.VNEID
        if not cccd or _identity_cccd(identity) != cccd:
            raise ValidationError(_("VNeID không xác nhận số CCCD này."))
    else:
        via = IdentityCheck.DESK
        if officer is None:
            raise PermissionDenied(_("Chỉ cán bộ tiếp nhận mới xác minh danh tính tại quầy."))
        _ensure_identity_officer(officer)
        if not card_checked:
            errors["card_checked"] = [_("Hãy kiểm tra thẻ CCCD bản gốc của người đến quầy và đánh dấu xác nhận.")]
        full_name = " ".join((full_name or "").split())
        if not full_name:
            errors["full_name"] = [_("Hãy nhập họ và tên như trên thẻ CCCD.")]
        phone = _normalised(errors, "phone", phone, normalise_phone)
        if not phone and "phone" not in errors:
            errors["phone"] = [_("Hãy nhập số điện thoại di động của chủ thẻ (để đặt mật khẩu bằng mã SMS).")]
        problems = cccd_problems(cccd, date_of_birth=date_of_birth, sex=sex) if cccd else []
        if problems:
            errors["cccd"] = problems
    _raise(errors)
    with _claim_locks(cccd, phone and f"phone:{phone}"), transaction.atomic():
        held = CitizenProfile.objects.select_related("user").select_for_update().filter(cccd=cccd).first()
        if held is None:
            raise ValidationError({"cccd": [_("Số CCCD này chưa gắn với tài khoản nào; không có gì để nhận lại.")]})
        if held.identity_verified_at is not None:
            raise ValidationError(
                {"cccd": [_("Số CCCD này đã được xác minh cho một tài khoản; không thể nhận lại theo cách này.")]}
            )
        if phone and contact_owner(phone=phone).get("phone"):
            raise ValidationError({"phone": [_("Số điện thoại này đã dùng cho một tài khoản khác.")]})
        squatter = held.user
        held.cccd = None
        held.identity_verified_at = None
        held.full_clean(exclude=["user"])
        held.save(update_fields=["cccd", "identity_verified_at"])
        actor = officer if officer is not None else None
        if identity is not None:
            user = _account_from_identity(identity=identity, cccd=cccd, provider=provider or "vneid", at=at)
        else:
            user = User(
                username=_unique_username(f"cccd-{cccd}"),
                kind=AccountKind.CITIZEN,
                full_name=full_name[:150],
                phone=phone,
                is_staff=False,
            )
            user.set_unusable_password()
            user.full_clean()
            user.save()
            profile = CitizenProfile(
                user=user,
                applicant_kind=ApplicantKind.INDIVIDUAL,
                cccd=cccd,
                date_of_birth=date_of_birth,
                sex=sex,
                identity_provider=PASSWORD_PROVIDER,
            )
            profile.full_clean(exclude=["user"])
            profile.save()
            _mark_verified(profile, via=IdentityCheck.DESK, at=at, officer=officer)
        audit_event(
            actor=actor or user,
            action="citizen_cccd_claimed",
            target=held,
            data={"cccd": cccd, "via": via, "from_account": squatter.username, "to_account": user.username},
        )
        _claimed_notice(squatter=squatter, cccd=cccd, via=via, at=at)
    return user
