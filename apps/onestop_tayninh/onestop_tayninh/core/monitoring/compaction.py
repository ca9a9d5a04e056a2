"""A dead process's metrics files folded into one archive file per type (no Django here: gunicorn's master runs it).

prometheus_client's multiprocess mode writes one file per process and type (`counter_<pid>.db`, …), and
a scrape reads every file. Gunicorn recycles a worker every ~2,000 requests (max_requests), so without
this the web's directory would gain a set of files per recycled worker until the next restart, and
each scrape would read them all (bench/metrics.py: the merge is most of a scrape's time). When a worker
exits, gunicorn's child_exit (config/gunicorn.conf.py) calls `archive_dead_process`: its counters and
histograms are added into `counter_archive.db` and `histogram_archive.db`, and its files removed, so
totals never go backwards and the directory holds the live workers' files plus one archive per type.

A scrape (`metrics.FilesCollector`) takes the directory's lock shared while it reads; the fold takes
it exclusive, so a scrape never sees a process counted twice (archive and its own file) or not at all.
"""

from __future__ import annotations

import fcntl
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from prometheus_client import multiprocess
from prometheus_client.mmap_dict import MmapedDict

LOCK_NAME = ".compaction.lock"
#: In place of the process id in the archive's file name (`counter_archive.db`).
ARCHIVE = "archive"
#: Types whose values from several processes add up (a histogram's files hold per-bucket counts and sum).
SUMMED_TYPES = ("counter", "histogram", "summary")


@contextmanager
def directory_lock(directory: str, *, exclusive: bool) -> Iterator[None]:
    """flock on the directory's lock file; without a writable directory, no lock (nothing folds there)."""
    try:
        fd = os.open(os.path.join(directory, LOCK_NAME), os.O_RDWR | os.O_CREAT, 0o640)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)


def summable(path: str) -> str | None:
    """The type of a file whose values add up across processes (`histogram_123.db` → histogram), else None."""
    kind = os.path.basename(path).split("_", 1)[0]
    return kind if kind in SUMMED_TYPES else None


def add_up(paths: Iterable[str]) -> dict[str, float]:
    """The files' values summed by key (a key names one sample: metric, labels, bucket)."""
    totals: dict[str, float] = defaultdict(float)
    for path in paths:
        for key, value, _timestamp, _position in MmapedDict.read_all_values_from_file(path):
            totals[key] += value
    return totals


def write_file(path: str, totals: dict[str, float]) -> None:
    """A multiprocess file holding `totals`, written aside under a name no scrape reads, then swapped in."""
    staging = f"{path}.new"
    if os.path.exists(staging):  # left by a write that died half-way: never swapped in
        os.remove(staging)
    written = MmapedDict(staging)
    try:
        for key, total in totals.items():
            written.write_value(key, total, 0.0)
    finally:
        written.close()
    os.replace(staging, path)


def archive_dead_process(pid: int, directory: str) -> None:
    """Fold process `pid`'s counters and histograms into the archive files; drop its live gauges."""
    with directory_lock(directory, exclusive=True):
        multiprocess.mark_process_dead(pid, directory)
        for kind in SUMMED_TYPES:
            dead = os.path.join(directory, f"{kind}_{pid}.db")
            if not os.path.exists(dead):
                continue
            archive = os.path.join(directory, f"{kind}_{ARCHIVE}.db")
            write_file(archive, add_up(path for path in (archive, dead) if os.path.exists(path)))
            os.remove(dead)
