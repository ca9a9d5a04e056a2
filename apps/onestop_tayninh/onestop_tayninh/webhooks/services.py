"""Every write of the webhooks app: subscribers, the deliveries an event causes, sending them.

Delivery guarantees (README "Webhook"):

* **Exactly one delivery per subscriber and event.** `deliveries_write` runs inside the event's
  transaction (core/subscriptions.py, every event) and writes one row per matching subscriber; a
  unique constraint on (subscriber, event) makes a replayed event write nothing more. A rolled-back
  event writes no delivery; a committed one is never forgotten.
* **One sender at a time.** A send claims its row with one conditional UPDATE (queued and due →
  sending; InnoDB locks the row, the second claimer's UPDATE matches nothing), so two workers handed
  the same id never both post it, and a delivery answered 2xx is never posted again unless an
  administrator replays it ("Gửi lại", `delivery_replay`: the same delivery id, so the receiver can
  dedupe).
* **Retries.** A timeout, a refused connection, a 5xx, 408, 425 or 429 is tried again after an
  exponential back-off with jitter (`backoff_seconds`; a longer Retry-After is heeded), up to
  ONESTOP_WEBHOOKS_MAX_ATTEMPTS, then the delivery is failed. Any other answer (3xx, 4xx) fails it at once: the receiver refused these
  very bytes and would refuse them again. The periodic sweep (`deliveries_dispatch_due`, every
  minute) hands due retries to the workers.
* **A worker that died mid-send** leaves its row `sending`, and nobody knows whether the receiver
  got it. By default (ONESTOP_WEBHOOKS_STALE_RESEND=false) the sweep marks it failed, "outcome
  unknown", after the lease: a delivery that may have been sent is not sent again unless an
  administrator replays it (at-most-once). With true, the sweep queues it again with the same
  delivery id (at-least-once; a receiver that dedupes on the id, as it should, sees it once).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import secrets
import socket
import uuid
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import requests

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop_tayninh.accounts.models import User
from onestop_tayninh.core.after_response import after_response
from onestop_tayninh.core.rowlevel import visible_agency_id_list
from onestop_tayninh.dossiers.models import DossierAccess
from onestop_tayninh.security.sealing import SealBroken

from .constants import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    MAX_BACKOFF_SECONDS,
    RETRYABLE_STATUS_CODES,
    SECRET_PREFIX,
    SIGNATURE_HEADER,
    DeliveryStatus,
)
from .models import Delivery, Subscriber, url_problem
from .signing import body_bytes, signature_header

if TYPE_CHECKING:
    from onestop_tayninh.api.models import ApiClient
    from onestop_tayninh.directory.models import Agency
    from onestop_tayninh.dossiers.models import DossierEvent

logger = logging.getLogger("onestop_tayninh.webhooks")

STALE_REQUEUED_REASON = "Tiến trình gửi bị dừng giữa chừng; gửi lại với cùng mã lượt gửi."
STALE_FAILED_REASON = (
    "Tiến trình gửi bị dừng giữa chừng nên không rõ hệ thống nhận đã nhận chưa; "
    "hãy hỏi hệ thống nhận rồi bấm “Gửi lại” nếu cần (cùng mã lượt gửi)."
)
USER_AGENT = "onestop-tayninh-webhooks/1"


# --- subscribers ---------------------------------------------------------------------------------


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def check_reach(api_client: ApiClient | None, agencies: list[Agency]) -> None:
    """A system registered through the API hears only of the bodies its own account may see.

    The row-level rule's answer for its technical account (core.rowlevel, over citizens' dossiers): a
    client bound to one body may choose that body only; one that may see none may choose nothing.
    """
    if api_client is None:
        return
    if not agencies:
        raise ValidationError({"agencies": _("Hãy chọn ít nhất một cơ quan.")})
    reach = visible_agency_id_list(api_client.user, dossiers=True)
    if reach is None:
        return
    allowed = set(reach)
    outside = sorted(agency.code for agency in agencies if agency.pk not in allowed)
    if outside:
        raise ValidationError(
            {
                "agencies": _("Hệ thống không được nhận sự kiện hồ sơ của cơ quan: %(codes)s.")
                % {"codes": ", ".join(outside)}
            }
        )


def _save_unique(subscriber: Subscriber) -> None:
    """Save; a name another request took between full_clean and the insert is the same refusal."""
    try:
        with transaction.atomic():
            subscriber.save()
    except IntegrityError as exc:
        raise ValidationError({"name": _("Đã có hệ thống nhận mang tên này.")}) from exc


@transaction.atomic
def subscriber_create(
    *,
    name: str,
    url: str,
    event_kinds: Sequence[str],
    agencies: Iterable[Agency],
    at: dt.datetime,
    active: bool = True,
    api_client: ApiClient | None = None,
) -> tuple[Subscriber, str]:
    """Register a system; returns it with its secret in clear, to be shown once and never again.

    With `api_client`, the connected system registers itself (the API): the row is its own, and its
    bodies must be within its reach (`check_reach`).
    """
    agencies = list(agencies)
    secret = new_secret()
    subscriber = Subscriber(
        name=name.strip(),
        url=url.strip(),
        event_kinds=list(event_kinds),
        active=active,
        created_at=at,
        api_client=api_client,
    )
    subscriber.secret = secret
    subscriber.secret_rotated_at = at
    subscriber.full_clean()
    check_reach(api_client, agencies)
    _save_unique(subscriber)
    subscriber.agencies.set(agencies)
    logger.info("webhook_subscriber_created id=%s client=%s", subscriber.pk, getattr(api_client, "pk", None))
    return subscriber, secret


@transaction.atomic
def subscriber_update(
    *,
    subscriber: Subscriber,
    name: str,
    url: str,
    event_kinds: Sequence[str],
    agencies: Iterable[Agency],
    active: bool,
) -> Subscriber:
    """Change what a system hears and where; its secret stays (subscriber_rotate_secret changes it).

    A system registered through the API keeps to its client's reach, whoever edits it.
    """
    agencies = list(agencies)
    subscriber = Subscriber.objects.select_for_update().select_related("api_client__user").get(pk=subscriber.pk)
    resumed = active and not subscriber.active
    subscriber.name, subscriber.url = name.strip(), url.strip()
    subscriber.event_kinds, subscriber.active = list(event_kinds), active
    subscriber.full_clean()
    check_reach(subscriber.api_client, agencies)
    _save_unique(subscriber)
    subscriber.agencies.set(agencies)
    if resumed:
        _hand_over_on_commit(_waiting(subscriber))
    return subscriber


@transaction.atomic
def subscriber_rotate_secret(*, subscriber: Subscriber, at: dt.datetime) -> str:
    """A new secret, in clear for the administrator to pass on; every later attempt is signed with it."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    secret = new_secret()
    subscriber.secret = secret
    subscriber.secret_rotated_at = at
    subscriber.save(update_fields=["secret_sealed", "secret_hint", "secret_rotated_at"])
    logger.info("webhook_secret_rotated id=%s", subscriber.pk)
    return secret


