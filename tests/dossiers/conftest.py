import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from django.core.files.base import ContentFile

from tests.factories import receiving_world
from tests.support import tiny_pdf

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF_BYTES = tiny_pdf()
# A 1 × 1 white pixel that decodes (the upload gate decodes every image; a broken data stream is refused).
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDAT"
    b"x\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\r\xefF\xb8\x00\x00\x00\x00IEND\xaeB`\x82"
)


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VN)


def pdf(name: str = "to-khai.pdf") -> ContentFile:
    return ContentFile(PDF_BYTES, name=name)


@pytest.fixture
def world():
    return receiving_world()
