"""Every write of the evaluation's figures: a dossier's fact derived again, and the from-scratch recompute."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import structlog

from django.db import connection, transaction
from django.utils import timezone

from onestop_tayninh.core.after_response import after_response
from onestop_tayninh.dossiers.models import Dossier

from . import rollups
from .facts import Deriver, all_facts, facts_for
from .models import (
    AgencyMonthlyRollup,
    DailyRollup,
    DossierFact,
    MonthlyRollup,
    PendingFact,
    RecomputeGuard,
    RollupBalance,
)

log = structlog.get_logger(__name__)

FACT_FIELDS = tuple(field.attname for field in DossierFact._meta.concrete_fields)


def _recomputing() -> bool:
    """Whether the recompute is rewriting the figures, read under a shared lock held to the commit."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT recomputing_since FROM {RecomputeGuard._meta.db_table} WHERE id = 1 LOCK IN SHARE MODE")
        row = cursor.fetchone()
    return row is not None and row[0] is not None


def facts_refresh(*, dossier_ids: Iterable[int]) -> int:
    """Derive these dossiers' facts again and move the sums by the difference; returns how many facts
    changed. Safe to run twice and from two workers at once (the dossiers' rows are locked first, as
    every dossier service locks them)."""
    ids = sorted(set(dossier_ids))
    if not ids:
        return 0
    with transaction.atomic():
        if _recomputing():
            PendingFact.objects.bulk_create([PendingFact(dossier_id=pk) for pk in ids], ignore_conflicts=True)
            return 0
        return _refresh_locked(ids, Deriver())


#: How far back the sync refresh looks: twice its period (core/cron.py, every 5 minutes), so a late run
#: misses nothing; the nightly recompute catches what a stopped worker missed.
SYNC_LOOKBACK = dt.timedelta(minutes=10)


def facts_sync_refresh(*, at: dt.datetime, batch: int = 200) -> int:
    """The facts of the dossiers whose national sync messages were pushed lately, derived again: a message
    the national portal accepted (or refused) changes whether the portal has the dossier's latest state
    (the fact's `synced`, indicator 1.4), and no dossier event says so. Returns how many facts changed."""
    from onestop_tayninh.national.models import SyncMessage

    ids = sorted(
        set(
            SyncMessage.objects.filter(last_attempt_at__gte=at - SYNC_LOOKBACK, last_attempt_at__lte=at).values_list(
                "dossier_id", flat=True
            )
        )
    )
    # In small batches: each locks its dossiers' rows, which the desk's officials are writing too.
    return sum(facts_refresh(dossier_ids=ids[i : i + batch]) for i in range(0, len(ids), batch))


