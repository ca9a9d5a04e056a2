"""Who hears of what happened to a dossier: the notification recipes (core/subscriptions.py says when).

Each handler writes outbox rows in the event's transaction (services.citizen_messages /
official_messages); workers send them after commit. Dedupe keys start from the event id, so a
handler run twice for the same event writes nothing more, and two events are two notices.
Handlers return the rows they stand for (the table ignores it; tests read it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from onestop_tayninh.core.text import money
from onestop_tayninh.directory.selectors import agency_heads, desk_receiving_officers
from onestop_tayninh.dossiers.constants import Channel as DossierChannel
from onestop_tayninh.dossiers.events import (
    Apologised,
    CompletionRequested,
    PaymentReceived,
    PaymentRefunded,
    PaymentRequested,
    Refused,
    Resubmitted,
    Transitioned,
)
from onestop_tayninh.dossiers.models import Consultation
from onestop_tayninh.dossiers.selectors import actors_at_step
from onestop_tayninh.workflows.constants import Effect

from .constants import TemplateKey
from .models import Message
from .rendering import local_text
from .services import citizen_messages, desk_notices_moved_past, official_messages

if TYPE_CHECKING:
    from onestop_tayninh.dossiers.events import Payload
    from onestop_tayninh.dossiers.models import DossierEvent


def _key(event: DossierEvent, name: str) -> str:
    return f"event:{event.pk}:{name}"


# --- the applicant -------------------------------------------------------------------------------


def dossier_received(event: DossierEvent, payload: Payload) -> list[Message]:
    """Received (Form 01): the code and the appointment (as it stood then: a later supplement moves it)."""
    due_at = getattr(payload, "due_at", None) or event.dossier.due_at
    return citizen_messages(
        dossier=event.dossier,
        key=TemplateKey.DOSSIER_RECEIVED,
        event=_key(event, "received"),
        at=event.at,
        context={"due_at": local_text(due_at)},
    )


def online_submitted(event: DossierEvent, payload: Payload) -> list[Message]:
    """The acknowledgement of an online submission, before the desk checks it: what was sent, when, and
    what comes next (the code and the appointment come with the receipt)."""
    return citizen_messages(
        dossier=event.dossier,
        key=TemplateKey.ONLINE_SUBMITTED,
        event=_key(event, "submitted"),
        at=event.at,
        context={"submitted_at": local_text(event.at)},
    )


def supplement_received(event: DossierEvent, payload: Payload) -> list[Message]:
    """The supplement resumed the clock: the new appointment (the old one pushed by the paused time)."""
    assert isinstance(payload, Transitioned)
    if not payload.previous_due_at:
        return []
    return citizen_messages(
        dossier=event.dossier,
        key=TemplateKey.SUPPLEMENT_RECEIVED,
        event=_key(event, "supplied"),
        at=event.at,
        context={"previous_due_at": local_text(payload.previous_due_at), "new_due_at": local_text(payload.new_due_at)},
    )


def _to_applicant_away(event: DossierEvent, key: str, name: str, context: dict[str, object]) -> list[Message]:
    """A desk's form (02, 03) for an applicant not at the counter (online, by post, Zalo). A walk-in
    applicant is handed the form: nothing is sent."""
    dossier = event.dossier
    if dossier.channel == DossierChannel.DESK:
        return []
    context = {**context, "online": dossier.channel == DossierChannel.ONLINE}
    return citizen_messages(dossier=dossier, key=key, event=_key(event, name), at=event.at, context=context)


def completion_requested(event: DossierEvent, payload: Payload) -> list[Message]:
    """Form 02: what to add before the dossier can be received."""
    assert isinstance(payload, CompletionRequested)
    items = "\n".join(f"- {item}" for item in payload.items)
    return _to_applicant_away(
        event, TemplateKey.COMPLETION_REQUESTED, "completion", {"items": items, "reason": payload.reason}
    )


def receipt_refused(event: DossierEvent, payload: Payload) -> list[Message]:
    """Form 03: not received, and why."""
    assert isinstance(payload, Refused)
    return _to_applicant_away(event, TemplateKey.RECEIPT_REFUSED, "refused", {"reason": payload.reason})


def supplement_requested(event: DossierEvent, payload: Payload) -> list[Message]:
    """A supplement is requested during handling (the clock pauses)."""
    return citizen_messages(
        dossier=event.dossier,
        key=TemplateKey.SUPPLEMENT_REQUESTED,
        event=_key(event, "supplement"),
        at=event.at,
        context={"comment": event.comment},
    )


def result_ready(event: DossierEvent, payload: Payload) -> list[Message]:
    """The result is issued and can be collected or downloaded."""
    return citizen_messages(
        dossier=event.dossier, key=TemplateKey.RESULT_READY, event=_key(event, "result"), at=event.at
    )


def refusal_ready(event: DossierEvent, payload: Payload) -> list[Message]:
    """The competent body refused after appraisal: its signed notice waits at the desk (or online)."""
    number = getattr(payload, "document_number", "")
    return citizen_messages(
        dossier=event.dossier,
        key=TemplateKey.REFUSAL_READY,
        event=_key(event, "refusal"),
        at=event.at,
        context={
            "document_number": number,
            "reason": event.dossier.result_drafts.order_by("-round").values_list("reason", flat=True).first() or "",
        },
    )


def payment_requested(event: DossierEvent, payload: Payload) -> list[Message]:
    """Fees are owed: the amount, and the dossier's page where "Thanh toán" is."""
    assert isinstance(payload, PaymentRequested)
    return citizen_messages(
        dossier=event.dossier,
        key=TemplateKey.PAYMENT_REQUESTED,
        event=_key(event, "payment"),
        at=event.at,
        context={"order": payload.order, "amount": money(payload.amount), "reason": payload.reason},
    )


