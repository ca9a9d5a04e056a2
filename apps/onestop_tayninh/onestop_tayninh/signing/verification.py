"""Is this PDF a result the province signed, unchanged since? (the public verification page)

pyHanko validates the last signature against the configured trust roots, with no network fetching
(the demo CA publishes no revocation lists); the answer is one of a few verdicts a citizen can read.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from .base import SigningError, outside_event_loop
from .certificates import trust_roots

logger = logging.getLogger("onestop_tayninh.signing.verification")


class Verdict:
    GENUINE = "genuine"
    CHANGED = "changed"
    UNTRUSTED = "untrusted"
    UNSIGNED = "unsigned"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class Verification:
    verdict: str
    message: str
    signer: str = ""
    signed_at: dt.datetime | None = None

    @property
    def genuine(self) -> bool:
        return self.verdict == Verdict.GENUINE


def verify_pdf(data: bytes) -> Verification:
    """The verdict on `data`: genuine and unchanged, changed after signing, untrusted, unsigned, unreadable."""
    from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped]
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        roots = [asn1_x509.Certificate.load(root.public_bytes(_der())) for root in trust_roots()]
    except SigningError as exc:
        # A server without its trust roots: the setting's name is for the log, not for the citizen.
        logger.error("verification_unavailable error=%s", " ".join(exc.messages))
        return Verification(
            Verdict.UNREADABLE,
            _("Hệ thống tạm thời chưa xác minh được chữ ký số. Vui lòng thử lại sau, hoặc hỏi bộ phận một cửa."),
        )
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # noqa: BLE001 - whatever the parser says, the file is not a readable PDF
        return Verification(
            Verdict.UNREADABLE, _("Không đọc được tệp: đây không phải tệp PDF hợp lệ, hoặc tệp đã hỏng.")
        )
    if not signatures:
        return Verification(
            Verdict.UNSIGNED, _("Tệp không có chữ ký số: không phải bản điện tử của kết quả đã phát hành.")
        )
    signature = signatures[-1]
    context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
    try:
        status = outside_event_loop(lambda: validate_pdf_signature(signature, context))
    except (SignatureValidationError, ValueError, KeyError) as exc:
        logger.info("verification_signature_invalid error=%s", exc)  # pyHanko's words, in English
        return Verification(Verdict.CHANGED, _("Chữ ký số không kiểm tra được: tệp đã bị sửa đổi."))
    signer = _holder(status.signing_cert)
    signed_at = status.signer_reported_dt
    if not status.intact or not status.valid:
        return Verification(
            Verdict.CHANGED,
            _("Tệp đã bị thay đổi sau khi ký: nội dung không còn khớp với chữ ký số. Không dùng được bản này."),
            signer,
            signed_at,
        )
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return Verification(
            Verdict.CHANGED,
            _(
                "Tệp đã bị thêm nội dung sau khi ký (chữ ký số không còn bao trùm toàn bộ tệp). Không dùng được bản này."
            ),
            signer,
            signed_at,
        )
    if not status.trusted:
        return Verification(
            Verdict.UNTRUSTED,
            _("Chữ ký số nguyên vẹn nhưng chứng thư số của “%(signer)s” không do tổ chức chứng thực được tin cậy cấp.")
            % {"signer": signer},
            signer,
            signed_at,
        )
    return Verification(
        Verdict.GENUINE,
        _("Văn bản là bản gốc điện tử, nguyên vẹn từ khi ký số."),
        signer,
        signed_at,
    )


def _der() -> Any:
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


def _holder(certificate: Any) -> str:
    try:
        subject = certificate.subject.native
    except (AttributeError, ValueError):
        return ""
    return str(subject.get("organization_name") or subject.get("common_name") or "")
