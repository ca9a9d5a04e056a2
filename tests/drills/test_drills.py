"""Failure drills (issue #23): during a steady stream of dossiers handed in through nginx (each
accepted at once, so each gets its code, its receipt printed by a worker, its SMS, its national
message and its webhook), of online payments (each IPN sent again once) and of public look-ups of the
accepted dossiers, one part of the cluster fails; afterwards every request answered 201 has exactly
one whole dossier, the codes of each agency and day run 1..N without a gap or a repeat, every outbox
row written during the drill was delivered, once per receiver's dedupe id, every payment the gateway
took is recorded once with its receipt, and no look-up was answered with a server error other than a
503 with Retry-After.

Marked `drills` and left out of the default run (pyproject addopts): minutes each, the cluster's
ports. `make drills` runs them under the cluster lock; the table is in var/drills/results.json.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import redis

from tests.drills.citizens import LookUps, Payer
from tests.drills.harness import (
    CLUSTER,
    REPO,
    Stream,
    app_side,
    cluster,
    cluster_env,
    pid_of,
    record,
    sms_received,
)
from tests.support import wait_until

pytestmark = pytest.mark.drills

#: Seconds of load before the failure, and after it (or after its repair) before the stream stops.
BEFORE, AFTER = 5.0, 15.0
#: How long the workers get to finish the drill's outbox rows (leases of 30 s, dispatch each minute).
DRAIN = 300.0


def run_drill(
    cluster,
    name: str,
    fault: Callable[[], None],
    repair: Callable[[], None] | None = None,
    *,
    down_for: float = 0.0,
) -> dict:
    stream = Stream(token=cluster.token, procedure=cluster.procedure, requirement=cluster.requirement).start()
    payer = Payer(session=cluster.session, orders=cluster.orders, cookie_names=cluster.cookie_names).start()
    lookups = LookUps(stream, cluster.lookup_secret, csrf_cookie=cluster.cookie_names["csrf"]).start()
    time.sleep(BEFORE)
    fault_at = time.time()
    fault()
    if repair is not None:
        time.sleep(down_for)
        repair()
    time.sleep(AFTER)
    lookups.stop()
    stream.stop()
    payer.stop()  # last: it pays no more, but sends again the IPNs answered meanwhile
    recovery = stream.recovery_seconds(fault_at)

    given = {"marks": cluster.marks, "sent": stream.sent(), "accepted": stream.accepted(), "payments": payer.paid()}
    deadline = time.monotonic() + DRAIN
    while True:
        # The stand-in retries an IPN not answered 00 or 02 after 2, 10 and 60 s: its log grows meanwhile.
        found = app_side("check", given={**given, "ipns": cluster.vnpay.ipn_log()})
        settled = found["pending"] == 0 and not found["payments"]["unconfirmed"]
        if settled or time.monotonic() > deadline:
            break
        time.sleep(5)

    webhooks_missing = [uuid for uuid in found["webhook_ids"] if cluster.webhooks.received[uuid] == 0]
    national = cluster.national.state()["deliveries"]
    national_missing = [uuid for uuid in found["national_ids"] if national.get(uuid, 0) == 0]
    sms = sms_received()
    sms_missing = [key for key in found["sms_keys"] if sms[key] == 0]
    row = {
        "drill": name,
        "sent": len(stream.requests),
        "accepted": len(stream.accepted()),
        "lost": len(found["lost"]),
        "duplicated": len(found["duplicated"]),
        "recovery_seconds": recovery,
        "answers": dict(stream.statuses),
        "half_made": found["half_made"],
        "made_but_unanswered": len(found["unanswered_made"]),
        "documents_bad": found["documents_bad"],
        "receipts_bad": found["receipts_bad"],
        "codes_bad": found["codes_bad"],
        "codes_checked": found["codes_checked"],
        "outbox": found["outbox"],
        "outbox_pending": found["pending"],
        "tasks_retaken": found["tasks_retaken"],
        "payments": {**found["payments"], "replayed": payer.replayed(), "client": dict(payer.statuses)},
        "lookups": {**lookups.figures(), "answers": dict(lookups.answers)},
        "delivered_missing": {"webhooks": webhooks_missing, "national": national_missing, "sms": sms_missing},
        "resent": {
            "webhooks": sum(max(0, cluster.webhooks.received[u] - 1) for u in found["webhook_ids"]),
            "national": sum(max(0, national.get(u, 0) - 1) for u in found["national_ids"]),
        },
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(fault_at)),
    }
    record(row)
    return row


def assert_whole(row: dict) -> None:
    assert row["accepted"] > 0, row
    assert row["lost"] == 0, row
    assert row["duplicated"] == 0, row
    assert row["half_made"] == [], row
    assert row["documents_bad"] == [], row
    assert row["receipts_bad"] == [], row
    assert row["codes_bad"] == [], row
    assert row["outbox_pending"] == 0, row
    assert row["delivered_missing"] == {"webhooks": [], "national": [], "sms": []}, row
    # A failure is answered, never with a server error the client could not act on.
    assert "500" not in row["answers"], row
    payments = row["payments"]
    assert payments["sent"] > 0, row
    assert payments["recorded"] == payments["sent"], row
    assert payments["duplicated"] == [] and payments["half_made"] == [], row
    assert payments["unconfirmed"] == [] and payments["amount_bad"] == [], row
    assert payments["replayed"] == payments["sent"], row
    # A look-up is answered, or refused with a 503 and Retry-After; never another server error.
    assert row["lookups"]["sent"] > 0 and row["lookups"]["failed"] == 0, row


HOST = "127.0.0.1"
SENTINELS = [(HOST, port) for port in (26380, 26381, 26382)]


def sentinel_masters() -> set[tuple[str, int]]:
    masters = set()
    for host, port in SENTINELS:
        try:
            address = redis.Redis(host=host, port=port, socket_timeout=1).sentinel_get_master_addr_by_name("onestop")
        except redis.RedisError:
            continue
        if address:
            name = address[0].decode() if isinstance(address[0], bytes) else address[0]
            masters.add((name, int(address[1])))
    return masters


def _gone(pid: int) -> bool:
    return not Path(f"/proc/{pid}").exists()


def test_kill_one_web_node(drill_cluster):
    def fault() -> None:
        # As a crashed host: SIGKILL to the node's whole process group (gunicorn master and workers).
        os.killpg(pid_of("web-1"), signal.SIGKILL)

    row = run_drill(drill_cluster, "kill -9 web node", fault)
    assert_whole(row)


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(child) for child in found]


def _descendants(pid: int) -> list[int]:
    out: list[int] = []
    for child in _children(pid):
        out += [child, *_descendants(child)]
    return out


def _running_tasks(worker_pid: int) -> bool:
    """The rqworker `worker_pid` is running the task outbox's job (receipts are printed by it), per
    the worker's record in Redis (RQ keeps its current job id there)."""
    from redis.sentinel import Sentinel

    connection = Sentinel(SENTINELS, socket_timeout=1).master_for("onestop", db=15, socket_timeout=2)
    for key in connection.smembers("rq:workers"):
        worker = connection.hgetall(key)
        if int(worker.get(b"pid", 0)) == worker_pid and worker.get(b"current_job"):
            description = connection.hget(b"rq:job:" + worker[b"current_job"], "description") or b""
            return b"run_tasks" in description
    return False


