"""The file storages: they refuse what did not pass the upload gate (security.uploads).

Models store files through GatedFileField (gate + generated name) or GeneratedFileField (our
own output); both stamp the content. Code that writes to the storage directly must hand it a
stamped file too, so a forgotten gate is an error in the first test that runs the code, not an
unscanned file on the server.

Two storages share that gate (GatedStorageMixin): the local disk (GatedFileSystemStorage, the
default, `make run` and the tests) and S3-compatible object storage (security.storage_s3, chosen
by ONESTOP_S3_BUCKET in production). Both also:

- turn a store that refuses or cannot be reached (disk full, quota, MinIO down) into one error,
  StorageUnavailable, that the web answers with a 503 page asking to try again later
  (core.middleware.StoredFilesMiddleware) instead of a 500;
- inside `files_follow_transactions()` (every request and every RQ job), delete at the end the
  files written in a database transaction that then rolled back: no row points to them, so they
  would be orphans nobody can reach.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import FileSystemStorage, Storage
from django.db import connection, transaction

from .uploads import stamp_of

logger = logging.getLogger("onestop_tayninh.security.storage")


class UngatedFileError(RuntimeError):
    """A programming error: a file reached the storage without passing the upload gate."""


class StorageUnavailable(Exception):
    """The file store refused a write or a read, or could not be reached: nothing was stored.

    Not an OSError on purpose: code that treats OSError as "the file is gone" must not tell a user
    that their file vanished when the store is merely down.
    """


# The local disk errors that mean "the store cannot take it now", not a bug or a missing file.
_DISK_REFUSALS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO})

# Files written inside a transaction that has not committed yet, within files_follow_transactions().
_written: ContextVar[list[_Written] | None] = ContextVar("stored_files_uncommitted", default=None)


class GatedStorageMixin:
    """The gate, the one error for a refusing store, and the record of uncommitted writes.

    Put it before the Django storage class it guards. `_store_errors` names the exceptions of
    that backend that mean the store refused or is unreachable.
    """

    _store_errors: tuple[type[BaseException], ...] = ()

    def _is_store_error(self, exc: BaseException) -> bool:
        return isinstance(exc, self._store_errors)

    def save(self, name: str | None, content: Any, max_length: int | None = None) -> str:
        if stamp_of(content) is None:
            raise UngatedFileError(
                f"{name!r} did not pass the upload gate: store it through a GatedFileField, "
                "or security.uploads.check_upload() it first"
            )
        try:
            stored: str = super().save(name, content, max_length=max_length)  # type: ignore[misc]
        except Exception as exc:
            if not self._is_store_error(exc):
                raise
            logger.error("file_store_refused name=%s error=%s", name, exc)
            raise StorageUnavailable(str(exc)) from exc
        _remember(self, stored)  # type: ignore[arg-type]
        return stored

    def open(self, name: str, mode: str = "rb") -> Any:
        try:
            return super().open(name, mode)  # type: ignore[misc]
        except FileNotFoundError:
            raise
        except Exception as exc:
            if not self._is_store_error(exc):
                raise
            logger.error("file_store_unreadable name=%s error=%s", name, exc)
            raise StorageUnavailable(str(exc)) from exc


class GatedFileSystemStorage(GatedStorageMixin, FileSystemStorage):
    def _is_store_error(self, exc: BaseException) -> bool:
        return isinstance(exc, OSError) and exc.errno in _DISK_REFUSALS


@dataclass
class _Written:
    storage: Storage
    name: str
    committed: bool = False


def _remember(storage: Storage, name: str) -> None:
    """Keep `name` until the transaction it was written in commits (on_commit marks it)."""
    written = _written.get()
    if written is None or not connection.in_atomic_block:
        return  # outside a transaction the file stands on its own, as before
    entry = _Written(storage, name)
    written.append(entry)
    # Discarded with its savepoint if that rolls back: the entry stays unmarked, and the file goes.
    transaction.on_commit(lambda: setattr(entry, "committed", True))


@contextmanager
def files_follow_transactions() -> Iterator[None]:
    """Within: a file stored in a transaction that rolls back is deleted when the block ends.

    Wraps a request (core.middleware.StoredFilesMiddleware) or a job (core.rqjob): by its end
    every transaction it opened has committed or rolled back. Still inside one at the end (a job
    run synchronously inside a request, a test wrapped in a transaction), the undecided files pass
    to the enclosing block, if any. A process killed between a write and its commit can still
    leave an orphan file, never a row without its file.
    """
    written: list[_Written] = []
    token = _written.set(written)
    try:
        yield
    finally:
        _written.reset(token)
        pending = [entry for entry in written if not entry.committed]
        if pending and connection.in_atomic_block:
            outer = _written.get()
            if outer is not None:
                outer.extend(pending)
        elif pending:
            for entry in pending:
                try:
                    entry.storage.delete(entry.name)
                except Exception as exc:  # noqa: BLE001 - the response must not fail over a cleanup
                    logger.warning("stored_file_orphan_left name=%s error=%s", entry.name, exc)
                else:
                    logger.info("stored_file_rolled_back name=%s", entry.name)
