"""One gate for every stored file: size, type decided from the content, virus scan, a generated name.

A file must also be what it says: its name's extension may not contradict its content (a PDF
named `.jpg`), a PDF must parse (header, cross-reference table, every page of the page tree)
and an image must decode in full, within a pixel limit that stops decompression bombs. What
the opening found (page count, pixel dimensions) travels on the stamp to the stored upload.

How the gate cannot be forgotten, from the form to the disk:

- `check_upload()` is the gate. A file that passes is stamped (`CheckedUpload`, kept on the
  file object), so a later step that stores it does not scan it a second time.
- Model fields for files that come from outside are `GatedFileField`: saving into one
  (`field_file.save()`, a ModelForm, the desk) runs the gate with the field's accepted types
  unless the file already passed it, and the stored name is `<folder>/<year>/<month>/<uuid>.<type>`
  — the type judged from the content, never the uploader's name (keep that in a field of its own,
  like `original_name`). Files the system writes itself (printed forms, registers) use
  `GeneratedFileField`: they are not scanned, as their content is ours, but they say so.
- A system check (`onestop_security.E001`) refuses a plain FileField or ImageField in our apps,
  and the storage (`security.storage.GatedFileSystemStorage`) refuses to write any file that is
  neither stamped by the gate nor generated: a direct `default_storage.save()` of an unchecked
  upload fails loudly instead of storing it.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import threading
import uuid
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import magic
from docx import Document as WordDocument
from docx.opc.exceptions import PackageNotFoundError
from lxml.etree import LxmlError
from PIL import Image, ImageFile
from pyhanko.pdf_utils.generic import DictionaryObject
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import models
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

from .antivirus import ScannerUnavailable, scan_bytes
from .audit import audit_event
from .constants import AuditAction

logger = logging.getLogger("onestop_tayninh.security.uploads")

# Accepted type name -> MIME types libmagic reports for it. Office files are ZIP containers;
# libmagic recognises them from the first entries of the archive.
TYPE_MIMES: dict[str, frozenset[str]] = {
    "pdf": frozenset({"application/pdf"}),
    "jpg": frozenset({"image/jpeg"}),
    "png": frozenset({"image/png"}),
    "docx": frozenset({"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}),
    "xlsx": frozenset({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
}
TYPE_ALIASES = {"jpeg": "jpg"}
ALL_TYPES: tuple[str, ...] = tuple(TYPE_MIMES)
# The size limit of every upload, dossier components included; ONESTOP_MAX_UPLOAD_MB overrides.
DEFAULT_MAX_UPLOAD_MB = 20

# An image larger than this (in pixels) is refused before it is decoded: a few kilobytes of PNG
# can claim 50,000 × 50,000 pixels and take gigabytes to open (a decompression bomb). A 50 MP
# phone photo (8160 × 6120) still passes. ONESTOP_MAX_IMAGE_PIXELS overrides.
DEFAULT_MAX_IMAGE_PIXELS = 60_000_000
# A page tree deeper or larger than this is not a document a citizen scanned.
MAX_PDF_PAGES = 5000
# A Word file whose parts unpack to more than this is refused unopened (a ZIP bomb); a form with
# photos is a few megabytes.
MAX_DOCX_UNPACKED_BYTES = 200 * 1024 * 1024
TYPE_LABELS = {"pdf": "PDF", "jpg": "ảnh JPEG", "png": "ảnh PNG", "docx": "Word (DOCX)", "xlsx": "Excel (XLSX)"}

# The attribute that carries a file's stamp from the gate to the storage.
STAMP_ATTRIBUTE = "_onestop_upload_check"


@dataclass(frozen=True)
class CheckedUpload:
    """What the gate found in a file it let through."""

    kind: str  # accepted type name: pdf, jpg, png, docx, xlsx
    mime: str
    size: int
    sha256: str
    pages: int | None = None  # a PDF's page count
    width: int | None = None  # an image's pixel dimensions
    height: int | None = None


# The stamp of a file the system wrote itself (GeneratedFileField): not an upload, not scanned.
GENERATED = CheckedUpload(kind="generated", mime="", size=0, sha256="")


def max_upload_bytes() -> int:
    return int(getattr(settings, "ONESTOP_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB)) * 1024 * 1024


def stamp_of(file: Any) -> CheckedUpload | None:
    """The gate's stamp on `file` (or on the file a FieldFile wraps), if it passed."""
    return getattr(file, STAMP_ATTRIBUTE, None)


