"""One gate for every uploaded file: size, type decided from the content, virus scan."""

from __future__ import annotations

import io
import logging
import zipfile

import magic

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.template.defaultfilters import filesizeformat
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


def check_upload(file: File, *, accepted_types: list[str] | tuple[str, ...], max_bytes: int) -> None:
    """Refuse the file with a Vietnamese ValidationError unless it is small enough, of an
    accepted type judged from its content (not its name), and clean for clamd.

    clamd down means refused (fail closed). An infected file is written to the audit trail.
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
