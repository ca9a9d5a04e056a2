"""Which form is issued on which dossier event (core/subscriptions.py lists when each runs).

Each handler writes a task in the event's transaction; a worker renders and stores the form
(printing.services.document_generate, which returns the first document if run twice).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from onestop_tayninh.core.services import task_enqueue
from onestop_tayninh.dossiers.constants import FormsVersion

from .constants import DocumentKind

if TYPE_CHECKING:
    from onestop_tayninh.dossiers.events import Payload
    from onestop_tayninh.dossiers.models import DossierEvent

GENERATE = "onestop_tayninh.printing.jobs.document_generate_job"


def _issue(event: DossierEvent, kind: str) -> None:
    task_enqueue(
        func=GENERATE,
        kwargs={"dossier_id": event.dossier_id, "kind": str(kind), "at": event.at.isoformat()},
        dedupe_key=f"document:{event.pk}:{kind}",
    )


def issue_receipt(event: DossierEvent, payload: Payload) -> None:
    """Form 01, the receipt and appointment."""
    _issue(event, DocumentKind.RECEIPT)


def issue_supplement_request(event: DossierEvent, payload: Payload) -> None:
    """Form 02 at the desk, or the supplement request during handling."""
    _issue(event, DocumentKind.SUPPLEMENT_REQUEST)


def issue_refusal(event: DossierEvent, payload: Payload) -> None:
    """Form 03 at the desk, or the refusal during handling."""
    _issue(event, DocumentKind.REFUSAL)


def issue_apology(event: DossierEvent, payload: Payload) -> None:
    """Form 04, the apology with the new appointment."""
    _issue(event, DocumentKind.APOLOGY)


def issue_stop_notice(event: DossierEvent, payload: Payload) -> None:
    """The 2025 set's notice to stop processing (Circular 03/2025 has it; the 2018 set has no such form)."""
    if event.dossier.forms_version == FormsVersion.CIRCULAR_03_2025:
        _issue(event, DocumentKind.STOP_NOTICE)