def _refresh_locked(ids: list[int], deriver: Deriver) -> int:
    list(Dossier.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
    stored = {row["dossier_id"]: row for row in DossierFact.objects.filter(dossier_id__in=ids).values(*FACT_FIELDS)}
    derived = facts_for(ids, deriver)
    changed = 0
    for pk in ids:
        old, new = stored.get(pk), derived.get(pk)
        if old == new:
            continue
        changed += 1
        rollups.add(rollups.changes(old, new))
        if new is None:
            DossierFact.objects.filter(dossier_id=pk).delete()
        elif old is None:
            DossierFact.objects.create(**new)
        else:
            DossierFact.objects.filter(dossier_id=pk).update(**{k: v for k, v in new.items() if k != "dossier_id"})
    return changed


def indicators_recompute(*, batch: int = 5000) -> dict[str, Any]:
    """Rebuild the facts and the sums from the dossiers, from scratch; the live path's numbers must come
    out the same (tests/reports/test_rollups.py). The facts are derived in Python (reports.facts, the
    live path's own code); the sums are added up by the database from the facts (reports.rollups.SQL),
    a second writing of `contributions` that the test holds to the first. Dossiers that change
    meanwhile are queued and derived again at the end."""
    started = time.monotonic()
    facts = 0
    pending: list[int] = []
    with transaction.atomic():
        # Waits for the refreshes under way (they hold the guard's row in share mode); later ones queue.
        RecomputeGuard.objects.update_or_create(pk=1, defaults={"recomputing_since": timezone.now()})
    try:
        # Run as the nightly job runs it, outside any transaction: TRUNCATE (a million rows at once; the
        # refreshes queue meanwhile), and a second connection writing while this one derives. Inside a
        # caller's transaction (a test's), DELETE and one connection, which that transaction can see.
        alone = not connection.in_atomic_block
        with connection.cursor() as cursor:
            for model in (DossierFact, DailyRollup, MonthlyRollup, AgencyMonthlyRollup, RollupBalance):
                cursor.execute(f"{'TRUNCATE TABLE' if alone else 'DELETE FROM'} {model._meta.db_table}")
        with ThreadPoolExecutor(max_workers=1) if alone else _InlineWriter() as writer:
            waiting: list[Future[int]] = []
            buffer: list[dict[str, Any]] = []
            for fact in all_facts(batch=batch):
                buffer.append(fact)
                if len(buffer) >= batch:
                    waiting.append(writer.submit(_write_facts_closing, buffer))
                    buffer = []
                    if len(waiting) > 2:
                        facts += waiting.pop(0).result()
            waiting.append(writer.submit(_write_facts_closing, buffer))
            facts += sum(future.result() for future in waiting)
        derived = time.monotonic() - started
        rollups.rebuild_from_facts()
    finally:
        with transaction.atomic():
            RecomputeGuard.objects.select_for_update().get(pk=1)
            pending = list(PendingFact.objects.values_list("dossier_id", flat=True))
            if pending:
                _refresh_locked(sorted(pending), Deriver())
                PendingFact.objects.all().delete()
            RecomputeGuard.objects.filter(pk=1).update(recomputing_since=None, finished_at=timezone.now())
    result = {
        "facts": facts,
        "daily_rows": DailyRollup.objects.count(),
        "monthly_rows": MonthlyRollup.objects.count(),
        "pending": len(pending),
        "facts_seconds": round(derived, 1),
        "seconds": round(time.monotonic() - started, 1),
    }
    log.info("indicators_recomputed", **result)
    return result


class _InlineWriter:
    """The writer's interface, writing at once on this connection (inside a caller's transaction)."""

    def __enter__(self) -> _InlineWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, write: Any, facts: list[dict[str, Any]]) -> Future[int]:
        future: Future[int] = Future()
        future.set_result(_write_facts(facts))
        return future


def _literal(value: Any) -> str:
    """A fact's value as SQL: numbers, truth values, dates and NULL written directly (escaping a million
    rows' worth of parameters one by one cost more than the insert); text through the driver's escaping."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return f"'{value.isoformat()}'"
    literal = connection.connection.literal(str(value))
    return literal.decode() if isinstance(literal, bytes) else str(literal)


def _write_facts(facts: list[dict[str, Any]]) -> int:
    """Many facts in multi-row INSERTs (model instances would cost more than the derivation)."""
    if not facts:
        return 0
    columns = list(facts[0])
    with connection.cursor() as cursor:
        connection.ensure_connection()
        for start in range(0, len(facts), 1000):
            rows = ", ".join(
                "(" + ", ".join(_literal(fact[column]) for column in columns) + ")"
                for fact in facts[start : start + 1000]
            )
            cursor.execute(f"INSERT INTO {DossierFact._meta.db_table} ({', '.join(columns)}) VALUES {rows}")
    return len(facts)


def _write_facts_closing(facts: list[dict[str, Any]]) -> int:
    """`_write_facts` in the writer thread, which has its own connection: closed when done."""
    try:
        return _write_facts(facts)
    finally:
        connection.close()


def refresh_after_commit(dossier_id: int) -> None:
    """Derive the dossier's fact again when the current transaction commits (inside a request, once its
    answer has been sent): once per transaction, however many events it records (a rolled-back transaction
    drops the callback, and its set with it)."""
    state = getattr(connection, "_onestop_fact_refresh", None)
    if state is None or not any(item[1] is state[1] for item in connection.run_on_commit):
        pending: set[int] = {dossier_id}

        def refresh() -> None:
            try:
                facts_refresh(dossier_ids=pending)
            except Exception:
                # The dossier's own change has committed; the nightly recompute derives its fact again.
                log.exception("fact_refresh_failed", dossiers=sorted(pending))

        def run() -> None:
            # Inside a request, once its answer has been sent (core.after_response).
            after_response(refresh)

        connection._onestop_fact_refresh = (pending, run)  # type: ignore[attr-defined]
        transaction.on_commit(run)
    else:
        state[0].add(dossier_id)
