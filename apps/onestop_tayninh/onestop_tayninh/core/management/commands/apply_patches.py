"""Dry-run, apply or list the data patches in patches/ (core/patches.py, patches/README.md).

    manage.py apply_patches            # dry run of every pending patch: changes nothing, records nothing
    manage.py apply_patches --apply    # apply the pending patches in order, each atomic, and record them
    manage.py apply_patches --list     # applied and pending patches

`make migrate` and the deployment steps (config/README.md) run `--apply` right after `migrate`.
"""

from __future__ import annotations

import getpass
import os
import socket
import traceback
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from onestop_tayninh.core import patches
from onestop_tayninh.core.patches import Outcome, PatchError, PatchFailed


def _seconds(duration_ms: int) -> str:
    return f"{duration_ms / 1000:.2f}".replace(".", ",") + " giây"


def _reason(error: BaseException) -> str:
    """The exception's own words; its kind when it has none (a bare KeyError, an assert)."""
    return str(error) or type(error).__name__


def _operator() -> str:
    """The operating-system account running the command, and who became it through sudo."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a container's arbitrary uid)
        user = f"uid {os.getuid()}"
    sudo_user = os.environ.get("SUDO_USER", "")
    return f"{user} (sudo: {sudo_user})" if sudo_user and sudo_user != user else user


class Command(BaseCommand):
    help = (
        "Bản vá dữ liệu trong patches/: mặc định chạy thử các bản vá chờ áp dụng (hoàn tác hết, không ghi nhận); "
        "--apply áp dụng thật theo thứ tự số; --list liệt kê bản vá đã áp dụng và đang chờ."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--apply",
            action="store_true",
            help="Áp dụng thật các bản vá chờ áp dụng, theo thứ tự số, mỗi bản vá trong một giao dịch, và ghi nhận.",
        )
        mode.add_argument(
            "--list", dest="show_list", action="store_true", help="Liệt kê bản vá đã áp dụng và đang chờ."
        )
        parser.add_argument(
            "--lock-timeout",
            type=int,
            default=patches.LOCK_TIMEOUT,
            help="Số giây chờ khi một máy khác đang áp dụng bản vá cho cùng cơ sở dữ liệu (mặc định 600).",
        )

    def handle(
        self, *args: Any, apply: bool, show_list: bool, lock_timeout: int, verbosity: int, **options: Any
    ) -> None:
        directory = patches.patches_dir()
        try:
            if show_list:
                self._list(directory)
            elif apply:
                self._apply(directory, lock_timeout=lock_timeout, verbosity=verbosity)
            else:
                self._dry_run(directory)
        except PatchError as exc:
            raise CommandError(str(exc)) from exc

    # --- the three modes ---------------------------------------------------------------------------

    def _list(self, directory: Path) -> None:
        state = patches.status(directory=directory)
        self.stdout.write(f"Đã áp dụng ({len(state.applied)}):")
        for record in state.applied:
            at = timezone.localtime(record.applied_at).strftime("%d/%m/%Y %H:%M:%S")
            self.stdout.write(
                f"  {record.name}  {at}  {record.applied_by}@{record.host}  {_seconds(record.duration_ms)}"
            )
        self.stdout.write(f"Chờ áp dụng ({len(state.pending)}):")
        for patch in state.pending:
            self.stdout.write(f"  {patch.name}")
        self._warn(state.warnings)

    def _dry_run(self, directory: Path) -> None:
        state = patches.status(directory=directory)
        self._warn(state.warnings)
        if not state.pending:
            self.stdout.write(f"Không có bản vá nào chờ áp dụng (đã áp dụng {len(state.applied)}).")
            return
        self.stdout.write(
            f"Chạy thử {len(state.pending)} bản vá chờ áp dụng; mọi thay đổi sẽ được hoàn tác, không ghi nhận gì."
        )
        try:
            patches.dry_run(directory=directory, on_done=lambda outcome: self._report(outcome, "chạy thử"))
        except PatchFailed as failed:
            self._traceback(failed)
            raise CommandError(
                f"Chạy thử bản vá {failed.patch.name} bị lỗi: {_reason(failed.error)}"
                f"{self._not_started(failed, 'chạy thử')}. Cơ sở dữ liệu không thay đổi."
            ) from failed
        self.stdout.write(
            self.style.SUCCESS(
                "Chạy thử xong; cơ sở dữ liệu không thay đổi. Áp dụng thật: manage.py apply_patches --apply"
            )
        )

    def _apply(self, directory: Path, *, lock_timeout: int, verbosity: int) -> None:
        def waiting() -> None:
            self.stdout.write(f"Một máy khác đang áp dụng bản vá; chờ tối đa {lock_timeout} giây…")

        self._warn(patches.status(directory=directory).warnings)
        try:
            done = patches.apply_pending(
                directory=directory,
                applied_by=_operator(),
                host=socket.gethostname(),
                lock_timeout=lock_timeout,
                on_waiting=waiting,
                on_done=lambda outcome: self._report(outcome, "đã áp dụng"),
            )
        except PatchFailed as failed:
            self._traceback(failed)
            earlier = f" {len(failed.done)} bản vá trước nó đã áp dụng và được ghi nhận." if failed.done else ""
            raise CommandError(
                f"Bản vá {failed.patch.name} bị lỗi: {_reason(failed.error)}. Bản vá này đã được hoàn tác toàn bộ và "
                f"không được ghi nhận{self._not_started(failed, 'chạy')}.{earlier} Sửa lỗi rồi chạy lại lệnh: "
                "bản vá đã áp dụng không chạy lại."
            ) from failed
        if done:
            self.stdout.write(self.style.SUCCESS(f"Đã áp dụng {len(done)} bản vá."))
        elif verbosity > 0:  # `make migrate` runs it quietly, like `migrate -v 0`
            self.stdout.write("Không có bản vá nào chờ áp dụng.")

    # --- output --------------------------------------------------------------------------------------

    def _report(self, outcome: Outcome, verb: str) -> None:
        self.stdout.write(f"[{outcome.patch.name}] {verb} trong {_seconds(outcome.duration_ms)}:")
        for line in (outcome.summary or "(bản vá không trả về tóm tắt)").splitlines():
            self.stdout.write(f"    {line}")

    def _warn(self, warnings: list[str]) -> None:
        for warning in warnings:
            self.stderr.write(self.style.WARNING(f"Cảnh báo: {warning}"))

    def _traceback(self, failed: PatchFailed) -> None:
        self.stderr.write("".join(traceback.format_exception(failed.error)).rstrip())

    @staticmethod
    def _not_started(failed: PatchFailed, verb: str) -> str:
        if not failed.not_started:
            return ""
        return f"; chưa {verb}: {', '.join(patch.name for patch in failed.not_started)}"
