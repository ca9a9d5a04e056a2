"""A throwaway certification authority for tests: agency certificates as PKCS#12 files, an expired
one, one from another authority, one issued to somebody else; and a real one-page PDF to sign.

Import the fixture into a test module (`from tests.signing_support import signing_keys`).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from django.core.files.base import ContentFile

from onestop_tayninh.signing import demo

UTC = dt.UTC
VALID_FROM = dt.datetime(2026, 1, 1, tzinfo=UTC)
VALID_TO = dt.datetime(2030, 12, 31, tzinfo=UTC)


@dataclass
class SigningKeys:
    directory: Path
    ca: demo.KeyPair
    other_ca: demo.KeyPair
    made: dict[str, demo.KeyPair] = field(default_factory=dict)

    def issue(
        self,
        code: str,
        holder: str,
        *,
        expired: bool = False,
        other_ca: bool = False,
    ) -> demo.KeyPair:
        """Write {code}.p12 for the agency `code`, issued to `holder`."""
        ca = self.other_ca if other_ca else self.ca
        valid_from, valid_to = (
            (dt.datetime(2020, 1, 1, tzinfo=UTC), dt.datetime(2021, 1, 1, tzinfo=UTC))
            if expired
            else (VALID_FROM, VALID_TO)
        )
        pair = demo.make_signing_certificate(ca, holder=holder, valid_from=valid_from, valid_to=valid_to)
        (self.directory / f"{code}.p12").write_bytes(pair.pkcs12(chain=[ca.certificate]))
        self.made[code] = pair
        return pair


@pytest.fixture
def signing_keys(tmp_path, settings) -> SigningKeys:
    directory = tmp_path / "signing"
    directory.mkdir()
    ca = demo.make_ca("CA kiểm thử", valid_from=VALID_FROM, valid_to=VALID_TO)
    other = demo.make_ca("CA lạ", valid_from=VALID_FROM, valid_to=VALID_TO)
    (directory / "ca.pem").write_bytes(ca.pem())
    settings.ONESTOP_SIGNING_BACKEND = "pkcs12"
    settings.ONESTOP_SIGNING_TRUST_ROOTS = [str(directory / "ca.pem")]
    settings.ONESTOP_SIGNING_PKCS12_FILE = str(directory / "{agency}.p12")
    settings.ONESTOP_SIGNING_PKCS12_PASSPHRASE = ""
    return SigningKeys(directory, ca, other)


def draft_pdf(title: str = "QUYẾT ĐỊNH", name: str = "du-thao.pdf") -> ContentFile:
    """A real one-page A4 PDF with Vietnamese text, as a handler would upload."""
    if "TestSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("TestSans", "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.setFont("TestSans", 14)
    page.drawString(72, 760, title)
    page.drawString(72, 730, "Về việc cấp phiếu lý lịch tư pháp cho bà Lê Thị Hồng")
    page.showPage()
    page.save()
    return ContentFile(buffer.getvalue(), name=name)


def demo_look(agency_name: str):
    """The visible stamp of a result numbered 01 by `agency_name` on 3 March 2027."""
    from onestop_tayninh.signing.appearance import Appearance

    return Appearance(
        number="Số: 01/QĐ-STP",
        date_line="Tây Ninh, ngày 03 tháng 3 năm 2027",
        agency=agency_name,
        approver="Nguyễn Văn Hùng",
        signed_at="08:30 03/03/2027",
        verify_url="http://127.0.0.1:8000/xac-minh-ket-qua/",
    )
