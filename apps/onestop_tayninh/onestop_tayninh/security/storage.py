"""The file storage that refuses what did not pass the upload gate (security.uploads).

Models store files through GatedFileField (gate + generated name) or GeneratedFileField (our
own output); both stamp the content. Code that writes to the storage directly must hand it a
stamped file too, so a forgotten gate is an error in the first test that runs the code, not an
unscanned file on the server.
"""

from __future__ import annotations

from typing import Any

from django.core.files.storage import FileSystemStorage

from .uploads import stamp_of


class UngatedFileError(RuntimeError):
    """A programming error: a file reached the storage without passing the upload gate."""


class GatedFileSystemStorage(FileSystemStorage):
    def save(self, name: str | None, content: Any, max_length: int | None = None) -> str:
        if stamp_of(content) is None:
            raise UngatedFileError(
                f"{name!r} did not pass the upload gate: store it through a GatedFileField, "
                "or security.uploads.check_upload() it first"
            )
        return super().save(name, content, max_length=max_length)
