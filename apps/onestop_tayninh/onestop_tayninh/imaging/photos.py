"""A citizen's photos of a paper: checked one by one as they arrive, then made into one A4 PDF.

`photo_check()` is the gate of a single photo, in the order that tells the citizen the most:
size, virus scan (malware is named and audited as such, whatever it pretends to be), type from
the content (JPEG, PNG or WebP), then a full decode within a pixel limit. A scanner that is down
raises `ScannerUnavailable` (security.antivirus): the photo is neither let through nor refused,
the caller's job is retried, as the upload gate fails closed.

`photos_to_pdf()` makes what an officer reads and prints: each photo upright (EXIF orientation),
turned to portrait, without its metadata (a phone's EXIF carries the GPS position of the
citizen's home), at most 2400 px on its long side, one A4 page each. img2pdf embeds the JPEG as
it is, without decoding it again.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import img2pdf
from PIL import Image

from django.conf import settings
from django.utils.translation import gettext as _

from onestop_tayninh.security.antivirus import ScannerUnavailable, scan_bytes
from onestop_tayninh.security.audit import audit_event
from onestop_tayninh.security.constants import AuditAction
from onestop_tayninh.security.uploads import detect_type, strict_decoding

from .constants import (
    A4_POINTS,
    DEFAULT_PHOTO_MAX_BYTES,
    DEFAULT_PHOTO_MAX_PIXELS,
    PAGE_JPEG_QUALITY,
    PAGE_LONG_SIDE_PX,
    PAGE_MARGIN_POINTS,
    PHOTO_MIMES,
)

logger = logging.getLogger("onestop_tayninh.imaging.photos")

__all__ = ["BuiltPdf", "CheckedPhoto", "PhotoRejected", "ScannerUnavailable", "photo_check", "photos_to_pdf"]

# EXIF orientations that swap width and height (the photo was taken with the phone sideways).
_SIDEWAYS_ORIENTATIONS = {5, 6, 7, 8}
_EXIF_ORIENTATION = 0x0112


class PhotoRejected(ValueError):
    """A photo that cannot be taken: `message` is for the citizen, `code` for the program.

    Codes: too_large, not_image, unreadable, infected, too_many_pixels.
    """

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class CheckedPhoto:
    """A photo that passed `photo_check()`: its bytes as sent, and what the check found."""

    data: bytes
    sha256: str
    mime: str
    width: int  # as the photo is seen, after its EXIF orientation
    height: int


@dataclass(frozen=True)
class BuiltPdf:
    pdf: bytes
    pages: int
    sha256: str


def max_photo_bytes() -> int:
    return int(getattr(settings, "ONESTOP_PHOTO_MAX_BYTES", DEFAULT_PHOTO_MAX_BYTES))


def max_photo_pixels() -> int:
    return int(getattr(settings, "ONESTOP_PHOTO_MAX_PIXELS", DEFAULT_PHOTO_MAX_PIXELS))


def _megabytes(size: int) -> str:
    """40.2 MB written the Vietnamese way, "40,2 MB"; a whole number without decimals ("10 MB")."""
    value = size / (1024 * 1024)
    if value == int(value):
        return f"{int(value)} MB"
    return f"{value:.1f}".replace(".", ",") + " MB"


def _unreadable() -> PhotoRejected:
    return PhotoRejected(
        _("Ảnh bị hỏng hoặc gửi chưa trọn, không đọc được. Vui lòng chụp và gửi lại ảnh."), code="unreadable"
    )


def _too_many_pixels(width: int, height: int, limit: int) -> PhotoRejected:
    return PhotoRejected(
        _(
            "Ảnh quá lớn (%(width)s × %(height)s điểm ảnh; tối đa %(limit)s triệu điểm ảnh). "
            "Vui lòng chụp lại ở độ phân giải thấp hơn rồi gửi lại."
        )
        % {"width": width, "height": height, "limit": limit // 1_000_000},
        code="too_many_pixels",
    )


def _open(data: bytes, *, limit: int) -> Image.Image:
    """The photo opened (not decoded) with its size within `limit` pixels; PhotoRejected otherwise."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoRejected(
            _("Ảnh quá lớn để mở. Vui lòng chụp lại ở độ phân giải thấp hơn rồi gửi lại."), code="too_many_pixels"
        ) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        logger.info("photo_unreadable error=%s", exc)
        raise _unreadable() from exc
    width, height = image.size
    if width * height > limit:
        image.close()
        raise _too_many_pixels(width, height, limit)
    return image


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(_EXIF_ORIENTATION, 1))
    except (ValueError, TypeError, OSError, SyntaxError):
        return 1


