"""What a dossier owes in fees and charges, as the payments app reports it: one service per fact.

The engine does not know providers, orders or receipts. The payments app (above it) tells it what
happened to an order through these services; each keeps `Dossier.fees_due` (what was asked and not
yet received) and records the typed event, so the history, the applicant's notices and a workflow
step that waits for payment (`Transition.requires_payment`) read one fact. Each takes the dossier's
row lock, so an IPN and an officer acting on the same dossier queue up; the caller locks its own
order row first (payments always locks order, then dossier).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from .events import PaymentCancelled, PaymentReceived, PaymentRefunded, PaymentRequested, record
from .models import Dossier

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User


def _locked(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_for_update().get(pk=dossier.pk)


def _set_due(locked: Dossier, due: int, *, caller: Dossier) -> None:
    locked.fees_due = max(due, 0)
    locked.save(update_fields=["fees_due", "updated_at"])
    # The caller's copy may be the instance an engine service is still holding (a subscriber is
    # called with the event's dossier): it must not save the old amount back.
    caller.fees_due = locked.fees_due


@transaction.atomic
def dossier_payment_requested(
    *, dossier: Dossier, order: str, amount: int, reason: str, actor: User | None, at: dt.datetime
) -> Dossier:
    """An order of `amount` đồng is owed (online submission, or an amount set after appraisal)."""
    dossier, caller = _locked(dossier), dossier
    _set_due(dossier, dossier.fees_due + amount, caller=caller)
    record(
        dossier=dossier,
        payload=PaymentRequested(order=order, amount=amount, due=dossier.fees_due, reason=reason),
        actor=actor,
        at=at,
        comment=reason,
    )
    return dossier


@transaction.atomic
def dossier_payment_received(
    *,
    dossier: Dossier,
    order: str,
    amount: int,
    method: str,
    method_label: str,
    transaction_no: str,
    receipt: str,
    actor: User | None,
    at: dt.datetime,
) -> Dossier:
    """An order was paid in full (the provider's notification, or the officer at the counter)."""
    dossier, caller = _locked(dossier), dossier
    _set_due(dossier, dossier.fees_due - amount, caller=caller)
    record(
        dossier=dossier,
        payload=PaymentReceived(
            order=order,
            amount=amount,
            due=dossier.fees_due,
            method=method,
            method_label=method_label,
            transaction_no=transaction_no,
            receipt=receipt,
        ),
        actor=actor,
        at=at,
    )
    return dossier


@transaction.atomic
def dossier_payment_cancelled(
    *, dossier: Dossier, order: str, amount: int, reason: str, actor: User | None, at: dt.datetime
) -> Dossier:
    """An unpaid order is no longer owed."""
    dossier, caller = _locked(dossier), dossier
    _set_due(dossier, dossier.fees_due - amount, caller=caller)
    record(
        dossier=dossier,
        payload=PaymentCancelled(order=order, amount=amount, due=dossier.fees_due, reason=reason),
        actor=actor,
        at=at,
        comment=reason,
    )
    return dossier


@transaction.atomic
def dossier_payment_refunded(
    *, dossier: Dossier, order: str, amount: int, transaction_no: str, reason: str, actor: User | None, at: dt.datetime
) -> Dossier:
    """Money paid for an order went back to the payer (what is owed does not change)."""
    dossier = _locked(dossier)
    record(
        dossier=dossier,
        payload=PaymentRefunded(order=order, amount=amount, transaction_no=transaction_no, reason=reason),
        actor=actor,
        at=at,
        comment=reason,
    )
    return dossier