def passed(file: Any) -> CheckedUpload:
    """The stamp of a file that must have passed the gate already (a programming error otherwise)."""
    stamp = stamp_of(file)
    if stamp is None:
        raise ValueError(f"{getattr(file, 'name', file)!r} has not passed the upload gate")
    return stamp


def mark_generated(file: File) -> File:
    """Stamp a file the system wrote itself from its own data (a rendered declaration) so the storage takes it."""
    setattr(file, STAMP_ATTRIBUTE, GENERATED)
    return file


def carry_stamp(source: Any, target: File) -> File:
    """Give `target` (a copy of `source`'s content, e.g. a ContentFile of its bytes) the stamp of `source`."""
    setattr(target, STAMP_ATTRIBUTE, passed(source))
    return target


def detect_type(data: bytes) -> tuple[str | None, str]:
    """(accepted type name or None, MIME type) decided from the file's content, never its name."""
    mime = magic.from_buffer(data[:8192], mime=True)
    for name, mimes in TYPE_MIMES.items():
        if mime in mimes:
            return name, mime
    if mime in ("application/zip", "application/octet-stream") and data.startswith(b"PK"):
        # Some libmagic builds call every OOXML file a zip: look inside for Word or Excel parts.
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            names = []
        for prefix, name in (("word/", "docx"), ("xl/", "xlsx")):
            if any(entry.startswith(prefix) for entry in names):
                return name, next(iter(TYPE_MIMES[name]))
    return None, mime


