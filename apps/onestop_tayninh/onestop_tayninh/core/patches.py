"""The data patch runner: finds `patches/NNNN_slug.py`, dry-runs or applies the pending ones, records them.

The convention a patch follows is patches/README.md; `manage.py apply_patches` is the operator's entry
point. Here:

- **Discovery** (`discover`): every `.py` file of the directory except `__init__.py` must be named
  `NNNN_slug.py` (four digits, lower-case ASCII slug) with a number no other file has; otherwise
  nothing runs and the message names every offending file. Patches run in number order; gaps are fine.
- **Dry run** (`dry_run`): the pending patches run in order, each in its own savepoint, inside one
  transaction that is rolled back at the end, so a later patch sees what an earlier one would have
  changed (as `--apply` would) and the database is left as it was. Nothing is recorded.
- **Apply** (`apply_pending`): under a MariaDB named lock (`GET_LOCK`, per database), the pending
  patches are read again and applied in order, each in its own transaction together with its
  `AppliedPatch` row: the patch's changes and its record commit together or not at all. The first
  failure stops the run; that patch leaves nothing, later ones do not start. A second node deploying
  at the same moment waits for the lock, then finds every patch recorded and applies nothing.

A patch's module is loaded from its file (its name starts with a digit, so it cannot be imported by
name) under a private module name, only when it is about to run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import inspect
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import structlog

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from .models import AppliedPatch

logger = structlog.get_logger(__name__)

FILE_NAME = re.compile(r"(?P<number>[0-9]{4})_(?P<slug>[a-z0-9]+(?:_[a-z0-9]+)*)\.py")
#: How long `--apply` waits for another node's run to finish before giving up.
LOCK_TIMEOUT = 600


class PatchError(Exception):
    """Something the operator must fix before any patch runs (a file name, a missing `run`); in Vietnamese."""


@dataclass(frozen=True)
class PatchFile:
    number: int
    name: str  # the file name without ".py": what is recorded
    path: Path

    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Outcome:
    """One patch's run: what it returned and how long it took."""

    patch: PatchFile
    summary: str
    duration_ms: int


class PatchFailed(Exception):
    """A patch raised (or broke the contract) while running; it left nothing in the database."""

    def __init__(
        self, patch: PatchFile, error: BaseException, done: list[Outcome], not_started: list[PatchFile]
    ) -> None:
        super().__init__(f"{patch.name}: {error!r}")
        self.patch = patch
        self.error = error
        self.done = done
        self.not_started = not_started


@dataclass(frozen=True)
class Status:
    """What `--list` shows: the applied records, the pending files, and the warnings about both."""

    applied: list[AppliedPatch]
    pending: list[PatchFile]
    warnings: list[str]


def patches_dir() -> Path:
    return Path(settings.PATCHES_DIR)


def discover(directory: Path) -> list[PatchFile]:
    """The patch files of `directory` in number order; PatchError naming every badly named file."""
    if not directory.is_dir():
        raise PatchError(f"Không tìm thấy thư mục bản vá {directory} (thiết lập PATCHES_DIR).")
    bad: list[str] = []
    by_number: dict[int, list[Path]] = {}
    for path in sorted(directory.iterdir()):
        if path.suffix != ".py" or path.name == "__init__.py" or not path.is_file():
            continue  # the README, __pycache__, editors' backups (~, .orig) are not patches
        match = FILE_NAME.fullmatch(path.name)
        if match is None:
            bad.append(path.name)
            continue
        by_number.setdefault(int(match["number"]), []).append(path)
    problems = [
        f"“{name}”: tên tệp bản vá phải có dạng NNNN_ten_ngan.py (bốn chữ số, dấu gạch dưới, rồi chữ "
        "thường không dấu, chữ số và dấu gạch dưới), ví dụ 0001_sua_ma_thu_tuc.py."
        for name in bad
    ]
    problems += [
        f"Số {number:04d} được dùng cho nhiều tệp: {', '.join(path.name for path in paths)}; mỗi bản vá một số riêng."
        for number, paths in sorted(by_number.items())
        if len(paths) > 1
    ]
    if problems:
        raise PatchError("Thư mục bản vá có tệp không hợp lệ; chưa chạy bản vá nào.\n" + "\n".join(problems))
    return [PatchFile(number, paths[0].stem, paths[0]) for number, paths in sorted(by_number.items())]