def _decode(data: bytes, *, name: str) -> tuple[str, int, int]:
    """(MIME type, upright width, upright height) of a photo decoded in full; PhotoRejected if it
    is not a JPEG, PNG or WebP, is too many pixels, or does not decode to the last pixel."""
    mime = detect_type(data)[1]
    if mime not in PHOTO_MIMES:
        logger.info("photo_type_refused photo=%s mime=%s", name, mime)
        raise PhotoRejected(_("Tệp gửi lên không phải ảnh JPEG, PNG hoặc WebP."), code="not_image")
    image = _open(data, limit=max_photo_pixels())
    try:
        if image.format != PHOTO_MIMES[mime]:
            raise _unreadable()
        width, height = image.size
        orientation = _orientation(image)
        try:
            with strict_decoding():
                image.load()  # every pixel: a truncated or corrupt photo fails here
        except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
            logger.info("photo_unreadable photo=%s error=%s", name, exc)
            raise _unreadable() from exc
    finally:
        image.close()
    if orientation in _SIDEWAYS_ORIENTATIONS:
        width, height = height, width
    return mime, width, height


def photo_check(data: bytes, *, max_bytes: int | None = None, name: str = "") -> CheckedPhoto:
    """Take one photo a citizen sent, or refuse it with PhotoRejected (a Vietnamese `message`).

    `name` (what the photo is, for the log and the audit trail, e.g. "zalo:<msg_id>") is optional.
    Raises ScannerUnavailable when clamd cannot answer: try again later, do not tell the citizen
    the photo is bad. An infected photo is written to the audit trail (the database must be usable).
    """
    limit = max_bytes if max_bytes is not None else max_photo_bytes()
    if len(data) > limit:
        raise PhotoRejected(
            _("Ảnh quá lớn (%(size)s); mỗi ảnh tối đa %(max)s.")
            % {"size": _megabytes(len(data)), "max": _megabytes(limit)},
            code="too_large",
        )
    if not data:
        raise PhotoRejected(_("Tệp gửi lên rỗng, không có ảnh nào."), code="not_image")

    # clamd scans a new 3 MB photo in 0.3–0.7 s in its own process: the photo is decoded meanwhile,
    # and the scan's verdict comes first whatever the decode found (malware is named and audited
    # as such, never called a broken photo).
    with ThreadPoolExecutor(max_workers=1) as pool:
        scan = pool.submit(scan_bytes, data)
        try:
            decoded: tuple[str, int, int] | PhotoRejected = _decode(data, name=name)
        except PhotoRejected as refusal:
            decoded = refusal
        try:
            result = scan.result()
        except ScannerUnavailable as exc:
            logger.error("virus_scanner_unavailable photo=%s error=%s", name, exc)
            raise
    if result.infected:
        # The signature is for the audit trail and the log; it tells the citizen nothing.
        logger.warning("photo_virus_found photo=%s signature=%s", name, result.signature)
        audit_event(
            action=AuditAction.VIRUS_FOUND,
            target=name or "photo",
            data={"file_name": name, "signature": result.signature, "size": len(data)},
        )
        raise PhotoRejected(_("Ảnh có chứa mã độc (virus) nên đã bị từ chối; ảnh không được lưu lại."), code="infected")
    if isinstance(decoded, PhotoRejected):
        raise decoded
    mime, width, height = decoded
    return CheckedPhoto(data=data, sha256=hashlib.sha256(data).hexdigest(), mime=mime, width=width, height=height)


