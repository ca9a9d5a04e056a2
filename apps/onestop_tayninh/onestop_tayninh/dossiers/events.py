"""What happened to a dossier: one typed event per fact, one writer, subscribers told in the same transaction.

`record(...)` is the only writer of `DossierEvent`. Each event kind (`EventAction`) has one frozen
payload class below; the payload is serialised into the row's `data` and read back by
`payload_of(event)`, the one parser every reader uses. After the row is written, the handlers
the subscription table (`core/subscriptions.py`) lists for that kind run, synchronously, inside
the caller's transaction: a notice or a printing task they write commits or rolls back with the
event. The engine never imports its subscribers; the table names them by dotted path.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, Union

from django.utils.module_loading import import_string

from .constants import EventAction

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User
    from onestop_tayninh.directory.models import Agency
    from onestop_tayninh.workflows.models import State

    from .models import Dossier, DossierEvent


@dataclasses.dataclass(frozen=True)
class Payload:
    """The data of one event kind. Subclasses set `kind` and declare their fields with defaults,
    so rows written before a field existed still parse."""

    kind: ClassVar[str]

    def to_data(self) -> dict[str, Any]:
        return {field.name: _dump(getattr(self, field.name)) for field in dataclasses.fields(self)}

    @classmethod
    def from_data(cls, data: dict[str, Any] | None) -> Payload:
        data = data or {}
        hints = typing.get_type_hints(cls)
        values = {
            field.name: _load(hints[field.name], data[field.name])
            for field in dataclasses.fields(cls)
            if field.name in data
        }
        return cls(**values)


@dataclasses.dataclass(frozen=True)
class Started(Payload):
    kind = EventAction.STARTED


@dataclasses.dataclass(frozen=True)
class DocumentAdded(Payload):
    kind = EventAction.DOCUMENT_ADDED
    document: int | None = None
    requirement: int | None = None
    name: str = ""
    supplement_round: int = 0
    #: Content hash, for the vault to recognise a document it already holds.
    sha256: str = ""
    #: Picked from what the state already held (the applicant's vault, an earlier dossier) instead of uploaded.
    reused: bool = False
    #: Where the reused document came from: a dossiers.reuse source code ("ho-so", "ket-qua", "kho").
    reuse_source: str = ""


@dataclasses.dataclass(frozen=True)
class Accepted(Payload):
    kind = EventAction.ACCEPTED
    code: str = ""
    due_at: dt.datetime | None = None
    forms_version: str = ""
    #: A tracked-only dossier the competent agency received itself and entered: no Form 01 is printed.
    tracked: bool = False
    #: What the history says instead of the kind's label (a tracked dossier was not received by a desk).
    label: str = ""


@dataclasses.dataclass(frozen=True)
class CompletionRequested(Payload):
    kind = EventAction.COMPLETION_REQUESTED
    items: tuple[str, ...] = ()
    reason: str = ""
    #: Which Form 02 of this dossier (1 for the first).
    number: int = 1


@dataclasses.dataclass(frozen=True)
class Refused(Payload):
    kind = EventAction.REFUSED
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class Transitioned(Payload):
    kind = EventAction.TRANSITION
    transition: str = ""
    label: str = ""
    effect: str = ""
    #: The kind of the step entered (workflows.StateKind), e.g. "stopped".
    target_kind: str = ""
    assignee: str = ""
    assignee_id: int | None = None
    consulted: tuple[str, ...] = ()
    supplement_count: int | None = None
    paused_working_seconds: int | None = None
    #: A supplement answered: the appointment before and after the paused time was given back.
    previous_due_at: dt.datetime | None = None
    new_due_at: dt.datetime | None = None
    #: The hand-over the desk made by itself as it accepted the dossier (ReceptionDesk.transfer_on_receipt).
    on_receipt: bool = False
    #: The draft submitted, decided or issued at this step (dossiers.results), and what it is.
    draft: int | None = None
    document_kind: str = ""
    #: The number the records clerk gave it in the agency's register of outgoing documents ("125/QĐ-UBND").
    document_number: str = ""
    #: "result": the result of a dossier handed over to another installation (liên thông, the interconnect
    #: app) came back and moved it to the step where the desk returns it. The other lines of a hand-over
    #: move nothing and are `HandoverNoted` events; rows written before that kind existed (migration
    #: dossiers.0026) keep "sent", "delivered", "failed" or "result_sent" here, from a step to itself:
    #: the history is append-only, so they stay as they were written and read as they always did.
    interconnect: str = ""


@dataclasses.dataclass(frozen=True)
class ConsultationAnswered(Payload):
    kind = EventAction.CONSULTATION_ANSWERED
    consultation: int | None = None
    #: The names of the files the consulted body answered with (ConsultationFile).
    answer_files: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Apologised(Payload):
    kind = EventAction.APOLOGY
    original_due_at: dt.datetime | None = None
    new_due_at: dt.datetime | None = None
    #: Code of the agency that caused the delay.
    responsible_agency: str = ""
    reason: str = ""
    #: Issued after the original appointment had passed (the law asks for it a day before).
    late: bool = False


@dataclasses.dataclass(frozen=True)
class SubmittedOnline(Payload):
    kind = EventAction.SUBMITTED_ONLINE
    files: int = 0


@dataclasses.dataclass(frozen=True)
class Resubmitted(Payload):
    kind = EventAction.RESUBMITTED
    #: The Form 02 round the applicant answered.
    round: int = 1


@dataclasses.dataclass(frozen=True)
class Withdrawn(Payload):
    kind = EventAction.WITHDRAWN
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class Rated(Payload):
    kind = EventAction.RATED
    satisfied: bool = False
    score: int = 0
    #: How the rating came: the citizen's account, the signed link of the receipt, the desk's kiosk.
    channel: str = ""


@dataclasses.dataclass(frozen=True)
class ApplicantCorrected(Payload):
    """The desk corrected the applicant's data after receipt (a typo in a name, the CCCD, the address).

    Parallel tuples, one position per field changed: the field, its label, the value before and after
    (as the desk typed them; a date as dd/mm/yyyy)."""

    kind = EventAction.APPLICANT_CORRECTED
    fields: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    reason: str = ""

    def changes(self) -> list[tuple[str, str, str]]:
        """(label, before, after) per field changed, for the history and the printed forms."""
        return list(zip(self.labels, self.before, self.after, strict=False))


@dataclasses.dataclass(frozen=True)
class DraftCancelled(Payload):
    """A receipt begun at the counter and abandoned, cancelled by the desk (no Form 03)."""

    kind = EventAction.DRAFT_CANCELLED
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class PaymentRequested(Payload):
    """Fees and charges are owed: an order the applicant is asked to pay (at online submission, or an
    amount the competent body set after appraisal)."""

    kind = EventAction.PAYMENT_REQUESTED
    #: The order's reference, as the applicant and the desk read it.
    order: str = ""
    amount: int = 0
    #: What the dossier owes in all after this event.
    due: int = 0
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class PaymentReceived(Payload):
    """An order was paid, as the provider's notification (or the officer at the counter) says."""

    kind = EventAction.PAYMENT_RECEIVED
    order: str = ""
    amount: int = 0
    due: int = 0
    #: The provider's code (vnpay, paygov, counter) and its label.
    method: str = ""
    method_label: str = ""
    transaction_no: str = ""
    #: The electronic receipt's reference ("01BLP0-001, TN-26E, số 0000012").
    receipt: str = ""