@transaction.atomic
def subscriber_set_active(*, subscriber: Subscriber, active: bool) -> Subscriber:
    """Pause or resume a system. Paused: new events write nothing for it, queued deliveries wait."""
    Subscriber.objects.filter(pk=subscriber.pk).update(active=active)
    subscriber.active = active
    if active:
        _hand_over_on_commit(_waiting(subscriber))
    return subscriber


def _waiting(subscriber: Subscriber) -> list[int]:
    """The deliveries a paused subscriber kept: handed over when it is resumed."""
    return list(
        Delivery.objects.filter(subscriber=subscriber, status=DeliveryStatus.QUEUED).values_list("pk", flat=True)
    )


# --- the deliveries an event causes -------------------------------------------------------------


def event_payload(event: DossierEvent, delivery_id: uuid.UUID) -> dict[str, Any]:
    """What a province system needs to know that something happened to a dossier, and no more.

    Codes and times only: the dossier's code (the applicant's own key to it), its procedure, status,
    step, the body holding it and its due time. No name, identity number, phone, address or
    document of the applicant: a receiver that needs them asks the dossier's owner under its own
    agreement. The dossier's id is a number without meaning outside this system, given so that a
    dossier submitted online (no code until it is received) can be followed.
    """
    dossier = event.dossier
    state = event.to_state or dossier.state
    agency = event.to_agency or dossier.current_agency or dossier.receiving_agency
    procedure = dossier.procedure_version
    return {
        "delivery_id": str(delivery_id),
        "event_id": event.pk,
        "event_kind": event.action,
        "event_at": _local(event.at),
        "dossier_id": dossier.pk,
        "dossier_code": dossier.code or None,
        "dossier_status": dossier.status,
        "state_code": state.code if state else None,
        "state_name": state.name if state else None,
        "procedure_code": procedure.procedure.code,
        "procedure_name": procedure.name,
        "agency_code": agency.code,
        "agency_name": agency.name,
        "due_at": _local(dossier.due_at) if dossier.due_at else None,
    }