# How to stand a photo upright from its EXIF orientation (what ImageOps.exif_transpose does),
# applied after the photo is shrunk: turning 12 MP costs more than turning 4.
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _page_jpeg(data: bytes, *, limit: int) -> bytes:
    """One photo as its page's JPEG: upright, portrait, RGB, no metadata, long side ≤ 2400 px."""
    image = _open(data, limit=limit)
    try:
        orientation = _orientation(image)
        if image.format == "JPEG":
            # Decode a large JPEG at 1/2, 1/4 or 1/8 straight away (libjpeg's DCT scaling): several
            # times quicker than decoding 24 MP to shrink them; never below the wanted size.
            scale = PAGE_LONG_SIDE_PX / max(image.size)
            if scale < 1:
                image.draft("RGB", (math.ceil(image.width * scale), math.ceil(image.height * scale)))
        with strict_decoding():
            image.load()
        photo: Image.Image = image
        if photo.mode in ("RGBA", "LA", "PA") or (photo.mode == "P" and "transparency" in photo.info):
            # A transparent PNG on white, as it looks on a screen (black where transparent otherwise).
            rgba = photo.convert("RGBA")
            photo = Image.new("RGB", rgba.size, "white")
            photo.paste(rgba, mask=rgba.getchannel("A"))
        elif photo.mode != "RGB":
            photo = photo.convert("RGB")
        if max(photo.size) > PAGE_LONG_SIDE_PX:
            ratio = PAGE_LONG_SIDE_PX / max(photo.size)
            size = (max(1, round(photo.width * ratio)), max(1, round(photo.height * ratio)))
            # Bilinear: Pillow widens the filter when it shrinks, so it is a true antialiasing filter,
            # sharp enough for print at 200 dpi, and a third of Lanczos's time on a 12 MP photo.
            photo = photo.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
        if orientation in _UPRIGHT:
            photo = photo.transpose(_UPRIGHT[orientation])
        if photo.width > photo.height:
            # Turned a quarter anticlockwise, as a landscape table is bound into a portrait book: the
            # top of the paper reads along the left edge and the whole page is used.
            photo = photo.transpose(Image.Transpose.ROTATE_90)
        # A new image from the pixels alone (closing the opened photo below invalidates it): no EXIF
        # (GPS, camera, time), ICC profile, XMP or comment goes to the PDF.
        clean = Image.frombytes("RGB", photo.size, photo.tobytes())
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
        logger.info("photo_unreadable error=%s", exc)
        raise _unreadable() from exc
    finally:
        image.close()
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=PAGE_JPEG_QUALITY)
    return out.getvalue()


def photos_to_pdf(photos: list[bytes]) -> BuiltPdf:
    """One PDF, one A4 portrait page per photo in the order given, each photo fitted inside a margin.

    The photos should have passed `photo_check()`; one that does not decode raises PhotoRejected.
    The PDF carries no date, so the same photos make the same bytes (and the same sha256).
    """
    if not photos:
        raise ValueError("photos_to_pdf needs at least one photo")
    limit = max_photo_pixels()
    pages = [_page_jpeg(data, limit=limit) for data in photos]
    layout = img2pdf.get_layout_fun(
        pagesize=A4_POINTS, border=(PAGE_MARGIN_POINTS, PAGE_MARGIN_POINTS), fit=img2pdf.FitMode.into
    )
    pdf = img2pdf.convert(pages, layout_fun=layout, nodate=True, engine=img2pdf.Engine.internal)
    return BuiltPdf(pdf=pdf, pages=len(pages), sha256=hashlib.sha256(pdf).hexdigest())