def _pending(files: list[PatchFile], applied: list[AppliedPatch]) -> tuple[list[PatchFile], list[str]]:
    """The files not yet recorded, and warnings; PatchError when a recorded number now has another name."""
    recorded = {record.number: record for record in applied}
    renamed = [
        f"Bản vá số {patch.number:04d} đã áp dụng với tên “{recorded[patch.number].name}”, nay tệp là "
        f"“{patch.path.name}”: bản vá đã áp dụng không được đổi tên; hãy trả lại tên cũ và viết bản vá mới."
        for patch in files
        if patch.number in recorded and recorded[patch.number].name != patch.name
    ]
    if renamed:
        raise PatchError("\n".join(renamed))
    pending = [patch for patch in files if patch.number not in recorded]
    warnings = []
    highest = max(recorded, default=0)
    for patch in pending:
        if patch.number < highest:
            warnings.append(
                f"Bản vá {patch.name} có số nhỏ hơn bản vá đã áp dụng {recorded[highest].name}: "
                "sẽ được áp dụng sau bản vá đó."
            )
    files_by_number = {patch.number: patch for patch in files}
    for record in applied:
        current = files_by_number.get(record.number)
        if current is None:
            warnings.append(f"Bản vá {record.name} đã áp dụng nhưng không còn tệp trong thư mục bản vá.")
        elif current.checksum() != record.checksum:
            warnings.append(
                f"Tệp {current.path.name} đã bị sửa sau khi áp dụng; bản vá đã áp dụng không chạy lại, "
                "thay đổi mới phải là một bản vá mới."
            )
    return pending, warnings


def status(*, directory: Path) -> Status:
    applied = list(AppliedPatch.objects.order_by("number"))
    pending, warnings = _pending(discover(directory), applied)
    return Status(applied=applied, pending=pending, warnings=warnings)