def test_kill_a_worker_mid_job(drill_cluster):
    """The default queue's worker killed while it runs the task outbox's job (printing receipts):
    its work-horse and the worker with it, as the OOM killer would; the supervisor starts it again,
    and the task it held is taken over when its lease (30 s in the drills) runs out."""

    def fault() -> None:
        loop = pid_of("worker-default-1")  # cluster.sh's supervising loop: it stays, as systemd would

        def busy() -> bool:
            return any(_children(worker) and _running_tasks(worker) for worker in _children(loop))

        assert wait_until(busy, timeout=30, interval=0.02), "the worker ran no task during the load"
        for pid in reversed(_descendants(loop)):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    row = run_drill(drill_cluster, "kill -9 worker mid-job", fault)
    assert_whole(row)
    # The kill landed on a task: one was run a second time, by the lease's take-over.
    assert row["tasks_retaken"] >= 1, row


def test_restart_the_redis_master(drill_cluster):
    """The Redis master killed (-9); the Sentinels promote the replica; `up` brings the old one back
    as a replica. Jobs in the lost master's queues are handed over again by the outbox dispatchers."""
    masters: list[int] = []

    def fault() -> None:
        (master,) = sentinel_masters()
        masters.append(master[1])
        os.kill(pid_of(f"redis-{master[1]}"), signal.SIGKILL)

    def repair() -> None:
        assert wait_until(lambda: sentinel_masters() not in ({(HOST, masters[0])}, set()), timeout=60, interval=0.5)
        cluster("up")

    row = run_drill(drill_cluster, "kill -9 Redis master", fault, repair, down_for=1.0)
    assert_whole(row)