def _local(at: dt.datetime) -> str:
    """ISO 8601 in Vietnam time, with its offset (+07:00): what the desk and the dossier's papers show."""
    return timezone.localtime(at).isoformat()


def matching_subscribers(event: DossierEvent) -> list[int]:
    """Active subscribers of the event's kind with a body that may see the event's dossier.

    "May see" is the row-level rule's own answer (core.rowlevel via DossierAccess): the bodies the
    dossier is or was at, its receiving body and the body holding it now. One query; and for a system
    registered through the API, its client's reach as it is today (check_reach held at registration,
    but the client's account may have been moved to another body since): the bodies it chose must
    still meet the dossier's within that reach.
    """
    dossier = event.dossier
    held = {dossier.receiving_agency_id, dossier.current_agency_id, getattr(event, "to_agency_id", None)} - {None}
    candidates = list(
        # A system registered through the API hears nothing while its client is switched off.
        Subscriber.objects.filter(active=True)
        .filter(Q(api_client__isnull=True) | Q(api_client__is_active=True))
        .filter(
            Q(agencies__in=DossierAccess.objects.filter(dossier_id=dossier.pk).values("agency_id"))
            | Q(agencies__in=held)
        )
        .distinct()
        .values_list("pk", "event_kinds", "api_client__user")
    )
    wanted = [(pk, user_id) for pk, kinds, user_id in candidates if event.action in (kinds or [])]
    if any(user_id is not None for _pk, user_id in wanted):
        bodies: set[int] = {agency_id for agency_id in held if agency_id is not None}
        bodies.update(DossierAccess.objects.filter(dossier_id=dossier.pk).values_list("agency_id", flat=True))
        wanted = [(pk, user_id) for pk, user_id in wanted if user_id is None or _reaches(pk, user_id, bodies)]
    return sorted(pk for pk, _user_id in wanted)


def _reaches(subscriber_id: int, user_id: int, bodies: set[int]) -> bool:
    """Whether a client's subscriber still hears of a dossier at `bodies`: a body it chose, in its reach today."""
    reach = visible_agency_id_list(User.objects.get(pk=user_id), dossiers=True)
    chosen = set(
        Subscriber.agencies.through.objects.filter(subscriber_id=subscriber_id).values_list("agency_id", flat=True)
    )
    return bool(bodies & chosen & (set(reach) if reach is not None else chosen))


def deliveries_write(*, event: DossierEvent) -> list[Delivery]:
    """One delivery per matching subscriber, in the event's transaction; handed to RQ after commit.

    Idempotent: subscribers that already have this event get nothing more. No savepoint: an event is
    written in this very transaction, so no other transaction writes deliveries for it.
    """
    subscriber_ids = matching_subscribers(event)
    if not subscriber_ids:
        return []
    have = set(Delivery.objects.filter(event=event).values_list("subscriber_id", flat=True))
    # The row's times are the outbox's bookkeeping (due at once); the event's own time is in the payload.
    now = timezone.now()
    rows = []
    for subscriber_id in subscriber_ids:
        if subscriber_id in have:
            continue
        delivery_id = uuid.uuid4()
        rows.append(
            Delivery(
                uuid=delivery_id,
                subscriber_id=subscriber_id,
                event=event,
                kind=event.action,
                payload=event_payload(event, delivery_id),
                next_attempt_at=now,
                dispatched_at=now,
                created_at=now,
            )
        )
    if not rows:
        return []
    created = Delivery.objects.bulk_create(rows)
    _hand_over_on_commit([row.pk for row in created])
    return created


# --- handing over to RQ -------------------------------------------------------------------------


def _hand_over(delivery_ids: list[int]) -> None:
    """Give ids to RQ; a Redis outage is logged, not raised: the sweep picks the rows up later."""
    if not delivery_ids:
        return
    import django_rq

    from .jobs import send_deliveries

    try:
        django_rq.get_queue("default", commit_mode="auto").enqueue(send_deliveries, delivery_ids)
    except Exception:
        logger.warning("webhook_hand_over_failed ids=%s", delivery_ids, exc_info=True)
        Delivery.objects.filter(pk__in=delivery_ids, status=DeliveryStatus.QUEUED).update(dispatched_at=None)


