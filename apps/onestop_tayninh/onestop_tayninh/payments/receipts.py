"""The electronic receipt's PDF (biên lai thu phí, lệ phí điện tử; Decree 123/2020/NĐ-CP).

The legal fields were fixed when the number was taken (`services.receipt_issue`); this module only
draws them, with the printed forms' look: `printing`'s stylesheet (A5 portrait, the serif font the
project ships) under the receipt's own `payments/receipt.css`, through `core.pdf.html_to_pdf`, which
fetches nothing but our own files. The PDF is kept once with the receipt and shared with the payer's
vault when the dossier belongs to an account; a second run of the job writes nothing more.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop_tayninh.calendars.engine import VIETNAM_TZ
from onestop_tayninh.catalog.constants import FeeKind
from onestop_tayninh.core.pdf import html_to_pdf
from onestop_tayninh.core.text import amount_in_words, money
from onestop_tayninh.printing.form_contexts import heading_for, vn_date_line, vn_datetime
from onestop_tayninh.printing.rendering import STYLESHEET as FORMS_STYLESHEET
from onestop_tayninh.printing.rendering import qr_data_uri
from onestop_tayninh.signing.appearance import Appearance
from onestop_tayninh.signing.base import SigningError
from onestop_tayninh.signing.services import pdf_sign
from onestop_tayninh.vault.services import vault_receipt_keep

from .models import Receipt

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static" / "payments"
TEMPLATE = "payments/receipt.html"


def file_name(receipt: Receipt) -> str:
    """The name the citizen downloads: `bien-lai-TN-26E-0000001.pdf`."""
    return f"bien-lai-{receipt.series}-{receipt.number:07d}.pdf"


def qr_content(receipt: Receipt) -> str:
    """What the receipt's QR code says: enough to find it and check its amount, no personal data."""
    issued = receipt.issued_at.astimezone(VIETNAM_TZ)
    return "|".join(
        [
            "BLDT",
            receipt.form_symbol,
            receipt.series,
            f"{receipt.number:07d}",
            str(receipt.amount),
            f"{issued:%d/%m/%Y}",
            receipt.order.reference,
        ]
    )


def receipt_context(receipt: Receipt) -> dict[str, Any]:
    order = receipt.order
    dossier = order.dossier
    version = dossier.procedure_version
    txn = order.paid_transaction
    lines = [
        {
            "name": line.name,
            "kind": FeeKind(line.kind).label if line.kind in FeeKind.values else line.kind,
            "quantity": line.quantity,
            "unit_amount": money(line.unit_amount),
            "amount": money(line.amount),
            "exemption": line.exemption,
        }
        for line in order.lines.all()
    ]
    collector = ""
    if txn is not None and txn.recorded_by is not None:
        user = txn.recorded_by
        collector = getattr(user, "full_name", "") or user.get_full_name() or user.get_username()
    return {
        "receipt": receipt,
        "heading": heading_for(receipt.agency),
        "agency_name": receipt.agency.name,
        "tax_code": settings.ONESTOP_RECEIPT_TAX_CODE,
        "number": f"{receipt.number:07d}",
        "date_line": vn_date_line("", receipt.issued_at),
        "paid_at": vn_datetime(order.paid_at or receipt.issued_at),
        "procedure": {"name": version.name, "code": version.procedure.code},
        "dossier_code": dossier.code,
        "order": order,
        "lines": lines,
        "total": money(receipt.amount),
        "total_in_words": amount_in_words(receipt.amount),
        "collector": collector,
        "qr": qr_data_uri(qr_content(receipt)),
    }


def receipt_pdf(receipt: Receipt, *, signed: bool = True) -> bytes:
    html = render_to_string(TEMPLATE, {**receipt_context(receipt), "signed": signed})
    return html_to_pdf(html, base_url=STATIC_DIR, stylesheet=FORMS_STYLESHEET)


def signed_receipt_pdf(receipt: Receipt, *, at: dt.datetime) -> tuple[bytes, str]:
    """The receipt drawn and signed with the collecting body's key (the signer in use, PAdES), and the
    certificate's holder. A body the signer has no valid key for gets a receipt that says it is not
    signed, and the log says why: a payment is never held back for want of a certificate."""
    pdf = receipt_pdf(receipt, signed=True)
    local, issued = at.astimezone(VIETNAM_TZ), receipt.issued_at.astimezone(VIETNAM_TZ)
    try:
        signed = pdf_sign(
            pdf=pdf,
            agency=receipt.agency,
            at=at,
            reason=_("Biên lai thu phí, lệ phí %(reference)s") % {"reference": receipt.reference},
            look=Appearance(
                number=_("%(number)s, ký hiệu %(series)s")
                % {"number": f"{receipt.number:07d}", "series": receipt.series},
                date_line=f"{receipt.agency.place or receipt.agency.name}, ngày {issued:%d} tháng {issued:%m} năm {issued:%Y}",
                agency=receipt.agency.name,
                approver="",
                signed_at=f"{local:%H:%M %d/%m/%Y}",
                verify_url=settings.ONESTOP_SITE_URL.rstrip("/") + "/",
            ),
        )
    except SigningError as exc:
        logger.warning("receipt not signed", extra={"receipt": receipt.pk, "reason": str(exc.messages[0])})
        return receipt_pdf(receipt, signed=False), ""
    return signed.data, signed.signer


def receipt_render(*, receipt_id: int, at: dt.datetime | None = None) -> Receipt:
    """Draw the receipt's PDF once and keep it; then keep it in the payer's vault (safe to run twice).

    The drawing happens outside the transaction (WeasyPrint takes a while); a run that finds the
    file already saved by another keeps the first one and throws its own away.
    """
    at = at or timezone.now()
    receipt = Receipt.objects.select_related(
        "agency__parent",
        "order__dossier__procedure_version__procedure",
        "order__paid_transaction__recorded_by",
    ).get(pk=receipt_id)
    pdf, signer = (None, "") if receipt.file else signed_receipt_pdf(receipt, at=at)
    with transaction.atomic():
        locked = Receipt.objects.select_for_update().get(pk=receipt_id)
        if not locked.file and pdf is not None:
            locked.sha256 = hashlib.sha256(pdf).hexdigest()
            locked.signer = signer[:255]
            locked.file.save(file_name(locked), ContentFile(pdf), save=False)
            try:
                locked.save(update_fields=["file", "sha256", "signer"])
            except Exception:
                locked.file.delete(save=False)
                raise
        dossier = receipt.order.dossier
        if locked.file and dossier.applicant_account_id:
            vault_receipt_keep(
                owner_id=dossier.applicant_account_id,
                dossier=dossier,
                file_name=locked.file.name,
                size=locked.file.size,
                sha256=locked.sha256,
                title=_("Biên lai thu phí, lệ phí số %(number)s: %(procedure)s")
                % {"number": f"{locked.number:07d}", "procedure": dossier.procedure_version.name},
                issuer=locked.agency.name,
                number=f"{locked.series} {locked.number:07d}",
                issue_date=locked.issued_at.astimezone(VIETNAM_TZ).date(),
                at=at,
            )
    return locked
