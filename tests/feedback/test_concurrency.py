"""Two officials answer the same PAKN at the same moment, each on their own database connection: one
answer is kept, the other official is told who answered first, and nothing of theirs is saved."""

import threading
import time

import pytest

from django.core.exceptions import ValidationError

from onestop_tayninh.feedback import services
from onestop_tayninh.feedback.constants import FeedbackStatus
from onestop_tayninh.feedback.models import Feedback
from onestop_tayninh.notifications.models import Message
from tests.support import at_once

from .conftest import local, submit

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_officials_answering_at_once_one_wins(world, monkeypatch):
    feedback = submit(world)
    services.feedback_accept(feedback=feedback, official=world["head"], at=local(2026, 4, 29, 10, 0))
    # Both start together, and whoever gets in holds the row a while before committing: without the row
    # lock both would read "accepted" and both would answer.
    start = threading.Barrier(2)
    telling = services._tell_sender

    def slow_tell(*args, **kwargs):
        time.sleep(0.5)
        return telling(*args, **kwargs)

    monkeypatch.setattr(services, "_tell_sender", slow_tell)

    def answer(official, text):
        def run():
            start.wait(timeout=10)
            return services.feedback_answer(
                feedback=Feedback.objects.get(pk=feedback.pk),
                official=official,
                answer=text,
                at=local(2026, 4, 30, 9, 0),
            )

        return run

    outcomes = at_once(
        answer(world["handler"], "Trả lời của chị Xử Lý."), answer(world["second"], "Trả lời của anh Thứ Hai.")
    )

    won = [outcome for outcome in outcomes if isinstance(outcome, Feedback)]
    lost = [outcome for outcome in outcomes if isinstance(outcome, ValidationError)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    winner = won[0].answered_by
    assert winner.get_full_name() in lost[0].messages[0] and "chưa được lưu" in lost[0].messages[0]
    stored = Feedback.objects.get(pk=feedback.pk)
    assert stored.status == FeedbackStatus.ANSWERED and stored.answered_by == winner
    assert stored.answer == ("Trả lời của chị Xử Lý." if winner == world["handler"] else "Trả lời của anh Thứ Hai.")
    # The sender is told once; the dossier's history has one answer.
    assert Message.objects.filter(template_key="feedback_answered", channel="email").count() == 1
    assert world["dossier"].events.filter(action="feedback_answered").count() == 1