def _hand_over_on_commit(delivery_ids: list[int]) -> None:
    if delivery_ids:
        # Inside a request, once its answer has been sent (core.after_response): the rows are committed.
        transaction.on_commit(lambda: after_response(lambda: _hand_over(delivery_ids)))


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=int(settings.ONESTOP_WEBHOOKS_LEASE_SECONDS))


def deliveries_dispatch_due(*, at: dt.datetime, batch_size: int = 50, max_deliveries: int = 5000) -> int:
    """The sweep, every minute: queue again sends whose worker died, hand due rows no job carries to RQ.

    Rows handed over within the lease are left alone (their job is probably still waiting in
    Redis); a paused subscriber's rows wait. Returns how many rows were handed over.
    """
    lease = _lease()
    stale = Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=at - lease)
    if settings.ONESTOP_WEBHOOKS_STALE_RESEND:
        requeued = stale.update(
            status=DeliveryStatus.QUEUED,
            claimed_by="",
            next_attempt_at=at,
            dispatched_at=None,
            last_error=STALE_REQUEUED_REASON,
        )
        if requeued:
            logger.warning("webhook_stale_requeued count=%s", requeued)
    else:
        given_up = stale.update(status=DeliveryStatus.FAILED, claimed_by="", last_error=STALE_FAILED_REASON)
        if given_up:
            logger.warning("webhook_stale_failed count=%s", given_up)
    ids = list(
        Delivery.objects.filter(status=DeliveryStatus.QUEUED, next_attempt_at__lte=at, subscriber__active=True)
        .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=at - lease))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:max_deliveries]
    )
    if not ids:
        return 0
    Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.QUEUED).update(dispatched_at=at)
    for start in range(0, len(ids), batch_size):
        _hand_over(ids[start : start + batch_size])
    return len(ids)


# --- sending ------------------------------------------------------------------------------------


def backoff_seconds(attempts: int, *, rng: random.Random | None = None) -> float:
    """The wait after the `attempts`-th failed attempt: doubling from ONESTOP_WEBHOOKS_BACKOFF_SECONDS,
    capped at MAX_BACKOFF_SECONDS, then drawn uniformly from its upper half (jitter, so receivers that
    came back up are not hit by every sender in the same second)."""
    base = float(settings.ONESTOP_WEBHOOKS_BACKOFF_SECONDS)
    delay = min(base * 2.0 ** max(attempts - 1, 0), float(MAX_BACKOFF_SECONDS))
    draw = rng.random() if rng is not None else random.random()  # noqa: S311 - jitter, not a secret
    return delay * (0.5 + 0.5 * draw)


def _retry_after(value: str) -> float:
    """Seconds from a Retry-After header given as a number of seconds; 0 for anything else (an HTTP
    date is rare from a receiver and not worth trusting its clock for)."""
    value = value.strip()
    return float(value) if value.isdigit() else 0.0


def _worker_token() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:100]


