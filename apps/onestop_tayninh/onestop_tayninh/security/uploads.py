"""One gate for every stored file: size, type decided from the content, virus scan, a generated name.

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
import uuid
import zipfile
from dataclasses import dataclass
from typing import Any

import magic

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

# The attribute that carries a file's stamp from the gate to the storage.
STAMP_ATTRIBUTE = "_onestop_upload_check"


@dataclass(frozen=True)
class CheckedUpload:
    """What the gate found in a file it let through."""

    kind: str  # accepted type name: pdf, jpg, png, docx, xlsx
    mime: str
    size: int
    sha256: str


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
        raise ValidationError(
            _("Tệp %(name)s quá lớn (%(size)s); dung lượng tối đa là %(max)s.")
            % {"name": name, "size": filesizeformat(size), "max": filesizeformat(max_bytes)},
            code="file_too_large",
        )
    data = _read_all(file)
    if len(data) > max_bytes:
        raise ValidationError(
            _("Tệp %(name)s quá lớn (%(size)s); dung lượng tối đa là %(max)s.")
            % {"name": name, "size": filesizeformat(len(data)), "max": filesizeformat(max_bytes)},
            code="file_too_large",
        )
    if not data:
        raise ValidationError(_("Tệp %(name)s rỗng.") % {"name": name}, code="file_empty")

    wanted = {TYPE_ALIASES.get(t.lower(), t.lower()) for t in accepted_types}
    kind, mime = detect_type(data)
    if kind not in wanted:
        raise ValidationError(
            _("Tệp %(name)s không đúng định dạng cho phép (%(types)s); nội dung tệp là %(mime)s.")
            % {"name": name, "types": ", ".join(sorted(wanted)), "mime": mime},
            code="file_type",
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
        audit_event(
            action=AuditAction.VIRUS_FOUND,
            target=name,
            data={"file_name": name, "signature": result.signature, "size": len(data)},
        )
        raise ValidationError(
            _("Tệp %(name)s chứa mã độc (%(signature)s) và đã bị từ chối.")
            % {"name": name, "signature": result.signature},
            code="file_infected",
        )
    checked = CheckedUpload(kind=kind, mime=mime, size=len(data), sha256=hashlib.sha256(data).hexdigest())
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
    checked = CheckedUpload(kind=kind, mime=mime, size=len(data), sha256=sha256)
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
