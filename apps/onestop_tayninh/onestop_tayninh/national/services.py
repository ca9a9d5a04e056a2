"""Every write of the national sync (docs/architecture.md §6.6).

The outbox: `message_record` writes one message per dossier change inside the event's transaction;
its national content is mapped when that transaction commits (the engine's service may still change
the dossier after recording the event) or, failing that, when it is pushed. `sync_push_batch` sends
the head of each dossier's queue, the dossiers' messages locked with SKIP LOCKED so two workers
never send the same one, and message n + 1 of a dossier is never sent before n is accepted.

A rejected message blocks the later messages of its dossier until an administrator corrects the data
and resends it (`message_resend`): the national portal keeps one record per dossier code, and a later
state pushed over a change it refused would leave a gap in the history the evaluation reads
(a finish without the receipt it refused, for instance).

The catalogue: `catalogue_pull` reads the national feed of procedure changes and flags those that
differ from our published version; an administrator publishes the change as a new version
(`change_publish`, through catalog's versioning services) or dismisses it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

import structlog

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop_tayninh.accounts.models import User
from onestop_tayninh.catalog.constants import VersionStatus
from onestop_tayninh.catalog.models import Procedure, ProcedureVersion
from onestop_tayninh.catalog.services import procedure_version_new_draft, procedure_version_publish
from onestop_tayninh.core.after_response import after_response
from onestop_tayninh.dossiers.models import Dossier, DossierEvent

from . import client, mapping
from .constants import BATCH_SIZE, ChangeStatus, SyncStatus, retry_delay
from .models import FeedCursor, ProcedureChange, SyncMessage
from .selectors import never_synced

log = structlog.get_logger(__name__)

#: Set while a push job waits in the queue: a thousand commits in a minute enqueue one job, not a thousand.
PUSH_QUEUED_KEY = "national:push-queued"
CATALOGUE_FEED = "catalogue"


# --- the outbox -------------------------------------------------------------------------------------


def message_record(*, event: DossierEvent) -> SyncMessage | None:
    """The dossier's next message for this event, in the caller's transaction; None for a dossier not yet
    received (the national portal knows dossiers by their code). A replayed event writes nothing more."""
    dossier = event.dossier
    if not dossier.code:
        return None
    # One read for both: the dossier's last number, and whether this event has its message already.
    seen = SyncMessage.objects.filter(dossier_id=dossier.pk).aggregate(
        last=Max("seq"), mine=Count("pk", filter=Q(event_id=event.pk))
    )
    if seen["mine"]:
        return SyncMessage.objects.get(event=event)
    # The engine holds the dossier's row lock while it records; the unique (dossier, seq) guards the rest.
    now = timezone.now()
    message = SyncMessage(
        dossier=dossier, event=event, seq=(seen["last"] or 0) + 1, next_attempt_at=now, created_at=now
    )
    # The relations are the caller's own rows: checking that each exists would cost a query apiece.
    message.full_clean(exclude=["dossier", "event"], validate_unique=False, validate_constraints=False)
    message.save()
    _after_commit(message.pk)
    return message


def backlog_record(*, limit: int = 1000) -> int:
    """A message for each received dossier the portal has never heard of (received before the sync
    began): its current state, tied to its latest event, numbered 1. Up to `limit` dossiers, oldest
    first; each under its row lock, so a change arriving meanwhile queues behind it as message 2.
    Returns how many messages it wrote; run again until it writes none."""
    written = 0
    for dossier_id in list(never_synced().order_by("pk").values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            dossier = Dossier.objects.select_for_update().get(pk=dossier_id)
            if SyncMessage.objects.filter(dossier_id=dossier_id).exists():
                continue  # a change got there first, under the same lock
            latest = DossierEvent.objects.filter(dossier=dossier).order_by("-pk").first()
            if latest is None:
                continue
            latest.dossier = dossier
            if message_record(event=latest) is not None:
                written += 1
    log.info("national_backlog_recorded", count=written)
    return written


def _after_commit(message_id: int) -> None:
    """Map the transaction's messages when it commits, then hand a push to the workers (once per transaction)."""
    state = getattr(connection, "_onestop_national_sync", None)
    if state is not None and any(item[1] is state[1] for item in connection.run_on_commit):
        state[0].append(message_id)
        return
    pending: list[int] = [message_id]

    def map_and_hand_over() -> None:
        try:
            messages_map(message_ids=pending)
        except Exception:
            # The change has committed; the push maps what is still unmapped.
            log.exception("national_map_failed", messages=pending)
        hand_over()

    def run() -> None:
        # Inside a request, once its answer has been sent (core.after_response): the dossier as committed.
        after_response(map_and_hand_over)

    connection._onestop_national_sync = (pending, run)  # type: ignore[attr-defined]
    transaction.on_commit(run)


