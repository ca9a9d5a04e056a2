"""A certification authority and agency certificates for demonstration and tests (never production).

`make_demo_certificates` writes them under var/ for `make run`; the tests make throwaway ones the
same way (an expired certificate, one from another authority).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

if TYPE_CHECKING:
    from onestop_tayninh.directory.models import Agency


@dataclass(frozen=True)
class KeyPair:
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    def pkcs12(self, *, chain: list[x509.Certificate], passphrase: str = "") -> bytes:
        encryption = (
            serialization.BestAvailableEncryption(passphrase.encode()) if passphrase else serialization.NoEncryption()
        )
        return pkcs12.serialize_key_and_certificates(b"signer", self.key, self.certificate, chain, encryption)


#: A common name is at most 64 bytes (RFC 5280, ub-common-name); the organisation keeps the full name.
COMMON_NAME_BYTES = 64


def _common(name: str) -> str:
    return name.encode()[:COMMON_NAME_BYTES].decode(errors="ignore").strip()


def _name(common: str, organisation: str | None = None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if organisation:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, _common(common)))
    return x509.Name(attributes)


def make_ca(name: str, *, valid_from: dt.datetime, valid_to: dt.datetime) -> KeyPair:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name(name)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_to)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return KeyPair(certificate, key)


def make_signing_certificate(ca: KeyPair, *, holder: str, valid_from: dt.datetime, valid_to: dt.datetime) -> KeyPair:
    """A certificate for an agency's document signatures, issued by `ca` to the organisation `holder`."""
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(holder, holder))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_to)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    return KeyPair(certificate, key)


def load(certificate_pem: bytes, key_pem: bytes) -> KeyPair:
    key = serialization.load_pem_private_key(key_pem, password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return KeyPair(x509.load_pem_x509_certificate(certificate_pem), key)


CA_NAME = "CA thử nghiệm Một cửa Tây Ninh (không dùng thật)"
#: Demo certificates reach back this far, so the demo's history (months before today) can be signed.
DEMO_PAST = dt.timedelta(days=3 * 365)


def ensure_demo_certificates(agencies: Iterable[Agency], *, now: dt.datetime) -> tuple[Path, int]:
    """The demo authority (made once, next to the first trust root) and a PKCS#12 file for each of
    `agencies` still without one; returns the authority's certificate path and how many files were made."""
    from django.conf import settings

    from .contrib.pkcs12.plugin import pkcs12_path

    ca_pem = Path(settings.ONESTOP_SIGNING_TRUST_ROOTS[0])
    ca_key = ca_pem.with_suffix(".key")
    ca_pem.parent.mkdir(parents=True, exist_ok=True)
    if ca_pem.is_file() and ca_key.is_file():
        ca = load(ca_pem.read_bytes(), ca_key.read_bytes())
    else:
        ca = make_ca(CA_NAME, valid_from=now - DEMO_PAST, valid_to=now + dt.timedelta(days=3650))
        ca_key.write_bytes(ca.key_pem())
        ca_key.chmod(0o600)
        ca_pem.write_bytes(ca.pem())
    made = 0
    for agency in agencies:
        path = pkcs12_path(agency)
        if path.is_file():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        pair = make_signing_certificate(
            ca, holder=agency.name, valid_from=now - DEMO_PAST, valid_to=now + dt.timedelta(days=1095)
        )
        path.write_bytes(pair.pkcs12(chain=[ca.certificate], passphrase=settings.ONESTOP_SIGNING_PKCS12_PASSPHRASE))
        path.chmod(0o600)
        made += 1
    return ca_pem, made