def payment_received(event: DossierEvent, payload: Payload) -> list[Message]:
    """The payment is recorded: the amount and the receipt's number."""
    assert isinstance(payload, PaymentReceived)
    return citizen_messages(
        dossier=event.dossier,
        key=TemplateKey.PAYMENT_RECEIVED,
        event=_key(event, "paid"),
        at=event.at,
        context={"order": payload.order, "amount": money(payload.amount), "receipt": payload.receipt},
    )


def payment_refunded(event: DossierEvent, payload: Payload) -> list[Message]:
    """The money went back to the payer through the provider."""
    assert isinstance(payload, PaymentRefunded)
    return citizen_messages(
        dossier=event.dossier,
        key=TemplateKey.PAYMENT_REFUNDED,
        event=_key(event, "refunded"),
        at=event.at,
        context={"order": payload.order, "amount": money(payload.amount), "reason": payload.reason},
    )


def rating_invitation(event: DossierEvent, payload: Payload) -> list[Message]:
    """The result is returned: an invitation to rate the handling."""
    return citizen_messages(
        dossier=event.dossier, key=TemplateKey.RATING_INVITATION, event=_key(event, "rating"), at=event.at
    )


def apology(event: DossierEvent, payload: Payload) -> list[Message]:
    """Form 04: the apology with the new appointment."""
    assert isinstance(payload, Apologised)
    return citizen_messages(
        dossier=event.dossier,
        key=TemplateKey.APOLOGY,
        event=_key(event, "apology"),
        at=event.at,
        context={
            "new_due_at": local_text(payload.new_due_at),
            "reason": payload.reason,
            # Form 04 is the apologising body's (the one holding the dossier), not the desk's.
            **({"issuer_name": agency.name} if (agency := event.dossier.current_agency) is not None else {}),
        },
    )


# --- officials -----------------------------------------------------------------------------------


def online_dossier_arrived(event: DossierEvent, payload: Payload) -> list[Message]:
    """The desk's receiving officers: an online dossier (or its Form 02 supplement) waits to be checked."""
    resubmitted = payload.round if isinstance(payload, Resubmitted) else 0
    dossier = event.dossier
    return official_messages(
        users=desk_receiving_officers(dossier.receiving_desk_id),
        key=TemplateKey.ONLINE_DOSSIER_ARRIVED,
        event=_key(event, "online"),
        at=event.at,
        dossier=dossier,
        context={"submitted_at": local_text(event.at), "resubmitted": resubmitted},
    )


def assigned(event: DossierEvent, payload: Payload) -> list[Message]:
    """The handling officer the dossier was assigned to."""
    assignee = event.dossier.assigned_to
    if assignee is None:
        return []
    dossier = event.dossier
    return official_messages(
        users=[assignee],
        key=TemplateKey.ASSIGNED,
        event=_key(event, "assigned"),
        at=event.at,
        dossier=dossier,
    )


def consultation_requested(event: DossierEvent, payload: Payload) -> list[Message]:
    """The heads of each consulted agency are asked for an opinion."""
    consultations = Consultation.objects.filter(dossier_id=event.dossier_id, requested_at=event.at).select_related(
        "agency", "dossier"
    )
    messages: list[Message] = []
    for consultation in consultations:
        messages += official_messages(
            users=agency_heads(consultation.agency_id),
            key=TemplateKey.CONSULTATION_REQUESTED,
            event=_key(event, f"consultation:{consultation.pk}"),
            at=event.at,
            dossier=consultation.dossier,
            context={
                "consultation_due_at": local_text(consultation.due_at),
                "consulted_agency": consultation.agency.name,
            },
        )
    return messages


def step_waiting(event: DossierEvent, payload: Payload) -> list[Message]:
    """Whoever may act at the step the dossier entered (submitted for approval, back at the desk to
    return the result, supplemented by the citizen), except the official who acted. An assignment
    is told to the assignee by `assigned` instead."""
    assert isinstance(payload, Transitioned)
    if payload.effect == Effect.ASSIGN:
        return []
    dossier = event.dossier
    users = [user for user in actors_at_step(dossier) if user.pk != event.actor_id]
    return official_messages(
        users=users,
        key=TemplateKey.STEP_WAITING,
        event=_key(event, "step"),
        at=event.at,
        dossier=dossier,
        context={
            "step": dossier.state.name if dossier.state is not None else "",
            "step_due_at": local_text(dossier.step_due_at),
        },
    )


def notices_moved_past(event: DossierEvent, payload: Payload) -> None:
    """The dossier moved on (a workflow step, the receipt decision): the officials' desk notices about where
    it was are marked read. Listed first for its events, so the notices of this very event stay unread."""
    desk_notices_moved_past(dossier_id=event.dossier_id, at=event.at)