def max_image_pixels() -> int:
    return int(getattr(settings, "ONESTOP_MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS))


@dataclass(frozen=True)
class Opened:
    """What opening a file as its type found."""

    pages: int | None = None
    width: int | None = None
    height: int | None = None


def _pdf_page_count(data: bytes) -> int:
    """Parse the PDF and walk its page tree; PdfError (or a malformed tree) if it does not open."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    pages = 0
    stack = [reader.root["/Pages"]]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if not isinstance(node, DictionaryObject) or id(node) in seen:
            raise PdfError("malformed page tree")
        seen.add(id(node))
        if node.get("/Type") == "/Page" or "/Kids" not in node:
            pages += 1
        else:
            stack.extend(kid.get_object() for kid in node["/Kids"])
        if pages > MAX_PDF_PAGES or len(seen) > 2 * MAX_PDF_PAGES:
            raise PdfError("too many pages")
    return pages


_strict_lock = threading.Lock()


@contextmanager
def strict_decoding() -> Iterator[None]:
    """Pillow as it is by default: a truncated image fails to load. WeasyPrint turns on Pillow's
    process-wide LOAD_TRUNCATED_IMAGES when it is imported (to print around a broken picture),
    which would let half a photo through the gate as if it were whole."""
    with _strict_lock:
        was = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = was


def _too_large(name: str, size: int, max_bytes: int) -> ValidationError:
    return ValidationError(
        _("Tệp %(name)s quá lớn (%(size)s); dung lượng tối đa là %(max)s.")
        % {"name": name, "size": filesizeformat(size), "max": filesizeformat(max_bytes)},
        code="file_too_large",
    )


def _open_docx(data: bytes, *, name: str) -> None:
    """Open `data` as Word does: a ZIP package whose main part is a Word document (word/document.xml
    that parses), within an unpacked size that stops a ZIP bomb; a macro-enabled document is not one."""
    unreadable = ValidationError(
        _("Tệp %(name)s không mở được như một tệp Word (.docx) (tệp hỏng, không đầy đủ hoặc không phải tệp Word thật).")
        % {"name": name},
        code="file_unreadable",
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if sum(entry.file_size for entry in entries) > MAX_DOCX_UNPACKED_BYTES:
                raise ValidationError(
                    _("Tệp %(name)s giải nén ra quá lớn để mở; hãy lưu lại tệp Word rồi gửi lại.") % {"name": name},
                    code="file_too_large",
                )
            if "word/document.xml" not in {entry.filename for entry in entries} or archive.testzip() is not None:
                raise unreadable
        # python-docx follows the package's relationships to the main part and parses it (entities
        # off), and refuses a package whose main part is not a Word document.
        WordDocument(io.BytesIO(data))
    except ValidationError:
        raise
    except (
        zipfile.BadZipFile,
        PackageNotFoundError,
        KeyError,
        ValueError,
        AttributeError,  # python-docx reading XML that is not the part it expects
        TypeError,
        LxmlError,
        OSError,
        EOFError,
        RuntimeError,  # an encrypted entry
        NotImplementedError,  # a compression method ZIP readers lack
    ) as exc:
        logger.info("upload_docx_unreadable name=%s error=%s", name, exc)
        raise unreadable from exc


def open_as(kind: str, data: bytes, *, name: str) -> Opened:
    """Open `data` as `kind` the way a reader would; refuse it with a Vietnamese ValidationError if it
    does not open (a truncated or fake PDF, a corrupt image) or is an image bomb."""
    if kind == "pdf":
        try:
            pages = _pdf_page_count(data)
        except (PdfError, KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
            logger.info("upload_pdf_unreadable name=%s error=%s", name, exc)
            raise ValidationError(
                _("Tệp %(name)s không mở được như một tệp PDF (tệp hỏng, không đầy đủ hoặc không phải PDF thật).")
                % {"name": name},
                code="file_unreadable",
            ) from exc
        if pages < 1:
            raise ValidationError(_("Tệp PDF %(name)s không có trang nào.") % {"name": name}, code="file_unreadable")
        return Opened(pages=pages)
    if kind in ("jpg", "png"):
        limit = max_image_pixels()
        unreadable = ValidationError(
            _("Tệp %(name)s không mở được như một ảnh (ảnh hỏng hoặc không đầy đủ).") % {"name": name},
            code="file_unreadable",
        )
        try:
            with warnings.catch_warnings(), strict_decoding():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data)) as image:
                    width, height = image.size
                    if width * height > limit:
                        raise ValidationError(
                            _(
                                "Ảnh %(name)s quá lớn (%(width)s × %(height)s điểm ảnh; tối đa %(limit)s triệu điểm "
                                "ảnh). Hãy chụp hoặc quét lại với độ phân giải thấp hơn."
                            )
                            % {"name": name, "width": width, "height": height, "limit": limit // 1_000_000},
                            code="image_too_large",
                        )
                    image.load()  # decode every pixel: a truncated or corrupt image fails here
        except ValidationError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ValidationError(
                _("Ảnh %(name)s quá lớn để mở; hãy chụp hoặc quét lại với độ phân giải thấp hơn.") % {"name": name},
                code="image_too_large",
            ) from exc
        except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
            logger.info("upload_image_unreadable name=%s error=%s", name, exc)
            raise unreadable from exc
        return Opened(width=width, height=height)
    if kind == "docx":
        _open_docx(data, name=name)
    return Opened()


def type_labels(types: set[str] | list[str] | tuple[str, ...]) -> str:
    """The accepted types in words, in the usual order: "PDF, ảnh JPEG hoặc ảnh PNG"."""
    wanted = {TYPE_ALIASES.get(t.lower(), t.lower()) for t in types}
    labels = [TYPE_LABELS[t] for t in TYPE_LABELS if t in wanted] + sorted(t.upper() for t in wanted - set(TYPE_LABELS))
    if len(labels) < 2:
        return "".join(labels)
    return _("%(first)s hoặc %(last)s") % {"first": ", ".join(labels[:-1]), "last": labels[-1]}


def type_refusal(name: str, *, wanted: set[str], kind: str | None) -> str:
    """Why a file of the wrong type is refused, in words a citizen knows (never a MIME type)."""
    if kind in TYPE_LABELS:
        return _("Tệp %(name)s là tệp %(content)s, không đúng định dạng cho phép (chỉ nhận %(types)s).") % {
            "name": name,
            "content": TYPE_LABELS[kind],
            "types": type_labels(wanted),
        }
    return _("Tệp %(name)s không đúng định dạng cho phép (chỉ nhận %(types)s).") % {
        "name": name,
        "types": type_labels(wanted),
    }


def check_spreadsheet(file: File, *, max_bytes: int) -> str:
    """The kind ("xlsx" or "csv") of a spreadsheet uploaded for an import, judged from its content.

    An Excel workbook goes through the gate (viruses included). A CSV is read as text and never
    stored, so only its size is checked. Anything else is refused in words; what it was goes to the log.
    """
    name = os.path.basename(getattr(file, "name", "") or "")
    data = _read_all(file)
    kind, mime = detect_type(data)
    if kind == "xlsx":
        check_upload(file, accepted_types=["xlsx"], max_bytes=max_bytes)
        return "xlsx"
    if mime.startswith("text/") or mime == "application/csv":
        if len(data) > max_bytes:
            raise _too_large(name, len(data), max_bytes)
        return "csv"
    logger.info("upload_spreadsheet_refused name=%s mime=%s", name, mime)
    raise ValidationError(
        _("Tệp %(name)s không phải bảng tính Excel (.xlsx) hoặc CSV; hãy lưu bảng tính theo một trong hai dạng đó.")
        % {"name": name},
        code="file_type",
    )


def name_contradiction(name: str, kind: str) -> str | None:
    """The extension of `name` when it names a known type other than the content's `kind`."""
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    named = TYPE_ALIASES.get(extension, extension)
    if named in TYPE_MIMES and named != kind:
        return extension
    return None


def _read_all(file: File) -> bytes:
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read()
    if hasattr(file, "seek"):
        file.seek(0)
    return data


def check_upload(file: File, *, accepted_types: list[str] | tuple[str, ...], max_bytes: int) -> CheckedUpload:
    """Refuse the file with a Vietnamese ValidationError unless it is small enough, of an
    accepted type judged from its content (not its name), and clean for clamd.

    clamd down means refused (fail closed). An infected file is written to the audit trail:
    call the gate before opening a transaction that a refusal rolls back, or the row goes too.
    A file that passes is stamped with what was found, and the stamp is returned.
    """
    name = getattr(file, "name", "") or ""
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise _too_large(name, size, max_bytes)
    data = _read_all(file)
    if len(data) > max_bytes:
        raise _too_large(name, len(data), max_bytes)
    if not data:
        raise ValidationError(_("Tệp %(name)s rỗng.") % {"name": name}, code="file_empty")

    wanted = {TYPE_ALIASES.get(t.lower(), t.lower()) for t in accepted_types}
    kind, mime = detect_type(data)
    if kind not in wanted:
        # The MIME type libmagic found is for the log: a person is told what is expected, in words.
        logger.info("upload_type_refused name=%s mime=%s accepted=%s", name, mime, ",".join(sorted(wanted)))
        raise ValidationError(type_refusal(name, wanted=wanted, kind=kind), code="file_type")
    extension = name_contradiction(os.path.basename(name), kind)
    if extension is not None:
        raise ValidationError(
            _(
                "Tệp %(name)s có đuôi .%(extension)s nhưng nội dung là %(content)s; "
                "hãy chọn đúng tệp hoặc đổi tên tệp cho đúng loại."
            )
            % {"name": name, "extension": extension, "content": TYPE_LABELS.get(kind, kind)},
            code="file_name_mismatch",
        )

    try:
        result = scan_bytes(data)
    except ScannerUnavailable as exc:
        logger.error("virus_scanner_unavailable error=%s", exc)
        raise ValidationError(
            _("Hệ thống quét virus đang không hoạt động nên chưa thể nhận tệp. Vui lòng thử lại sau ít phút."),
            code="scanner_unavailable",
        ) from exc
    if result.infected:
        # The signature's name is for the audit trail and the log; it tells the uploader nothing.
        logger.warning("upload_virus_found name=%s signature=%s", name, result.signature)
        audit_event(
            action=AuditAction.VIRUS_FOUND,
            target=name,
            data={"file_name": name, "signature": result.signature, "size": len(data)},
        )
        raise ValidationError(
            _("Tệp %(name)s chứa mã độc (virus) nên đã bị từ chối; tệp không được lưu lại.") % {"name": name},
            code="file_infected",
        )
    # Opened after the scan: malware is named as such (and audited) rather than called a broken file.
    opened = open_as(kind, data, name=name)
    checked = CheckedUpload(
        kind=kind,
        mime=mime,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        pages=opened.pages,
        width=opened.width,
        height=opened.height,
    )
    setattr(file, STAMP_ATTRIBUTE, checked)
    return checked


def gate(file: File, *, accepted_types: list[str] | tuple[str, ...], max_bytes: int) -> CheckedUpload:
    """`check_upload()`, unless the file already passed it for one of `accepted_types` within `max_bytes`."""
    stamp = stamp_of(file)
    wanted = {TYPE_ALIASES.get(t.lower(), t.lower()) for t in accepted_types}
    if stamp is not None and stamp.kind in wanted and stamp.size <= max_bytes:
        return stamp
    return check_upload(file, accepted_types=accepted_types, max_bytes=max_bytes)


def restamp_kept(file: File, *, sha256: str) -> CheckedUpload:
    """Stamp again a file the gate passed before and we kept in our own storage (a receipt form that
    came back with an error): its content must be exactly what passed, so it is not scanned twice."""
    data = _read_all(file)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ValidationError(_("Tệp đã giữ lại không còn nguyên vẹn; hãy chọn lại tệp."), code="file_changed")
    kind, mime = detect_type(data)
    if kind is None:
        raise ValidationError(_("Tệp đã giữ lại không còn nguyên vẹn; hãy chọn lại tệp."), code="file_changed")
    opened = open_as(kind, data, name=getattr(file, "name", "") or "")
    checked = CheckedUpload(
        kind=kind,
        mime=mime,
        size=len(data),
        sha256=sha256,
        pages=opened.pages,
        width=opened.width,
        height=opened.height,
    )
    setattr(file, STAMP_ATTRIBUTE, checked)
    return checked


# --- model fields ---------------------------------------------------------------------------


@deconstructible
class StoredName:
    """upload_to: `<folder>/<year>/<month>/<random>.<type>`; only a known type survives from the given name."""

    def __init__(self, folder: str):
        self.folder = folder.strip("/")

    def __call__(self, instance: models.Model, filename: str) -> str:
        extension = os.path.splitext(filename)[1].lower().lstrip(".")
        suffix = f".{extension}" if extension in TYPE_MIMES else ""
        return f"{self.folder}/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{suffix}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StoredName) and other.folder == self.folder


class GatedFieldFile(FieldFile):
    def save(self, name: str, content: File, save: bool = True) -> None:
        """Store `content` only through the gate, under a generated name (`name` is not used)."""
        checked = self.field.gate(content)
        super().save(f"tep.{checked.kind}", content, save)


class GateValidator:
    """Runs the gate on a file a form puts into a GatedFileField, so the refusal shows on the form."""

    def __init__(self, field: GatedFileField):
        self.field = field

    def __call__(self, value: Any) -> None:
        if isinstance(value, FieldFile) and value and not value._committed:
            self.field.gate(value.file)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GateValidator) and other.field is self.field


class GatedFileField(models.FileField):
    """A file that came from outside: stored only through the upload gate, under a generated name.

    `accepted_types` are the gate's type names; `max_bytes` defaults to ONESTOP_MAX_UPLOAD_MB.
    A refusal is a ValidationError naming the field (its verbose_name), in Vietnamese.
    """

    attr_class = GatedFieldFile

    def __init__(
        self,
        *args: Any,
        folder: str = "files",
        accepted_types: tuple[str, ...] = ALL_TYPES,
        max_bytes: int | None = None,
        **kwargs: Any,
    ):
        self.folder = folder
        self.accepted_types = tuple(accepted_types)
        self.max_bytes = max_bytes
        kwargs["upload_to"] = StoredName(folder)
        super().__init__(*args, **kwargs)

    def gate(self, file: File) -> CheckedUpload:
        try:
            return gate(file, accepted_types=self.accepted_types, max_bytes=self.max_bytes or max_upload_bytes())
        except ValidationError as exc:
            label = str(self.verbose_name)
            raise ValidationError(f"{label[:1].upper()}{label[1:]}: {' '.join(exc.messages)}", code=exc.code) from exc

    @property
    def validators(self) -> list:
        return [*super().validators, GateValidator(self)]

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("upload_to", None)
        kwargs["folder"] = self.folder
        if self.accepted_types != ALL_TYPES:
            kwargs["accepted_types"] = self.accepted_types
        if self.max_bytes is not None:
            kwargs["max_bytes"] = self.max_bytes
        return name, path, args, kwargs


class GeneratedFieldFile(FieldFile):
    def save(self, name: str, content: File, save: bool = True) -> None:
        # Our own output (a printed form, a register): stamped so that the storage accepts it.
        setattr(content, STAMP_ATTRIBUTE, GENERATED)
        super().save(name, content, save)


class GeneratedFileField(models.FileField):
    """A file the system writes itself from its own data: no upload gate, a name the code chose."""

    attr_class = GeneratedFieldFile
