"""Every write of the evaluation's figures: a dossier's fact derived again, and the from-scratch recompute."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import structlog

from django.db import connection, transaction
from django.utils import timezone

from onestop_tayninh.dossiers.models import Dossier

from . import rollups
from .facts import Deriver, all_facts, facts_for
from .models import DailyRollup, DossierFact, MonthlyRollup, PendingFact, RecomputeGuard, RollupBalance

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
        rollups.add(*rollups.changes(old, new))
        if new is None:
            DossierFact.objects.filter(dossier_id=pk).delete()
        elif old is None:
            DossierFact.objects.create(**new)
        else:
            DossierFact.objects.filter(dossier_id=pk).update(**{k: v for k, v in new.items() if k != "dossier_id"})
    return changed


def indicators_recompute(*, batch: int = 5000) -> dict[str, Any]:
    """Rebuild the facts and the sums from the dossiers, from scratch; the live path's numbers must come
    out the same. Dossiers that change meanwhile are queued and derived again at the end."""
    started = time.monotonic()
    facts = 0
    daily: rollups.Sums = {}
    monthly: rollups.Sums = {}
    pending: list[int] = []
    with transaction.atomic():
        # Waits for the refreshes under way (they hold the guard's row in share mode); later ones queue.
        RecomputeGuard.objects.update_or_create(pk=1, defaults={"recomputing_since": timezone.now()})
    try:
        with connection.cursor() as cursor:
            for model in (DossierFact, DailyRollup, MonthlyRollup, RollupBalance):
                cursor.execute(f"DELETE FROM {model._meta.db_table}")
        buffer: list[dict[str, Any]] = []
        every: list[dict[str, Any]] = []
        for fact in all_facts(batch=batch):
            buffer.append(fact)
            every.append(_summary(fact))
            if len(buffer) >= batch:
                facts += _write_facts(buffer)
                buffer = []
        facts += _write_facts(buffer)
        daily, monthly, balance = rollups.totals(every)
        del every
        rollups.add(daily, monthly, balance)
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
        "daily_rows": len(daily),
        "monthly_rows": len(monthly),
        "pending": len(pending),
        "seconds": round(time.monotonic() - started, 1),
    }
    log.info("indicators_recomputed", **result)
    return result


def _summary(fact: dict[str, Any]) -> dict[str, Any]:
    # Only what the sums read, to keep a million facts in memory small.
    keep = (
        "agency_id",
        "desk_id",
        "procedure_id",
        "channel",
        "received_on",
        "closed_on",
        "late_on",
        "outcome",
        "working_seconds",
        "elapsed_seconds",
        "legal_seconds",
        "digitised",
        "reused",
        "with_fees",
        "paid_online",
        "e_result",
        "dissatisfied",
        "rated",
        "index_points",
        "index_max",
    )
    return {name: fact[name] for name in keep}


def _write_facts(facts: list[dict[str, Any]]) -> int:
    DossierFact.objects.bulk_create([DossierFact(**fact) for fact in facts], batch_size=1000)
    return len(facts)


def refresh_after_commit(dossier_id: int) -> None:
    """Derive the dossier's fact again when the current transaction commits: once per transaction,
    however many events it records (a rolled-back transaction drops the callback, and its set with it)."""
    state = getattr(connection, "_onestop_fact_refresh", None)
    if state is None or not any(item[1] is state[1] for item in connection.run_on_commit):
        pending: set[int] = {dossier_id}

        def run() -> None:
            try:
                facts_refresh(dossier_ids=pending)
            except Exception:
                # The dossier's own change has committed; the nightly recompute derives its fact again.
                log.exception("fact_refresh_failed", dossiers=sorted(pending))

        connection._onestop_fact_refresh = (pending, run)  # type: ignore[attr-defined]
        transaction.on_commit(run)
    else:
        state[0].add(dossier_id)