def _load(patch: PatchFile) -> ModuleType:
    """The patch's module, checked against the convention: a docstring and `run(*, apply)`."""
    module_name = f"onestop_patches_{patch.name}"
    spec = importlib.util.spec_from_file_location(module_name, patch.path)
    if spec is None or spec.loader is None:
        raise PatchError(f"Không nạp được bản vá {patch.name}.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickling look a class's module up by name
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(module_name, None)
        raise PatchError(f"Không nạp được bản vá {patch.name}: {exc!r}") from exc
    if not (module.__doc__ or "").strip():
        raise PatchError(f"Bản vá {patch.name} thiếu docstring nói lý do (patches/README.md, quy tắc 2).")
    run = getattr(module, "run", None)
    parameter = inspect.signature(run).parameters.get("apply") if callable(run) else None
    if parameter is None or parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
        raise PatchError(
            f"Bản vá {patch.name} phải có hàm run(*, apply: bool = False) -> str (patches/README.md, quy tắc 3)."
        )
    return module


def _run(module: ModuleType, *, apply: bool) -> str:
    summary = module.run(apply=apply)
    if not isinstance(summary, str):
        raise PatchError(f"run() phải trả về một chuỗi tóm tắt, không phải {type(summary).__name__}.")
    return summary.strip()


def _milliseconds(start: float) -> int:
    return round((time.perf_counter() - start) * 1000)


def dry_run(*, directory: Path, on_done: Callable[[Outcome], None] = lambda outcome: None) -> list[Outcome]:
    """Run every pending patch with apply=False, in order, and roll everything back; record nothing.

    Raises PatchError before anything runs, PatchFailed at the first patch that raises.
    """
    files = discover(directory)
    pending, _ = _pending(files, list(AppliedPatch.objects.all()))
    modules = [(patch, _load(patch)) for patch in pending]
    done: list[Outcome] = []
    with transaction.atomic():
        try:
            for index, (patch, module) in enumerate(modules):
                start = time.perf_counter()
                try:
                    with transaction.atomic():
                        summary = _run(module, apply=False)
                except Exception as exc:
                    raise PatchFailed(patch, exc, done, [later for later, _ in modules[index + 1 :]]) from exc
                outcome = Outcome(patch, summary, _milliseconds(start))
                done.append(outcome)
                on_done(outcome)
        finally:
            # The whole run is undone, whatever happened: a dry run changes nothing.
            transaction.set_rollback(True)
    return done


def _lock_name() -> str:
    # GET_LOCK names are server-wide: each database (each site, each test database) has its own lock.
    return f"onestop_patches:{connection.settings_dict['NAME']}"[:64]


@contextmanager
def runner_lock(*, timeout: int = LOCK_TIMEOUT, on_waiting: Callable[[], None] = lambda: None) -> Iterator[None]:
    """The database's patch lock, held by this connection's session for the whole run.

    A session's named lock outlives its transactions (each patch commits on its own) and is released
    by MariaDB if the process dies, so a killed run never leaves the deployment locked. `on_waiting`
    is called when another session holds it, before waiting up to `timeout` seconds.
    """
    name = _lock_name()
    with connection.cursor() as cursor:
        cursor.execute("SELECT GET_LOCK(%s, 0)", [name])
        (acquired,) = cursor.fetchone()
        if acquired != 1:
            on_waiting()
            cursor.execute("SELECT GET_LOCK(%s, %s)", [name, timeout])
            (acquired,) = cursor.fetchone()
    if acquired != 1:
        raise PatchError(
            f"Một máy khác đang áp dụng bản vá cho cơ sở dữ liệu này (khóa “{name}”), đã chờ {timeout} giây; "
            "chạy lại lệnh khi máy kia xong."
        )
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT RELEASE_LOCK(%s)", [name])
        except DatabaseError:
            # The connection is gone (the error being raised may be why): its session's end freed the lock.
            logger.warning("patch_lock_release_failed", lock=name)


def apply_pending(
    *,
    directory: Path,
    applied_by: str,
    host: str,
    clock: Callable[[], dt.datetime] = timezone.now,
    lock_timeout: int = LOCK_TIMEOUT,
    on_waiting: Callable[[], None] = lambda: None,
    on_done: Callable[[Outcome], None] = lambda outcome: None,
) -> list[Outcome]:
    """Apply the pending patches in order, each atomic with its record; stop at the first failure.

    `clock` gives each record's time when its patch has run. Raises PatchError before anything runs
    (names, loading, the lock), PatchFailed at the first patch that raises: that patch is rolled back
    and unrecorded, the ones before it stay applied and recorded, the ones after it have not started.
    """
    files = discover(directory)
    with runner_lock(timeout=lock_timeout, on_waiting=on_waiting):
        # Read under the lock: what another node applied while this one waited is not pending any more.
        pending, _ = _pending(files, list(AppliedPatch.objects.all()))
        modules = [(patch, _load(patch)) for patch in pending]
        done: list[Outcome] = []
        for index, (patch, module) in enumerate(modules):
            start = time.perf_counter()
            try:
                with transaction.atomic():
                    summary = _run(module, apply=True)
                    duration_ms = _milliseconds(start)
                    record = AppliedPatch(
                        number=patch.number,
                        name=patch.name,
                        applied_at=clock(),
                        summary=summary,
                        duration_ms=duration_ms,
                        applied_by=applied_by[:150],
                        host=host[:255],
                        checksum=patch.checksum(),
                    )
                    record.full_clean()
                    record.save()
            except Exception as exc:
                logger.error("patch_failed", patch=patch.name, error=repr(exc))
                raise PatchFailed(patch, exc, done, [later for later, _ in modules[index + 1 :]]) from exc
            logger.info("patch_applied", patch=patch.name, duration_ms=duration_ms, applied_by=applied_by, host=host)
            outcome = Outcome(patch, summary, duration_ms)
            done.append(outcome)
            on_done(outcome)
    return done
