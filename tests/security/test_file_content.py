"""Files that are what they say: each upload opens as its type, and what it holds is recorded.

Every bad file is refused with a Vietnamese message naming the file, and nothing is stored: no
row, no file on disk. Good files carry their page count (PDF) or pixel size (images) from the
gate to the draft file and on to the dossier's document.
"""

import io
from pathlib import Path

import pytest
from PIL import Image
from reportlab.pdfgen import canvas

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from onestop_tayninh.dossiers.models import DossierDocument
from onestop_tayninh.dossiers.services import dossier_document_add
from onestop_tayninh.portal.models import DraftFile
from onestop_tayninh.portal.services import DraftChanges, draft_start, draft_submit, draft_update
from onestop_tayninh.security.uploads import check_upload
from tests.dossiers.conftest import local as desk_local
from tests.dossiers.helpers import start
from tests.factories import receiving_world
from tests.portal.conftest import citizen, online, world  # noqa: F401 - fixtures used by name
from tests.workflows.conftest import local

pytestmark = pytest.mark.django_db


def pdf_pages(count: int, label: str = "") -> bytes:
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer)
    for page in range(count):
        sheet.drawString(72, 720, f"Trang {page + 1} {label}")
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def image(kind: str, size=(640, 480), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "white" if mode == "RGB" else 1).save(buffer, "JPEG" if kind == "jpg" else "PNG")
    return buffer.getvalue()


def fake_pdf_53() -> bytes:
    head = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n%%EOF\n"
    return head + b" " * (53 - len(head))


def truncated_pdf() -> bytes:
    whole = pdf_pages(3, "bị cắt")
    return whole[: len(whole) * 2 // 3]


def corrupt_jpeg() -> bytes:
    photo = bytearray(image("jpg", (800, 600)))
    return bytes(photo[: len(photo) // 2])  # the camera app died mid-write


def image_bomb() -> bytes:
    # 80 megapixels of one colour: a few kilobytes of PNG that would take 240 MB to decode in colour.
    return image("png", (10000, 8000), mode="1")


BAD_FILES = {
    "a 53-byte PDF": (
        lambda: fake_pdf_53(),
        "gia-53.pdf",
        "Tệp gia-53.pdf không mở được như một tệp PDF (tệp hỏng, không đầy đủ hoặc không phải PDF thật).",
    ),
    "a PDF named .jpg": (
        lambda: pdf_pages(1),
        "anh-chup.jpg",
        "Tệp anh-chup.jpg có đuôi .jpg nhưng nội dung là PDF; hãy chọn đúng tệp hoặc đổi tên tệp cho đúng loại.",
    ),
    "a JPEG named .pdf": (
        lambda: image("jpg"),
        "to-khai.pdf",
        "Tệp to-khai.pdf có đuôi .pdf nhưng nội dung là ảnh JPEG; hãy chọn đúng tệp hoặc đổi tên tệp cho đúng loại.",
    ),
    "a truncated PDF": (
        truncated_pdf,
        "bi-cat.pdf",
        "Tệp bi-cat.pdf không mở được như một tệp PDF (tệp hỏng, không đầy đủ hoặc không phải PDF thật).",
    ),
    "a corrupt image": (
        corrupt_jpeg,
        "hong.jpg",
        "Tệp hong.jpg không mở được như một ảnh (ảnh hỏng hoặc không đầy đủ).",
    ),
    "an image bomb": (
        image_bomb,
        "bom.png",
        "Ảnh bom.png quá lớn (10000 × 8000 điểm ảnh; tối đa 60 triệu điểm ảnh). "
        "Hãy chụp hoặc quét lại với độ phân giải thấp hơn.",
    ),
}


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_the_gate_refuses_a_file_that_is_not_what_it_says(case):
    make, name, message = BAD_FILES[case]

    with pytest.raises(ValidationError) as refused:
        check_upload(ContentFile(make(), name=name), accepted_types=("pdf", "jpg", "png"), max_bytes=20 * 1024 * 1024)

    assert refused.value.messages == [message]


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_citizen_upload_that_is_not_what_it_says_is_refused_and_nothing_is_stored(online, citizen, case):  # noqa: F811
    make, name, message = BAD_FILES[case]
    at = local(2027, 3, 1, 8, 0)
    draft = draft_start(citizen=citizen, procedure_version=online["online"], at=at)
    requirement = online["online"].documents.get(is_form=False)
    before = stored_files()

    outcome = draft_update(
        draft=draft,
        citizen=citizen,
        changes=DraftChanges(
            form_data={"ho_ten": "Trần Văn Bé"}, uploads=[(requirement, ContentFile(make(), name=name))]
        ),
        at=at,
    )

    assert outcome.file_errors == {requirement.pk: [f"{requirement.name}: {message}"]}
    assert outcome.added == 0 and not DraftFile.objects.exists()
    assert stored_files() == before
    draft.refresh_from_db()
    assert draft.form_data == {"ho_ten": "Trần Văn Bé"}  # what was typed is kept


def test_good_files_record_their_pages_and_pixels_up_to_the_dossier(online, citizen):  # noqa: F811
    at = local(2027, 3, 1, 8, 0)
    version = online["online"]
    declaration = version.documents.get(is_form=True)
    certificate = version.documents.get(is_form=False)
    draft = draft_start(citizen=citizen, procedure_version=version, at=at)

    outcome = draft_update(
        draft=draft,
        citizen=citizen,
        changes=DraftChanges(
            form_data={"ho_ten": "Trần Văn Bé", "cccd_me": "072190001234"},
            contact={"phone": "0912000111", "return_method": "online"},
            desk_id=online["desk"].pk,
            uploads=[
                (declaration, ContentFile(pdf_pages(3), name="to-khai.pdf")),
                (certificate, ContentFile(image("jpg", (1240, 1754)), name="chung-sinh.jpg")),
                (certificate, ContentFile(image("png", (300, 200)), name="mat-sau")),  # no extension: content decides
            ],
        ),
        at=at,
    )

    assert not outcome.file_errors and outcome.added == 3
    facts = {f.original_name: (f.page_count, f.width, f.height) for f in DraftFile.objects.filter(draft=draft)}
    assert facts == {
        "to-khai.pdf": (3, None, None),
        "chung-sinh.jpg": (None, 1240, 1754),
        "mat-sau": (None, 300, 200),
    }

    dossier = draft_submit(draft=draft, citizen=citizen, at=local(2027, 3, 1, 9, 0))

    assert {d.original_name: (d.page_count, d.width, d.height) for d in dossier.documents.all()} == facts


@pytest.fixture
def desk_world(db):
    return receiving_world()


def test_the_desk_records_what_a_scan_holds_and_refuses_a_fake(desk_world):
    dossier = start(desk_world)
    requirement = desk_world["version"].documents.first()

    document = dossier_document_add(
        dossier=dossier,
        requirement=requirement,
        file=ContentFile(pdf_pages(2), name="scan.pdf"),
        officer=desk_world["officer"],
        at=desk_local(2027, 3, 3, 9, 0),
    )
    assert (document.page_count, document.width, document.height) == (2, None, None)

    with pytest.raises(ValidationError, match="không mở được như một tệp PDF"):
        dossier_document_add(
            dossier=dossier,
            requirement=requirement,
            file=ContentFile(fake_pdf_53(), name="scan2.pdf"),
            officer=desk_world["officer"],
            at=desk_local(2027, 3, 3, 9, 5),
        )
    assert DossierDocument.objects.count() == 1
