"""QuerySet methods of the feedback app: the row-level rule, the citizen's own, the public list, the deadlines."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Self

from django.db.models import F, Q

from onestop_tayninh.core.rowlevel import AgencyScopedQuerySet

from .constants import FeedbackStatus, FeedbackStep

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User

    from .models import Feedback  # noqa: F401


def step_overdue(step: str, at: dt.datetime) -> Q:
    """Still at `step` (FeedbackStep) after its deadline."""
    if step == FeedbackStep.ACCEPT:
        return Q(status=FeedbackStatus.RECEIVED, accept_due_at__lt=at)
    if step == FeedbackStep.ANSWER:
        # Waiting for the citizen's information is a pause: the answer's deadline moves on when it comes.
        return Q(status=FeedbackStatus.ACCEPTED, answer_due_at__lt=at)
    return Q(status=FeedbackStatus.ANSWERED, publish_due_at__isnull=False, publish_due_at__lt=at)


def overdue_q(at: dt.datetime) -> Q:
    """Waiting at any step past its deadline."""
    return (
        step_overdue(FeedbackStep.ACCEPT, at)
        | step_overdue(FeedbackStep.ANSWER, at)
        | step_overdue(FeedbackStep.PUBLISH, at)
    )


def late_q(at: dt.datetime) -> Q:
    """Missed at least one deadline: a step done after it, or still waiting past it at `at`."""
    done_late = (
        Q(decided_at__gt=F("accept_due_at"))
        | Q(answered_at__gt=F("answer_due_at"))
        | Q(published_at__isnull=False, publish_due_at__isnull=False, published_at__gt=F("publish_due_at"))
    )
    return done_late | overdue_q(at)


class FeedbackQuerySet(AgencyScopedQuerySet[Any]):
    """A PAKN belongs to the body it is about. It names a citizen and their phone, so it is citizens'
    data: seen by the roles that read dossiers, within their reach (core.rowlevel)."""

    agency_lookup = "agency"
    citizen_data = True

    def owned_by(self, user: User) -> Self:
        """The citizen's own: sent while logged in to their account."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(citizen_id=user.pk)

    def published(self) -> Self:
        return self.filter(status=FeedbackStatus.PUBLISHED)

    def overdue(self, *, at: dt.datetime) -> Self:
        """Waiting at a step whose deadline has passed (the desk's "Quá hạn")."""
        return self.filter(overdue_q(at))

    def late(self, *, at: dt.datetime) -> Self:
        """Missed at least one deadline (the indicator's "overdue", late_q)."""
        return self.filter(late_q(at))
