"""Checks on the agency's certificate before anything is signed, and the trust roots they use.

A result signed with a certificate that is expired, not issued by a trusted certification
authority, or issued to somebody else would be worthless to the citizen: the clerk is told why in
Vietnamese and nothing is numbered or issued (the caller's transaction rolls back).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import NameOID

from django.conf import settings
from django.utils.translation import gettext as _

from .base import SigningConfigurationError, SigningError

if TYPE_CHECKING:
    from onestop_tayninh.directory.models import Agency

# A chain longer than this is not one a provincial agency's certificate comes with.
MAX_CHAIN = 6


def trust_root_paths() -> list[Path]:
    return [Path(p) for p in settings.ONESTOP_SIGNING_TRUST_ROOTS if str(p).strip()]


@lru_cache(maxsize=8)
def _load_roots(paths: tuple[str, ...], stamps: tuple[float, ...]) -> tuple[x509.Certificate, ...]:
    roots: list[x509.Certificate] = []
    for path in paths:
        roots.extend(x509.load_pem_x509_certificates(Path(path).read_bytes()))
    return tuple(roots)


def trust_roots() -> tuple[x509.Certificate, ...]:
    """The certification authorities whose certificates the province trusts (ONESTOP_SIGNING_TRUST_ROOTS)."""
    paths = [p for p in trust_root_paths() if p.is_file()]
    if not paths:
        raise SigningConfigurationError(
            _(
                "Chưa cấu hình chứng thư số gốc được tin cậy (ONESTOP_SIGNING_TRUST_ROOTS); không ký, không xác minh được."
            )
        )
    return _load_roots(tuple(str(p) for p in paths), tuple(p.stat().st_mtime for p in paths))


def _name(certificate: x509.Certificate) -> str:
    for oid in (NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME):
        values = certificate.subject.get_attributes_for_oid(oid)
        if values:
            return str(values[0].value)
    return certificate.subject.rfc4514_string()


def holder_names(certificate: x509.Certificate) -> list[str]:
    """The names the certificate is issued to (organisation, common name)."""
    return [
        str(attribute.value)
        for oid in (NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME)
        for attribute in certificate.subject.get_attributes_for_oid(oid)
    ]


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    if certificate.issuer != issuer.subject:
        return False
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):  # a wrong signature or key type: not issued by it
        return False
    return True


def check_signing_certificate(
    certificate: x509.Certificate, *, chain: Iterable[x509.Certificate] = (), agency: Agency, at: dt.datetime
) -> None:
    """Raise SigningError unless `certificate` is valid at `at`, chains to a trust root and names `agency`
    (or a body above it: one certificate for the province's People's Committee signs for its own)."""
    holder = _name(certificate)
    if at < certificate.not_valid_before_utc:
        raise SigningError(
            _("Chứng thư số của “%(holder)s” chỉ có hiệu lực từ ngày %(date)s; chưa ký được.")
            % {"holder": holder, "date": f"{certificate.not_valid_before_utc:%d/%m/%Y}"}
        )
    if at > certificate.not_valid_after_utc:
        raise SigningError(
            _(
                "Chứng thư số của “%(holder)s” đã hết hạn ngày %(date)s; không ký được. "
                "Hãy gia hạn chứng thư số rồi phát hành lại."
            )
            % {"holder": holder, "date": f"{certificate.not_valid_after_utc:%d/%m/%Y}"}
        )
    roots = trust_roots()
    others = [c for c in chain if c != certificate]
    current = certificate
    for _step in range(MAX_CHAIN):
        if any(_issued_by(current, root) for root in roots):
            break
        parent = next((c for c in others if _issued_by(current, c)), None)
        if parent is None or not (parent.not_valid_before_utc <= at <= parent.not_valid_after_utc):
            current = None  # type: ignore[assignment]
            break
        current = parent
    else:
        current = None  # type: ignore[assignment]
    if current is None:
        raise SigningError(
            _(
                "Chứng thư số của “%(holder)s” không do tổ chức chứng thực được tin cậy cấp "
                "(nơi cấp: %(issuer)s); không ký được."
            )
            % {"holder": holder, "issuer": certificate.issuer.rfc4514_string()}
        )
    names = {_normal(name) for name in holder_names(certificate)}
    body: Agency | None = agency
    while body is not None:
        if {_normal(body.name), _normal(body.short_name or "")} & names:
            return
        body = body.parent
    raise SigningError(
        _("Chứng thư số cấp cho “%(holder)s”, không phải cho %(agency)s; không ký được.")
        % {"holder": holder, "agency": agency.name}
    )
