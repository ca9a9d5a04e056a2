"""Secrets we must keep but never show, sealed at rest (a Zalo OA's tokens).

`seal(text)` encrypts with Fernet (AES-128-CBC and HMAC-SHA256) under a key derived from SECRET_KEY
(HKDF-SHA256, its own salt, so the key serves nothing else); `unseal(value)` opens it with the key of
SECRET_KEY or of any key still listed in SECRET_KEY_FALLBACKS, so rotating SECRET_KEY the Django way
keeps old values readable until they are written again. A database dump alone gives no token.

Sealed values start with "enc1:"; `unseal` returns any other value unchanged (a row written before
sealing), and the next write seals it.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from django.conf import settings

PREFIX = "enc1:"
_SALT = b"onestop_tayninh.security.sealing"


class SealBroken(Exception):
    """A sealed value that no known key opens (SECRET_KEY changed without keeping the old one)."""


def _fernet(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=b"sealed-field").derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> MultiFernet:
    return MultiFernet([_fernet(settings.SECRET_KEY), *(_fernet(key) for key in settings.SECRET_KEY_FALLBACKS)])


def seal(text: str) -> str:
    if not text:
        return ""
    return PREFIX + _keys().encrypt(text.encode()).decode()


def unseal(value: str) -> str:
    if not value or not value.startswith(PREFIX):
        return value
    try:
        return _keys().decrypt(value[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise SealBroken("Không mở được giá trị đã mã hóa: khóa bí mật của hệ thống đã đổi.") from exc
