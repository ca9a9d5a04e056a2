"""Signing a document PAdES with the agency's certificate (pyHanko), after checking the certificate.

`pdf_sign` is what the records clerk's step calls (dossiers.results): it opens the agency's key
through the configured signer plugin, refuses a certificate that is expired, untrusted or issued to
somebody else, and appends one signature whose appearance carries the number and date, the agency,
the approving head and a QR code to the verification page. The result is a new PDF; the input is
not changed.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptography import x509

from django.utils.translation import gettext as _

from . import appearance as drawing
from .base import SigningError, outside_event_loop
from .certificates import check_signing_certificate, holder_names
from .registry import current_signer

if TYPE_CHECKING:
    from onestop_tayninh.directory.models import Agency

FIELD_NAME = "KyPhatHanh"
#: Distance of the stamp from the page's bottom and right edges, in points.
MARGIN = 28.0


@dataclass(frozen=True)
class SignedPdf:
    data: bytes
    #: The certificate's holder, as written in it.
    signer: str
    serial: str


def _crypto(certificate: Any) -> x509.Certificate:
    return x509.load_der_x509_certificate(certificate.dump())


def pdf_sign(*, pdf: bytes, agency: Agency, at: dt.datetime, look: drawing.Appearance, reason: str) -> SignedPdf:
    """Sign `pdf` for `agency` as of `at`; raises SigningError (Vietnamese) and signs nothing on any refusal."""
    from pyhanko.pdf_utils.content import ImportedPdfPage
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import StaticStampStyle

    with current_signer().open(agency=agency) as signer:
        certificate = _crypto(signer.signing_cert)
        chain = [_crypto(c) for c in (signer.cert_registry or [])]
        check_signing_certificate(certificate, chain=chain, agency=agency, at=at)
        try:
            writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
            last = int(writer.root["/Pages"]["/Count"]) - 1
            page_ref = writer.find_page_for_modification(last)[0]  # type: ignore[no-untyped-call]
            box = [float(v) for v in page_ref.get_object()["/MediaBox"]]
        except Exception as exc:
            raise SigningError(_("Tệp văn bản không phải PDF đọc được, hoặc đã được mã hóa; không ký được.")) from exc
        right, bottom = box[2] - MARGIN, box[1] + MARGIN
        stamp_box = (int(right - drawing.WIDTH), int(bottom), int(right), int(bottom + drawing.HEIGHT))
        with tempfile.NamedTemporaryFile(suffix=".pdf") as background:
            background.write(drawing.draw(look))
            background.flush()
            page = ImportedPdfPage(background.name)  # type: ignore[no-untyped-call]
            style = StaticStampStyle(background=page, border_width=0)
            meta = signers.PdfSignatureMetadata(
                field_name=FIELD_NAME,
                reason=reason,
                location=look.date_line.split(",")[0],
                name=look.agency,
                subfilter=fields.SigSeedSubFilter.PADES,
                md_algorithm="sha256",
            )
            spec = fields.SigFieldSpec(FIELD_NAME, on_page=last, box=stamp_box)
            output = io.BytesIO()
            try:
                pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=style, new_field_spec=spec)
                outside_event_loop(lambda: pdf_signer.sign_pdf(writer, output=output))
            except SigningError:
                raise
            except Exception as exc:
                raise SigningError(_("Không ký được văn bản (%(error)s).") % {"error": exc}) from exc
    holder = (holder_names(certificate) or [look.agency])[0]
    return SignedPdf(data=output.getvalue(), signer=holder, serial=format(certificate.serial_number, "X"))
