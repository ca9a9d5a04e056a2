"""Reads of the feedback app: the indicators' figures, the public list, the tracker, the desk's deadlines.

`complaint_dossier_ids` and `handling_figures` are what the reports app reads (keep their names).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from .constants import FeedbackKind, FeedbackStatus, FeedbackStep
from .models import Feedback
from .query import late_q, step_overdue

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User

#: Dossier ids asked about at once (an IN list stays short enough for the optimiser).
ID_CHUNK = 1000
PUBLIC_PAGE_SIZE = 10


# --- what the indicators read (the reports app) ---------------------------------------------------


def complaint_dossier_ids(dossier_ids: Iterable[int]) -> set[int]:
    """Those of `dossier_ids` that have a complaint (kind "Phản ánh") the body did not reject.

    A rejected PAKN (out of scope, abusive, a duplicate) is not a complaint the body had to answer, so
    it does not count against the dossier; a recommendation is a proposal, never a complaint.
    """
    ids = list(dict.fromkeys(dossier_ids))
    found: set[int] = set()
    for start in range(0, len(ids), ID_CHUNK):
        found.update(
            Feedback.objects.filter(dossier_id__in=ids[start : start + ID_CHUNK], kind=FeedbackKind.COMPLAINT)
            .exclude(status=FeedbackStatus.REJECTED)
            .values_list("dossier_id", flat=True)
            .distinct()
        )
    return found


def handling_figures(
    *,
    agency_ids: Iterable[int] | QuerySet[Any, int] | None,
    start: dt.datetime,
    end: dt.datetime,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """How PAKN received in [start, end) by `agency_ids` (None: every body) were handled, seen at `at` (now).

    - total: received in the period (rejected ones included: receiving or refusing is a step with a deadline);
    - answered: answered (published or not); answered_on_time: answered by the answer's deadline;
    - overdue: missed a deadline (accept, answer or publish): done after it, or still waiting past it at `at`;
    - disliked: the citizen was not satisfied with the answer; repeated: the same person complained again;
    - satisfaction: (total − disliked − overdue − repeated) / total as a percentage with two decimals,
      never below 0 (a PAKN may be both late and disliked); None when nothing was received.
    """
    at = at or timezone.now()
    feedback = Feedback.objects.filter(received_at__gte=start, received_at__lt=end)
    if agency_ids is not None:
        feedback = feedback.filter(agency_id__in=agency_ids if isinstance(agency_ids, QuerySet) else list(agency_ids))
    figures = feedback.aggregate(
        total=Count("pk"),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        answered_on_time=Count("pk", filter=Q(answered_at__isnull=False, answered_at__lte=F("answer_due_at"))),
        overdue=Count("pk", filter=late_q(at)),
        disliked=Count("pk", filter=Q(answer_liked=False)),
        repeated=Count("pk", filter=Q(repeated=True)),
    )
    total = figures["total"]
    if total:
        satisfied = max(total - figures["disliked"] - figures["overdue"] - figures["repeated"], 0)
        figures["satisfaction"] = (Decimal(satisfied) * 100 / total).quantize(Decimal("0.01"), ROUND_HALF_UP)
    else:
        figures["satisfaction"] = None
    return figures


# --- the public side ----------------------------------------------------------------------------

_SECRET_SALT = "onestop_tayninh.feedback.tracking-secret"
SECRET_DIGITS = 6


def tracking_secret(code: str, *, key: str | bytes | None = None) -> str:
    """Six digits given to the sender with the code: with them the tracker shows the answer before it is
    published (codes are sequential; the digits are an HMAC under SECRET_KEY, as a dossier's look-up secret)."""
    digest = salted_hmac(_SECRET_SALT, code, secret=key, algorithm="sha256").hexdigest()
    return f"{int(digest[:16], 16) % 10**SECRET_DIGITS:0{SECRET_DIGITS}d}"


def secret_matches(code: str, secret: str) -> bool:
    secret = (secret or "").strip()
    if len(secret) != SECRET_DIGITS or not secret.isdigit():
        return False
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return any(constant_time_compare(tracking_secret(code, key=key), secret) for key in keys)


def tracked(code: str) -> Feedback | None:
    """The PAKN with this code, for the public tracker (which shows its state, never who sent it)."""
    code = (code or "").strip().upper()
    if not code:
        return None
    return Feedback.objects.select_related("agency").filter(code=code).first()


def masked_name(full_name: str) -> str:
    """A sender's name on the public list: initials only ("Nguyễn Văn An" → "N. V. A.")."""
    words = [word for word in (full_name or "").split() if word[:1].isalpha()]
    return " ".join(f"{word[0].upper()}." for word in words) or "—"


def published_list(*, text: str = "", agency_id: int | None = None) -> QuerySet[Feedback]:
    """Published answers, newest first; `text` searched in the title, content and answer."""
    feedback = Feedback.objects.published().select_related("agency").order_by("-published_at", "-pk")
    text = " ".join((text or "").split())[:100]
    for word in text.split()[:5]:
        feedback = feedback.filter(Q(title__icontains=word) | Q(content__icontains=word) | Q(answer__icontains=word))
    if agency_id:
        feedback = feedback.filter(agency_id=agency_id)
    return feedback


def own_list(user: User) -> QuerySet[Feedback]:
    return Feedback.objects.owned_by(user).select_related("agency", "dossier").order_by("-received_at", "-pk")


def may_rate(feedback: Feedback) -> bool:
    return feedback.answered_at is not None and feedback.answer_liked is None


# --- deadlines, as the desk shows them ----------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    step: str
    label: str
    due_at: dt.datetime
    overdue: bool


def current_deadline(feedback: Feedback, *, at: dt.datetime) -> Deadline | None:
    """The deadline of the step the PAKN waits at, if any (none once rejected or published, or while the
    citizen is asked for more information)."""
    steps = {
        FeedbackStatus.RECEIVED: (FeedbackStep.ACCEPT, feedback.accept_due_at),
        FeedbackStatus.ACCEPTED: (FeedbackStep.ANSWER, feedback.answer_due_at),
        FeedbackStatus.ANSWERED: (FeedbackStep.PUBLISH, feedback.publish_due_at),
    }
    step, due_at = steps.get(FeedbackStatus(feedback.status), (None, None))
    if step is None or due_at is None:
        return None
    return Deadline(step=step, label=str(FeedbackStep(step).label), due_at=due_at, overdue=due_at < at)


def overdue_steps(at: dt.datetime) -> dict[str, Q]:
    """Per step, the condition of a PAKN waiting at it past its deadline (the deadline scan)."""
    return {step: step_overdue(step, at) for step in FeedbackStep}