def hand_over() -> None:
    """Queue one push job unless one is already waiting; a Redis outage is logged (the cron pushes anyway)."""
    try:
        import django_rq

        from .jobs import push_due

        if cache.add(PUSH_QUEUED_KEY, 1, timeout=120):
            django_rq.get_queue("default", commit_mode="auto").enqueue(push_due)
    except Exception:
        log.warning("national_hand_over_failed", exc_info=True)


def _content(dossier_id: int) -> dict[str, Any]:
    dossier = Dossier.objects.select_related("procedure_version__procedure", "state").get(pk=dossier_id)
    return mapping.dossier_message(dossier)


def _map(message: SyncMessage, at: dt.datetime) -> None:
    message.payload = _content(message.dossier_id)
    message.mapped_at = at


def messages_map(*, message_ids: Iterable[int]) -> int:
    """Write the national content of messages not yet mapped (the dossier as it stands now): one reading
    per dossier, shared by its messages (a receipt records two events, and so two messages, at once)."""
    done = 0
    now = timezone.now()
    contents: dict[int, dict[str, Any]] = {}
    for message in SyncMessage.objects.filter(pk__in=list(message_ids), mapped_at__isnull=True):
        if message.dossier_id not in contents:
            contents[message.dossier_id] = _content(message.dossier_id)
        done += SyncMessage.objects.filter(pk=message.pk, mapped_at__isnull=True).update(
            payload=contents[message.dossier_id], mapped_at=now
        )
    return done


def _heads(at: dt.datetime, limit: int) -> list[SyncMessage]:
    """Each dossier's first message not yet accepted, if it is due; rows another worker holds are skipped."""
    earlier_open = SyncMessage.objects.filter(dossier_id=OuterRef("dossier_id"), seq__lt=OuterRef("seq")).exclude(
        status=SyncStatus.ACCEPTED
    )
    return list(
        SyncMessage.objects.select_for_update(skip_locked=True)
        .filter(status=SyncStatus.PENDING, next_attempt_at__lte=at)
        .exclude(Exists(earlier_open))
        .order_by("pk")[:limit]
    )


def sync_push_batch(*, at: dt.datetime, limit: int = BATCH_SIZE) -> dict[str, int]:
    """Push one batch of due messages (one per dossier) and record each answer; counts by outcome.

    The rows stay locked for the request (one transaction): a worker that dies mid-request leaves them
    pending, and the portal, which deduplicates by message id, answers the resend "duplicate"."""
    counts = {"accepted": 0, "rejected": 0, "retry": 0}
    with transaction.atomic():
        heads = _heads(at, limit)
        if not heads:
            return counts
        for message in heads:
            if message.mapped_at is None:
                _map(message, at)
                SyncMessage.objects.filter(pk=message.pk).update(payload=message.payload, mapped_at=at)
        batch = [{"message_id": str(m.message_id), "seq": m.seq, "data": m.payload} for m in heads]
        try:
            results = client.push(batch)
        except client.Unavailable as exc:
            results, error = {}, str(exc)
        else:
            error = _("Cổng quốc gia không trả lời về tin này.")
        accepted = [m.pk for m in heads if (r := results.get(str(m.message_id))) and r.status == "accepted"]
        SyncMessage.objects.filter(pk__in=accepted).update(
            status=SyncStatus.ACCEPTED,
            accepted_at=at,
            last_attempt_at=at,
            attempts=F("attempts") + 1,
            last_error="",
            error_code="",
            error_reason="",
        )
        counts["accepted"] = len(accepted)
        for message in heads:
            result = results.get(str(message.message_id))
            if result is not None and result.status == "accepted":
                continue
            if result is not None:
                SyncMessage.objects.filter(pk=message.pk).update(
                    status=SyncStatus.REJECTED,
                    rejected_at=at,
                    last_attempt_at=at,
                    attempts=F("attempts") + 1,
                    last_error="",
                    error_code=result.error_code[:32],
                    error_reason=(result.error or _("Cổng quốc gia không nêu lý do."))[:1000],
                )
                counts["rejected"] += 1
                log.warning("national_rejected", message=message.pk, code=result.error_code)
            else:
                SyncMessage.objects.filter(pk=message.pk).update(
                    last_attempt_at=at,
                    attempts=F("attempts") + 1,
                    next_attempt_at=at + retry_delay(message.attempts + 1),
                    last_error=error[:500],
                )
                counts["retry"] += 1
    if counts["retry"]:
        log.info("national_push_retry", count=counts["retry"], error=error)
    return counts