def _claim(delivery_id: int, token: str, now: dt.datetime) -> bool:
    """queued and due → sending in one UPDATE on the primary key: one claimer wins."""
    return bool(
        Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.QUEUED, next_attempt_at__lte=now).update(
            status=DeliveryStatus.SENDING, claimed_by=token, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def _finish(delivery: Delivery, token: str, **fields: Any) -> None:
    # Guarded by our claim: if the lease expired and the sweep queued the row again, leave it be.
    Delivery.objects.filter(pk=delivery.pk, claimed_by=token, status=DeliveryStatus.SENDING).update(**fields)


def deliveries_send(*, delivery_ids: Iterable[int]) -> dict[str, int]:
    """Post the given deliveries that are still queued and due; safe to run twice on the same ids."""
    counts = {"delivered": 0, "retry": 0, "failed": 0, "skipped": 0}
    token = _worker_token()
    with requests.Session() as session:
        for delivery_id in delivery_ids:
            counts[_send_one(delivery_id, token, session)] += 1
    return counts


def _send_one(delivery_id: int, token: str, session: requests.Session) -> str:
    if not _claim(delivery_id, token, timezone.now()):
        return "skipped"
    delivery = Delivery.objects.select_related("subscriber").get(pk=delivery_id)
    subscriber = delivery.subscriber
    if not subscriber.active:
        # Paused after this row was handed over: put it back untouched, it waits for the resume.
        _finish(delivery, token, status=DeliveryStatus.QUEUED, claimed_by="", attempts=F("attempts") - 1)
        return "skipped"
    problem = url_problem(subscriber.url)
    if problem:
        _finish(delivery, token, status=DeliveryStatus.FAILED, last_error=problem, last_status_code=None)
        return "failed"
    body = body_bytes(delivery.payload)
    timestamp = int(timezone.now().timestamp())
    try:
        secret = subscriber.secret
    except SealBroken as exc:
        # SECRET_KEY changed without keeping the old one: no attempt can be signed until the secret is rotated.
        _finish(delivery, token, status=DeliveryStatus.FAILED, last_status_code=None, last_error=str(exc))
        logger.error("webhook_secret_unreadable subscriber=%s", subscriber.pk)
        return "failed"
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        DELIVERY_HEADER: str(delivery.uuid),
        EVENT_HEADER: delivery.kind,
        SIGNATURE_HEADER: signature_header(secret, timestamp, body),
    }
    code: int | None = None
    asked_wait = 0.0
    try:
        response = session.post(
            subscriber.url,
            data=body,
            headers=headers,
            timeout=float(settings.ONESTOP_WEBHOOKS_TIMEOUT_SECONDS),
            allow_redirects=False,
        )
        code = response.status_code
        asked_wait = _retry_after(response.headers.get("Retry-After", ""))
        response.close()
    except requests.Timeout:
        error = _("Hệ thống nhận không trả lời trong %(seconds)s giây.") % {
            "seconds": settings.ONESTOP_WEBHOOKS_TIMEOUT_SECONDS
        }
    except requests.RequestException as exc:
        error = _("Không kết nối được tới hệ thống nhận: %(error)s") % {"error": exc.__class__.__name__}
    else:
        if 200 <= code < 300:
            _finish(
                delivery,
                token,
                status=DeliveryStatus.DELIVERED,
                delivered_at=timezone.now(),
                last_status_code=code,
                last_error="",
            )
            logger.info("webhook_delivered id=%s attempts=%s", delivery.pk, delivery.attempts)
            return "delivered"
        error = _("Hệ thống nhận trả lời mã %(code)s.") % {"code": code}
        if not (code >= 500 or code in RETRYABLE_STATUS_CODES):
            _finish(delivery, token, status=DeliveryStatus.FAILED, last_status_code=code, last_error=error)
            logger.warning("webhook_refused id=%s code=%s", delivery.pk, code)
            return "failed"
    if delivery.attempts >= int(settings.ONESTOP_WEBHOOKS_MAX_ATTEMPTS):
        given_up = _("Đã thử %(attempts)s lần, dừng gửi. %(error)s") % {"attempts": delivery.attempts, "error": error}
        _finish(delivery, token, status=DeliveryStatus.FAILED, last_status_code=code, last_error=given_up)
        logger.warning("webhook_given_up id=%s attempts=%s", delivery.pk, delivery.attempts)
        return "failed"
    # A receiver that says when to come back (Retry-After, with 429 or 503) is heeded, up to the longest wait.
    wait = max(backoff_seconds(delivery.attempts), min(asked_wait, float(MAX_BACKOFF_SECONDS)))
    retry_at = timezone.now() + dt.timedelta(seconds=wait)
    _finish(
        delivery,
        token,
        status=DeliveryStatus.QUEUED,
        claimed_by="",
        next_attempt_at=retry_at,
        dispatched_at=None,  # the sweep hands it over once due
        last_status_code=code,
        last_error=error,
    )
    logger.info("webhook_retry id=%s attempts=%s code=%s", delivery.pk, delivery.attempts, code)
    return "retry"


# --- the desk -----------------------------------------------------------------------------------


@transaction.atomic
def delivery_replay(*, delivery: Delivery, at: dt.datetime) -> Delivery:
    """The desk's "Gửi lại": post the same delivery again (same id, same body, a fresh signature).

    Row-locked, so it never races a worker's claim; refused while an attempt is in progress.
    """
    locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if locked.status == DeliveryStatus.SENDING:
        raise ValidationError(_("Lượt gửi đang được gửi; hãy thử lại sau ít phút."))
    locked.status = DeliveryStatus.QUEUED
    locked.attempts = 0
    locked.next_attempt_at = at
    locked.dispatched_at = at
    locked.claimed_by = ""
    locked.claimed_at = None
    locked.replay_count += 1
    locked.save(
        update_fields=[
            "status",
            "attempts",
            "next_attempt_at",
            "dispatched_at",
            "claimed_by",
            "claimed_at",
            "replay_count",
        ]
    )
    logger.info("webhook_replayed id=%s", locked.pk)
    _hand_over_on_commit([locked.pk])
    return locked
