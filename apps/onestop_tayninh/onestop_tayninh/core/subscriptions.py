"""What happens when something happens to a dossier: every subscriber of the dossier engine, in one table.

`dossiers.events.record()` writes the event, then runs each handler listed here for its kind,
in this order, inside the caller's transaction (no Django signals: explicit and greppable).
A handler is `handler(event: DossierEvent, payload: Payload) -> None`, named by dotted path so
the engine imports none of them. `when` narrows a row to payloads whose fields have the given
value (or one of a tuple of values). Handlers write rows only (outbox messages, tasks, vault
entries); anything slow or external happens later in a worker.

Event kinds are the values of `dossiers.constants.EventAction`; written here as plain strings
because core sits below the dossier engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

NOTIFY = "onestop_tayninh.notifications.subscribers"
PRINT = "onestop_tayninh.printing.subscribers"
VAULT = "onestop_tayninh.vault.subscribers"
PAY = "onestop_tayninh.payments.subscribers"
REPORTS = "onestop_tayninh.reports.subscribers"
WEBHOOKS = "onestop_tayninh.webhooks.subscribers"
NATIONAL = "onestop_tayninh.national.subscribers"
INTERCONNECT = "onestop_tayninh.interconnect.subscribers"
#: The kind of a subscription that hears every event (the evaluation's facts follow every change).
EVERY_EVENT = "*"


@dataclass(frozen=True)
class Subscription:
    #: The event kind (an EventAction value).
    event: str
    #: Dotted path of the handler.
    handler: str
    #: Payload fields and the value (or tuple of values) they must have.
    when: Mapping[str, Any] = field(default_factory=dict)

    def matches(self, payload: Any) -> bool:
        for name, wanted in self.when.items():
            value = getattr(payload, name)
            if value not in (wanted if isinstance(wanted, tuple) else (wanted,)):
                return False
        return True


SUBSCRIPTIONS: tuple[Subscription, ...] = (
    # The dossier moved past a step (a workflow step, the receipt decision): the officials' desk notices
    # about where it was are marked read. First, so the notices the same event writes below stay unread.
    # (A hand-over to another installation, "handed_over", moves nothing; its result back is a transition.)
    Subscription("transition", f"{NOTIFY}.notices_moved_past"),
    Subscription("accepted", f"{NOTIFY}.notices_moved_past"),
    Subscription("completion_requested", f"{NOTIFY}.notices_moved_past"),
    Subscription("refused", f"{NOTIFY}.notices_moved_past"),
    # An online dossier (or its Form 02 supplement) waits at the desk: the receiving officers hear of it.
    Subscription("submitted_online", f"{NOTIFY}.online_dossier_arrived"),
    # ... and the applicant gets an acknowledgement at once, before the check.
    Subscription("submitted_online", f"{NOTIFY}.online_submitted"),
    Subscription("resubmitted", f"{NOTIFY}.online_dossier_arrived"),
    # A level-4 dossier owes its fees at submission: the order the applicant pays online.
    Subscription("submitted_online", f"{PAY}.request_fees_online"),
    # The applicant's own uploads go into their vault (a document picked from it is already there).
    Subscription("document_added", f"{VAULT}.keep_submitted_document", when={"reused": False}),
    # Received (Form 01): the applicant is told the code and the appointment; the receipt is printed,
    # unless the competent agency received a tracked-only dossier itself (it gave its own receipt).
    Subscription("accepted", f"{NOTIFY}.dossier_received"),
    Subscription("accepted", f"{PRINT}.issue_receipt", when={"tracked": False}),
    # Form 02 at the desk: printed; an applicant not at the counter gets the list.
    Subscription("completion_requested", f"{PRINT}.issue_supplement_request"),
    Subscription("completion_requested", f"{NOTIFY}.completion_requested"),
    # Form 03 at the desk: printed; an applicant not at the counter is told why.
    Subscription("refused", f"{PRINT}.issue_refusal"),
    Subscription("refused", f"{NOTIFY}.receipt_refused"),
    # Refused at receipt or withdrawn: unpaid fees are no longer owed, paid ones are asked back.
    Subscription("refused", f"{PAY}.settle_on_refusal"),
    Subscription("withdrawn", f"{PAY}.settle_on_refusal"),
    Subscription("transition", f"{PAY}.settle_on_refusal", when={"target_kind": "withdrawn"}),
    Subscription("transition", f"{PAY}.cancel_unpaid", when={"target_kind": ("refused", "stopped")}),
    # Fees asked, paid, refunded (dossiers.fees, reported by the payments app): the applicant hears.
    Subscription("payment_requested", f"{NOTIFY}.payment_requested"),
    Subscription("payment_received", f"{NOTIFY}.payment_received"),
    Subscription("payment_refunded", f"{NOTIFY}.payment_refunded"),
    # Workflow steps, by what the step does.
    Subscription("transition", f"{NOTIFY}.assigned", when={"effect": "assign"}),
    Subscription("transition", f"{NOTIFY}.consultation_requested", when={"effect": "request_consultation"}),
    Subscription("transition", f"{NOTIFY}.supplement_requested", when={"effect": "request_supplement"}),
    Subscription("transition", f"{PRINT}.issue_supplement_request", when={"effect": "request_supplement"}),
    # The supplement resumed the clock: the applicant is told the new appointment; the receipt is issued
    # again with it (the old appointment pushed by the paused office time).
    Subscription("transition", f"{NOTIFY}.supplement_received", when={"effect": "supply_supplement"}),
    Subscription("transition", f"{PRINT}.reissue_receipt_rescheduled", when={"effect": "supply_supplement"}),
    Subscription("transition", f"{PRINT}.issue_refusal", when={"effect": "refuse"}),
    Subscription("transition", f"{NOTIFY}.result_ready", when={"effect": "issue_result"}),
    Subscription("transition", f"{VAULT}.keep_electronic_result", when={"effect": "issue_result"}),
    # Results as offices make them (dossiers.results): a proposed refusal without a draft of its own gets
    # the competent body's notice drawn for the head to read; the records clerk's issue tells the
    # applicant, and an electronic result goes into their vault (the signed PDF).
    Subscription("transition", f"{PRINT}.draft_refusal_notice", when={"effect": "propose_refusal"}),
    Subscription("transition", f"{NOTIFY}.result_ready", when={"effect": "issue_numbered", "document_kind": "result"}),
    Subscription(
        "transition", f"{VAULT}.keep_electronic_result", when={"effect": "issue_numbered", "document_kind": "result"}
    ),
    Subscription(
        "transition", f"{NOTIFY}.refusal_ready", when={"effect": "issue_numbered", "document_kind": "refusal"}
    ),
    Subscription("transition", f"{NOTIFY}.rating_invitation", when={"effect": "return_result"}),
    Subscription("transition", f"{PRINT}.issue_stop_notice", when={"target_kind": ("stopped", "withdrawn")}),
    # Whoever acts at the step entered hears of it (not the one who acted; an assignee was told above).
    # (A result back from another installation is a transition too: the desk's officials hear it is back.)
    Subscription("transition", f"{NOTIFY}.step_waiting"),
    # Form 04 (a draft the deadline scan prepared is confirmed by dossier_apologise itself): the
    # applicant gets the apology and the new date; the printed form follows.
    Subscription("apology", f"{NOTIFY}.apology"),
    Subscription("apology", f"{PRINT}.issue_apology"),
    # The desk corrected the applicant's data after receipt: the receipt is issued again, marked so.
    # A draft cancelled at the counter issues nothing (no Form 03, no notice).
    Subscription("applicant_corrected", f"{PRINT}.reissue_receipt"),
    # A dossier another installation handed over to us reached its result (or a refusal): the result
    # goes back to that installation (interconnect; a dossier of our own is left alone).
    # (Its "result sent back" line is a "handed_over" event: it does not queue the result again.)
    Subscription(
        "transition",
        f"{INTERCONNECT}.result_ready",
        when={"target_kind": ("approved", "refusal_ready", "result_returned", "refused", "stopped")},
    ),
    # Whatever happened, the dossier's evaluation fact (reports.facts) is derived again when the
    # transaction commits, and the daily figures the dashboards and indicators read follow it.
    Subscription(EVERY_EVENT, f"{REPORTS}.dossier_changed"),
    # Systems subscribed to dossier events (webhooks.Subscriber) get one signed delivery each, for the
    # kinds they chose and the dossiers their bodies may see; posted later by a worker.
    Subscription(EVERY_EVENT, f"{WEBHOOKS}.event_published"),
    # ... and the National Public Service Portal gets a message about it (an outbox row, numbered per
    # dossier, pushed in order by the national sync's jobs).
    Subscription(EVERY_EVENT, f"{NATIONAL}.dossier_changed"),
)


@cache
def subscriptions_for(event: str) -> tuple[Subscription, ...]:
    return tuple(subscription for subscription in SUBSCRIPTIONS if subscription.event in (event, EVERY_EVENT))