@dataclasses.dataclass(frozen=True)
class PaymentCancelled(Payload):
    """An unpaid order is no longer owed (the dossier was refused, withdrawn, or the order replaced)."""

    kind = EventAction.PAYMENT_CANCELLED
    order: str = ""
    amount: int = 0
    due: int = 0
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class PaymentRefunded(Payload):
    """Money paid for an order was returned to the payer through the provider."""

    kind = EventAction.PAYMENT_REFUNDED
    order: str = ""
    amount: int = 0
    transaction_no: str = ""
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class FeedbackReceived(Payload):
    """A citizen's feedback or recommendation (PAKN) about this dossier (the feedback app)."""

    kind = EventAction.FEEDBACK_RECEIVED
    feedback_id: int = 0
    #: A complaint counts against satisfaction (indicator 5.4); a question or a suggestion does not.
    complaint: bool = False
    channel: str = ""


@dataclasses.dataclass(frozen=True)
class FeedbackAnswered(Payload):
    kind = EventAction.FEEDBACK_ANSWERED
    feedback_id: int = 0


@dataclasses.dataclass(frozen=True)
class Urged(Payload):
    """A coordinator or a head urged the body, or the official, holding the dossier late (the reports app)."""

    kind = EventAction.URGED
    urging_id: int = 0
    agency_id: int | None = None
    official_id: int | None = None
    reply_due: str = ""


