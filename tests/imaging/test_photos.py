"""A citizen's photos: the check of each one, and the A4 PDF made of them."""

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from onestop_tayninh.imaging.photos import PhotoRejected, photo_check, photos_to_pdf
from onestop_tayninh.security.antivirus import ScannerUnavailable, ping
from onestop_tayninh.security.constants import AuditAction
from onestop_tayninh.security.models import AuditEvent
from tests.browser.conftest import ARTIFACTS
from tests.imaging import cards

# The EICAR anti-virus test file, assembled so that this source file is not itself flagged.
EICAR = ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*").encode()
GPS_PLACE = "Phường 3, Tây Ninh"


@pytest.fixture(scope="module", autouse=True)
def _clamd_running():
    from django.conf import settings

    if not ping(socket_path=settings.CLAMD_SOCKET):
        pytest.fail(f"clamd does not answer at {settings.CLAMD_SOCKET}: run scripts/setup.sh (make test does)")


def exif_with_gps(orientation: int = 1) -> Image.Exif:
    """A phone's EXIF: orientation, camera, and the GPS position of where the photo was taken."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "PhoneModel X"
    exif[0x010E] = GPS_PLACE
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (11.0, 18.0, 36.0)
    gps[3] = "E"
    gps[4] = (106.0, 6.0, 0.0)
    return exif


def document(width: int, height: int, title: str) -> Image.Image:
    """A paper photographed: a white sheet, a title at its top, lines of text under it."""
    image = Image.new("RGB", (width, height), (250, 250, 246))
    from PIL import ImageDraw

    draw = ImageDraw.Draw(image)
    draw.text((width // 10, height // 12), title, font=cards.font(max(20, width // 22), bold=True), fill=(10, 10, 10))
    for row in range(10):
        y = height // 4 + row * height // 16
        draw.line((width // 10, y, width * 9 // 10, y), fill=(60, 60, 60), width=max(2, width // 300))
    draw.ellipse((width * 7 // 10, height * 3 // 4, width * 9 // 10, height * 9 // 10), outline=(200, 20, 20), width=8)
    return image


def pdf_images(pdf: Path) -> list[list[str]]:
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in listing.splitlines()[2:] if line.strip()]


# --- photo_check ---------------------------------------------------------------------------------


def test_jpeg_photo_passes_with_its_upright_size():
    data = cards.jpeg(document(1200, 900, "Giấy khai sinh"), exif=exif_with_gps(orientation=6))
    checked = photo_check(data)
    assert checked.mime == "image/jpeg"
    # EXIF orientation 6: the phone was held sideways, the photo is seen 900 wide and 1200 high.
    assert (checked.width, checked.height) == (900, 1200)
    assert checked.data == data
    assert re.fullmatch(r"[0-9a-f]{64}", checked.sha256)


def test_png_and_webp_photos_pass():
    image = document(600, 800, "Sổ hộ khẩu")
    assert photo_check(cards.png(image)).mime == "image/png"
    webp = io.BytesIO()
    image.save(webp, format="WEBP", quality=80)
    assert photo_check(webp.getvalue()).mime == "image/webp"


def test_photo_over_the_size_limit_is_too_large():
    data = b"\xff\xd8\xff\xe0" + b"\0" * (40 * 1024 * 1024 + 200 * 1024)
    with pytest.raises(PhotoRejected) as refused:
        photo_check(data)
    assert refused.value.code == "too_large"
    assert refused.value.message == "Ảnh quá lớn (40,2 MB); mỗi ảnh tối đa 10 MB."


def test_size_limit_comes_from_the_setting_or_the_caller(settings):
    data = cards.jpeg(document(400, 600, "Giấy tờ"))
    settings.ONESTOP_PHOTO_MAX_BYTES = len(data) - 1
    with pytest.raises(PhotoRejected, match="Ảnh quá lớn"):
        photo_check(data)
    assert photo_check(data, max_bytes=len(data)).width == 400


def test_pdf_renamed_as_a_photo_is_not_an_image():
    with pytest.raises(PhotoRejected) as refused:
        photo_check(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
    assert refused.value.code == "not_image"
    assert refused.value.message == "Tệp gửi lên không phải ảnh JPEG, PNG hoặc WebP."


def test_gif_is_not_an_accepted_image():
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, format="GIF")
    with pytest.raises(PhotoRejected) as refused:
        photo_check(gif.getvalue())
    assert refused.value.code == "not_image"


def test_truncated_jpeg_is_unreadable():
    data = cards.jpeg(cards.noise_photo(800, 600))
    with pytest.raises(PhotoRejected) as refused:
        photo_check(data[: len(data) // 2])
    assert refused.value.code == "unreadable"
    assert "không đọc được" in refused.value.message


def test_decompression_bomb_is_refused_unopened(settings):
    settings.ONESTOP_PHOTO_MAX_PIXELS = 1_000_000
    with pytest.raises(PhotoRejected) as refused:
        photo_check(cards.png(Image.new("L", (2000, 1000))))
    assert refused.value.code == "too_many_pixels"
    assert "2000 × 1000 điểm ảnh" in refused.value.message


@pytest.mark.django_db
def test_infected_photo_is_refused_and_audited():
    with pytest.raises(PhotoRejected) as refused:
        photo_check(EICAR, name="zalo:msg-1")
    assert refused.value.code == "infected"
    assert "virus" in refused.value.message
    event = AuditEvent.objects.get(action=AuditAction.VIRUS_FOUND)
    assert event.object_repr == "zalo:msg-1"


def test_scanner_down_raises_for_a_retry_not_a_refusal(settings, tmp_path):
    settings.CLAMD_SOCKET = str(tmp_path / "no-clamd.sock")
    with pytest.raises(ScannerUnavailable):
        photo_check(cards.jpeg(document(400, 600, "Giấy tờ")))


# --- photos_to_pdf -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def three_photos() -> list[bytes]:
    landscape = cards.jpeg(document(1600, 1000, "Ảnh ngang"), quality=85)
    # Stored sideways as a phone does, with EXIF orientation 6 ("turn 90° clockwise to view").
    sideways = document(1200, 1700, "Ảnh xoay EXIF").transpose(Image.Transpose.ROTATE_90)
    exif_rotated = cards.jpeg(sideways, quality=85, exif=exif_with_gps(orientation=6))
    portrait_png = cards.png(document(900, 1270, "Ảnh PNG"))
    return [landscape, exif_rotated, portrait_png]


@pytest.fixture(scope="module")
def built(three_photos, tmp_path_factory):
    result = photos_to_pdf(three_photos)
    path = tmp_path_factory.mktemp("pdf") / "photos.pdf"
    path.write_bytes(result.pdf)
    return result, path


def test_three_photos_make_three_a4_portrait_pages(built):
    result, path = built
    assert result.pages == 3
    assert result.pdf.startswith(b"%PDF-")
    assert re.fullmatch(r"[0-9a-f]{64}", result.sha256)
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "3", str(path)], capture_output=True, text=True, check=True
    ).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert len(sizes) == 3
    for width, height in sizes:
        assert (round(float(width)), round(float(height))) == (595, 842)
    assert re.findall(r"Page\s+\d+ rot:\s+(\d+)", info) == ["0", "0", "0"]


def test_pages_hold_one_portrait_jpeg_each(built):
    _, path = built
    images = pdf_images(path)
    assert len(images) == 3
    # pdfimages -list: page num type width height color comp bpc enc ...
    for row in images:
        width, height, encoding = int(row[3]), int(row[4]), row[8]
        assert encoding == "jpeg"
        assert height > width
        assert max(width, height) <= 2400


def test_pdf_renders_three_pages(built, tmp_path):
    _, path = built
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "page")], check=True)
    rendered = sorted(tmp_path.glob("page-*.png"))
    assert len(rendered) == 3
    for page in rendered:
        with Image.open(page) as image:
            assert image.height > image.width
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(rendered[1], ARTIFACTS / "imaging-photos-pdf-page-2.png")


def test_exif_turned_photo_stands_upright_on_its_page(built, tmp_path):
    """The photo stored sideways with EXIF 6 reads upright: its title (dark) is at the top."""
    _, path = built
    subprocess.run(["pdftoppm", "-r", "40", "-f", "2", "-l", "2", "-gray", str(path), str(tmp_path / "p")], check=True)
    with Image.open(next(tmp_path.glob("p-*.pgm"))) as page:
        # The title's black letters at the top left; at the bottom left only the paper (the red
        # seal is at the bottom right).
        top_left = page.crop((0, 0, page.width // 2, page.height // 6))
        bottom_left = page.crop((0, page.height * 5 // 6, page.width // 2, page.height))
        assert top_left.getextrema()[0] < 100
        assert bottom_left.getextrema()[0] > 100


def test_no_exif_or_gps_reaches_the_pdf(built, three_photos):
    result, _ = built
    assert b"Exif" in three_photos[1] and b"PhoneModel" in three_photos[1]
    for marker in (b"Exif", b"PhoneMaker", b"PhoneModel", GPS_PLACE.encode()):
        assert marker not in result.pdf


def test_same_photos_make_the_same_pdf(three_photos, built):
    result, _ = built
    assert photos_to_pdf(three_photos).sha256 == result.sha256


def test_large_photo_is_downscaled_to_2400_on_its_long_side(tmp_path):
    result = photos_to_pdf([cards.jpeg(cards.noise_photo(4000, 3000), quality=90)])
    path = tmp_path / "big.pdf"
    path.write_bytes(result.pdf)
    [row] = pdf_images(path)
    assert (int(row[3]), int(row[4])) == (1800, 2400)


def test_undecodable_photo_is_refused_when_making_the_pdf():
    with pytest.raises(PhotoRejected) as refused:
        photos_to_pdf([b"not an image at all"])
    assert refused.value.code == "unreadable"