def _mariadb_pid(who: str) -> int:
    return int((CLUSTER / "mariadb" / who / "mariadbd.pid").read_text())


def _mariadb_stop(who: str) -> None:
    pid = _mariadb_pid(who)
    os.kill(pid, signal.SIGTERM)
    assert wait_until(lambda: _gone(pid), timeout=60, interval=0.2), f"{who} did not stop"


def _mariadb_up() -> None:
    done = subprocess.run(
        ["bash", str(REPO / "scripts" / "cluster" / "mariadb.sh"), "up"],
        cwd=REPO,
        env={**cluster_env(), "DB_NAME": "onestop_cluster"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_stop_the_mariadb_replica(drill_cluster):
    """The replica stopped for the drill's length: heavy reads, the public look-up among them, fall
    back to the primary (core.dbrouting); the rest of the load, all on the primary, goes on; then the
    replica is started again."""
    row = run_drill(drill_cluster, "stop MariaDB replica", lambda: _mariadb_stop("replica"), _mariadb_up, down_for=10.0)
    assert_whole(row)
    # The look-ups read from the replica: with it stopped they fall back to the primary and still find.
    assert row["lookups"]["answered"] == row["lookups"]["sent"], row


def test_restart_the_mariadb_primary(drill_cluster):
    """The primary stopped and started again: meanwhile every call is answered 503 with Retry-After
    (core.outage), the client sends it again with the same key, and nothing is half-made."""
    row = run_drill(
        drill_cluster, "restart MariaDB primary", lambda: _mariadb_stop("primary"), _mariadb_up, down_for=5.0
    )
    assert_whole(row)
    assert row["answers"].get("503", 0) > 0, row


FILES = CLUSTER / "data" / "files"


def test_fill_the_file_store(drill_cluster, tmp_path):
    """The file store full (ENOSPC, as a quota reached): uploads and printed receipts are refused
    with a 503 (security.storage.StorageUnavailable), nothing half-made; space freed, the client's
    retries and the task outbox's bring everything in.

    The cluster's MEDIA_ROOT gets a small tmpfs, filled but for a few kilobytes, mounted over it for
    the drill; afterwards what was written there is copied back under the real directory."""
    mounted = tmp_path / "written"

    def fault() -> None:
        FILES.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "drills-full", str(FILES)], check=True)
        # Everything but 16 KiB taken: a receipt or a scan or two fit, then the store is full.
        total = os.statvfs(FILES).f_bavail * os.statvfs(FILES).f_frsize
        (FILES / "filler").write_bytes(b"\0" * max(0, total - 16 * 1024))

    def repair() -> None:
        (FILES / "filler").unlink()
        subprocess.run(["cp", "-a", f"{FILES}/.", str(mounted)], check=True)
        subprocess.run(["umount", str(FILES)], check=True)
        subprocess.run(["cp", "-a", f"{mounted}/.", str(FILES)], check=True)

    mounted.mkdir()
    try:
        row = run_drill(drill_cluster, "file store full", fault, repair, down_for=10.0)
    finally:
        if os.path.ismount(FILES):
            subprocess.run(["umount", "-l", str(FILES)], check=False)
    assert_whole(row)
    assert row["answers"].get("503", 0) > 0, row
