"""The deadline scan tells the body's heads of each PAKN waiting past a deadline, once per step."""

import pytest

from onestop_tayninh.core.cron import periodic_job
from onestop_tayninh.feedback import services
from onestop_tayninh.feedback.models import Feedback, FeedbackEscalation
from onestop_tayninh.notifications.models import Message
from onestop_tayninh.notifications.rendering import message_render

from .conftest import local, submit

pytestmark = pytest.mark.django_db


def overdue_notices(head):
    return Message.objects.filter(template_key="feedback_overdue", user=head)


def test_each_overdue_step_is_escalated_once(world):
    head = world["head"]
    feedback = submit(world, publish_consent=True)  # accept by Tue 5/5 17:00, answer by Fri 22/5 17:00

    assert services.feedback_deadline_scan(at=local(2026, 5, 5, 16, 59)) == {"accept": 0, "answer": 0, "publish": 0}
    assert services.feedback_deadline_scan(at=local(2026, 5, 5, 17, 1))["accept"] == 1
    assert services.feedback_deadline_scan(at=local(2026, 5, 6, 9, 0))["accept"] == 0  # not twice
    assert overdue_notices(head).filter(channel="desk").count() == 1
    subject, body = message_render(overdue_notices(head).get(channel="desk"))
    assert subject == f"{feedback.code} quá hạn tiếp nhận hoặc từ chối"
    assert "Hồ sơ trả chậm" in body and "17:00 ngày 05/05/2026" in body
    assert not Message.objects.filter(template_key="feedback_overdue").exclude(user=head).exists()
    assert Feedback.objects.get(pk=feedback.pk).escalated_at == local(2026, 5, 5, 17, 1)

    # Accepted late, then the answer is late too: a second escalation, for that step.
    services.feedback_accept(feedback=feedback, official=head, at=local(2026, 5, 6, 10, 0))
    assert services.feedback_deadline_scan(at=local(2026, 5, 25, 8, 0)) == {"accept": 0, "answer": 1, "publish": 0}
    services.feedback_answer(feedback=feedback, official=head, answer="Đã xử lý.", at=local(2026, 5, 25, 9, 0))
    assert services.feedback_deadline_scan(at=local(2026, 5, 25, 10, 0)) == {"accept": 0, "answer": 0, "publish": 0}
    # Publish by Wed 27/5 17:00.
    assert services.feedback_deadline_scan(at=local(2026, 5, 28, 8, 0))["publish"] == 1
    assert services.feedback_deadline_scan(at=local(2026, 5, 29, 8, 0))["publish"] == 0
    assert list(FeedbackEscalation.objects.order_by("pk").values_list("step", flat=True)) == [
        "accept",
        "answer",
        "publish",
    ]
    assert overdue_notices(head).filter(channel="desk").count() == 3


def test_waiting_for_the_citizens_information_is_not_overdue(world):
    feedback = submit(world)
    services.feedback_accept(feedback=feedback, official=world["head"], at=local(2026, 5, 4, 8, 0))
    services.feedback_request_info(feedback=feedback, official=world["head"], question="?", at=local(2026, 5, 4, 9, 0))
    assert services.feedback_deadline_scan(at=local(2026, 6, 1, 8, 0))["answer"] == 0


def test_the_scan_is_declared_every_15_minutes():
    job = periodic_job("feedback-deadline-scan")
    assert job.cron == "*/15 * * * *" and job.func_path == "onestop_tayninh.feedback.jobs.feedback_deadline_scan"
