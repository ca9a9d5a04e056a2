"""Which form is issued on which dossier event (core/subscriptions.py lists when each runs).

Each handler writes a task in the event's transaction; a worker renders and stores the form
(printing.services.document_generate, which returns the first document if run twice). A form that
carries a number takes it first, in the same transaction, from the register of outgoing documents of
the body issuing it (services.outgoing_number_issue), so a rolled-back action gives it back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from onestop_tayninh.core.services import task_enqueue
from onestop_tayninh.dossiers.constants import Channel, FormsVersion

from .constants import DocumentKind

if TYPE_CHECKING:
    from onestop_tayninh.dossiers.events import Payload
    from onestop_tayninh.dossiers.models import DossierEvent

GENERATE = "onestop_tayninh.printing.jobs.document_generate_job"


def _issue(event: DossierEvent, kind: str, *, numbered: bool = False) -> None:
    if numbered:
        from .services import outgoing_number_issue

        outgoing_number_issue(event=event, kind=kind)
    task_enqueue(
        func=GENERATE,
        kwargs={"dossier_id": event.dossier_id, "kind": str(kind), "at": event.at.isoformat()},
        dedupe_key=f"document:{event.pk}:{kind}",
    )


def issue_receipt(event: DossierEvent, payload: Payload) -> None:
    """Form 01, the receipt and appointment."""
    _issue(event, DocumentKind.RECEIPT)


def reissue_receipt(event: DossierEvent, payload: Payload) -> None:
    """Form 01 issued again after the desk corrected the applicant's data, marked as corrected
    (form_contexts.receipt_correction); a tracked dossier, which had no receipt from us, gets none."""
    if event.dossier.channel != Channel.AGENCY:
        _issue(event, DocumentKind.RECEIPT)


def reissue_receipt_rescheduled(event: DossierEvent, payload: Payload) -> None:
    """Form 01 issued again when the applicant's supplement resumed the clock: the new appointment
    (the old one pushed by the time the dossier waited), with a note saying from when to when."""
    if getattr(payload, "previous_due_at", None) and event.dossier.channel != Channel.AGENCY:
        _issue(event, DocumentKind.RECEIPT)


def issue_supplement_request(event: DossierEvent, payload: Payload) -> None:
    """Form 02: at the desk, the receiving body's; during handling, the handling body's."""
    _issue(event, DocumentKind.SUPPLEMENT_REQUEST, numbered=True)


def issue_refusal(event: DossierEvent, payload: Payload) -> None:
    """Form 03 for a refusal at the desk (the receipt check, or the desk's own step); a refusal after
    appraisal (at the competent body's steps) is that body's notice, signed by its head and numbered
    by its records clerk when issued (dossiers.results.document_issue)."""
    from .selectors import refused_at_desk

    if not refused_at_desk(event):
        _issue(event, DocumentKind.REFUSAL_NOTICE)
        return
    _issue(event, DocumentKind.REFUSAL, numbered=True)


def issue_apology(event: DossierEvent, payload: Payload) -> None:
    """Form 04, the apology with the new appointment, from the body at fault."""
    _issue(event, DocumentKind.APOLOGY, numbered=True)


def issue_stop_notice(event: DossierEvent, payload: Payload) -> None:
    """The 2025 set's notice to stop processing (Circular 03/2025 has it; the 2018 set has no such form)."""
    if event.dossier.forms_version == FormsVersion.CIRCULAR_03_2025:
        _issue(event, DocumentKind.STOP_NOTICE, numbered=True)


def draft_refusal_notice(event: DossierEvent, payload: Payload) -> None:
    """A refusal proposed without a draft of its own: the competent body's notice, drawn now from the
    proposal's reasons, is the draft the head reads and the records clerk later numbers and signs.
    Drawn in the proposal's transaction (not by a worker): the head may open it at once."""
    from django.core.files.base import ContentFile

    from onestop_tayninh.dossiers.models import ResultDraft

    from .form_contexts import render_form

    draft_id = getattr(payload, "draft", None)
    draft = ResultDraft.objects.filter(pk=draft_id).first() if draft_id else None
    if draft is None or draft.file:
        return
    pdf = render_form(dossier=event.dossier, kind=DocumentKind.REFUSAL_NOTICE, at=event.at)
    draft.file.save("thong-bao-tu-choi.pdf", ContentFile(pdf), save=True)