def sync_push_due(*, at: dt.datetime, max_batches: int = 1000) -> dict[str, int]:
    """Push batches until nothing is due (or every due message waits for a retry); counts by outcome."""
    cache.delete(PUSH_QUEUED_KEY)
    totals = {"accepted": 0, "rejected": 0, "retry": 0}
    for _batch in range(max_batches):
        counts = sync_push_batch(at=at)
        for key, value in counts.items():
            totals[key] += value
        if not any(counts.values()) or (counts["retry"] and not counts["accepted"] and not counts["rejected"]):
            break
    return totals


@transaction.atomic
def message_resend(*, message: SyncMessage, user: User, at: dt.datetime) -> SyncMessage:
    """An administrator resends a rejected message after correcting the data: mapped again from the dossier
    as it is now, with the same message id; the later messages of its dossier follow once it is accepted."""
    message = SyncMessage.objects.select_for_update().get(pk=message.pk)
    if message.status != SyncStatus.REJECTED:
        raise ValidationError(_("Chỉ gửi lại được tin bị Cổng quốc gia từ chối."))
    _map(message, at)
    message.status = SyncStatus.PENDING
    message.next_attempt_at = at
    message.resent_by = user
    message.resent_at = at
    message.full_clean(validate_unique=False, validate_constraints=False)
    message.save()
    transaction.on_commit(hand_over)
    log.info("national_resent", message=message.pk, user=user.pk)
    return message


# --- the catalogue ------------------------------------------------------------------------------------

#: National field → our version's field, with the label the desk shows.
CATALOGUE_FIELDS: dict[str, tuple[str, str]] = {
    "TenTTHC": ("name", "Tên thủ tục"),
    "ThoiHanGiaiQuyet": ("processing_amount", "Thời hạn giải quyết"),
    "TrinhTuThucHien": ("steps", "Trình tự thực hiện"),
    "CanCuPhapLy": ("legal_basis", "Căn cứ pháp lý"),
}


def _ours(version: ProcedureVersion, field: str) -> str:
    value = getattr(version, field)
    if field == "processing_amount":
        return format(value.normalize(), "f")
    return str(value or "").strip()


def _theirs(item: dict[str, Any], name: str) -> str:
    value = item.get(name)
    if name == "ThoiHanGiaiQuyet" and value not in (None, ""):
        try:
            return format(Decimal(str(value)).normalize(), "f")
        except InvalidOperation:
            return str(value)
    return str(value or "").strip()