@dataclasses.dataclass(frozen=True)
class UrgingAnswered(Payload):
    kind = EventAction.URGING_ANSWERED
    urging_id: int = 0


@dataclasses.dataclass(frozen=True)
class HandoverNoted(Payload):
    """A hand-over to or from another installation (liên thông, the interconnect app) noted in the history;
    the dossier stays at its step and body. (The result coming back moves the dossier: a `Transitioned`.)"""

    kind = EventAction.HANDED_OVER
    #: What happened (constants.HandoverStage): "sent", "delivered", "failed" at the sending side,
    #: "result_sent" at the receiving side.
    stage: str = ""
    #: The other installation's name, as its administrators registered it (interconnect.PeerInstallation).
    peer: str = ""
    #: What the desk's history says ("Gửi hồ sơ liên thông đến …").
    label: str = ""


PAYLOADS: dict[str, type[Payload]] = {
    cls.kind: cls
    for cls in (
        Started,
        DocumentAdded,
        Accepted,
        CompletionRequested,
        Refused,
        Transitioned,
        ConsultationAnswered,
        Apologised,
        SubmittedOnline,
        Resubmitted,
        Withdrawn,
        Rated,
        ApplicantCorrected,
        DraftCancelled,
        PaymentRequested,
        PaymentReceived,
        PaymentCancelled,
        PaymentRefunded,
        FeedbackReceived,
        FeedbackAnswered,
        Urged,
        UrgingAnswered,
        HandoverNoted,
    )
}


def payload_of(event: DossierEvent) -> Payload:
    """The typed payload of a stored event: the one parser of `DossierEvent.data`."""
    return PAYLOADS[event.action].from_data(event.data)


def record(
    *,
    dossier: Dossier,
    payload: Payload,
    actor: User | None,
    at: dt.datetime,
    comment: str = "",
    from_state: State | None = None,
    to_state: State | None = None,
    from_agency: Agency | None = None,
    to_agency: Agency | None = None,
    step_due_at: dt.datetime | None = None,
    outcome: str = "",
) -> DossierEvent:
    """Append the event, then run its subscribers in this transaction. Call inside the service's atomic block."""
    from .models import DossierEvent

    event = DossierEvent(
        dossier=dossier,
        action=payload.kind,
        actor=actor,
        at=at,
        comment=comment,
        data=payload.to_data(),
        from_state=from_state,
        to_state=to_state,
        from_agency=from_agency,
        to_agency=to_agency,
        step_due_at=step_due_at,
        outcome=outcome,
    )
    # The relations are the caller's own rows: checking that each exists would cost a query apiece.
    event.full_clean(exclude=[field.name for field in DossierEvent._meta.concrete_fields if field.is_relation])
    event.save()
    publish(event, payload)
    return event


def publish(event: DossierEvent, payload: Payload) -> None:
    """Run the handlers subscribed to this event, in the order the table lists them."""
    from onestop_tayninh.core.subscriptions import subscriptions_for

    for subscription in subscriptions_for(payload.kind):
        if subscription.matches(payload):
            _handler(subscription.handler)(event, payload)


@cache
def _handler(path: str) -> typing.Callable[[DossierEvent, Payload], object]:
    handler: typing.Callable[[DossierEvent, Payload], object] = import_string(path)
    return handler


# --- (de)serialisation of payload fields ---------------------------------------------------------


def _dump(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_dump(item) for item in value]
    return value


def _load(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        (inner,) = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _load(inner, value)
    if origin is tuple:
        (item, _ellipsis) = typing.get_args(hint)
        return tuple(_load(item, element) for element in value)
    if hint is dt.datetime:
        return dt.datetime.fromisoformat(value)
    return value