def _differences(version: ProcedureVersion | None, item: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    for name, (field, label) in CATALOGUE_FIELDS.items():
        if name not in item:
            continue
        ours = _ours(version, field) if version is not None else ""
        theirs = _theirs(item, name)
        if ours != theirs:
            rows.append({"field": field, "label": label, "ours": ours, "theirs": theirs})
    return rows


def _decided_on(item: dict[str, Any]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(item.get("NgayQuyetDinh") or ""))
    except ValueError:
        return None


def catalogue_pull(*, at: dt.datetime, limit: int = 100) -> int:
    """Read the national feed after our cursor; flag each change that differs from our published version.

    Returns how many were flagged. Safe to run twice: a change is kept once per feed position, and the
    cursor moves in the same transaction as the flags it covers."""
    flagged = 0
    while True:
        with transaction.atomic():
            cursor, _created = FeedCursor.objects.select_for_update().get_or_create(name=CATALOGUE_FEED)
            items, next_cursor = client.catalogue_changes(cursor=cursor.position, limit=limit)
            for item in items:
                position = int(item["cursor"])
                code = str(item.get("MaTTHC") or "").strip()
                if position <= cursor.position or ProcedureChange.objects.filter(cursor=position).exists():
                    continue
                procedure = Procedure.objects.filter(code=code).first()
                version = (
                    procedure.versions.filter(status=VersionStatus.PUBLISHED).first()
                    or procedure.versions.order_by("-number").first()
                    if procedure is not None
                    else None
                )
                differences = _differences(version, item)
                if procedure is not None and not differences:
                    continue
                change = ProcedureChange(
                    cursor=position,
                    national_code=code[:40],
                    procedure=procedure,
                    national_data=item,
                    differences=differences,
                    decided_on=_decided_on(item),
                    flagged_at=at,
                )
                change.full_clean()
                change.save()
                flagged += 1
            cursor.position = max(cursor.position, next_cursor)
            cursor.read_at = at
            cursor.save()
        if len(items) < limit:
            return flagged


@transaction.atomic
def _change_draft(*, change: ProcedureChange) -> ProcedureVersion:
    """The change's draft: a new version copied from the newest, with the national values written in."""
    change = ProcedureChange.objects.select_for_update().get(pk=change.pk)
    if change.status != ChangeStatus.FLAGGED:
        raise ValidationError(_("Thay đổi này đã được xử lý."))
    if change.procedure is None:
        raise ValidationError(
            _("Danh mục chưa có thủ tục mã %(code)s: hãy khai báo thủ tục trước.") % {"code": change.national_code}
        )
    if change.draft is not None and change.draft.status == VersionStatus.DRAFT:
        return change.draft
    draft = procedure_version_new_draft(procedure=change.procedure)
    for row in change.differences:
        setattr(draft, row["field"], row["theirs"])
    draft.full_clean()
    draft.save()
    change.draft = draft
    change.save(update_fields=["draft"])
    return draft


def change_publish(*, change: ProcedureChange, user: User, at: dt.datetime) -> ProcedureVersion:
    """Publish the change as a new version of the procedure (catalog's versioning: the draft, then publish,
    which retires the old version). A draft that may not be published yet (catalog.publishing_problems)
    is kept, linked to the change, for the administrator to complete in the catalogue; the reasons are
    raised, and this is called again."""
    draft = _change_draft(change=change)
    with transaction.atomic():
        change = ProcedureChange.objects.select_for_update().get(pk=change.pk)
        if change.status != ChangeStatus.FLAGGED:
            raise ValidationError(_("Thay đổi này đã được xử lý."))
        published = procedure_version_publish(version=draft)
        change.status = ChangeStatus.PUBLISHED
        change.reviewed_by = user
        change.reviewed_at = at
        change.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    log.info("national_change_published", change=change.pk, version=published.pk)
    return published


@transaction.atomic
def change_dismiss(*, change: ProcedureChange, user: User, note: str, at: dt.datetime) -> ProcedureChange:
    change = ProcedureChange.objects.select_for_update().get(pk=change.pk)
    if change.status != ChangeStatus.FLAGGED:
        raise ValidationError(_("Thay đổi này đã được xử lý."))
    if not note.strip():
        raise ValidationError(_("Hãy ghi lý do không áp dụng thay đổi."))
    change.status = ChangeStatus.DISMISSED
    change.note = note.strip()[:500]
    change.reviewed_by = user
    change.reviewed_at = at
    change.full_clean()
    change.save()
    return change
