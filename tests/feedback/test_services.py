"""Receiving a PAKN and each step of its handling: working-day deadlines, the state machine's refusals,
the dossier's history, the audit trail, bad input."""

import pytest

from django.core.exceptions import PermissionDenied, ValidationError

from onestop_tayninh.dossiers.constants import EventAction
from onestop_tayninh.dossiers.events import payload_of
from onestop_tayninh.feedback import services
from onestop_tayninh.feedback.constants import FeedbackChannel, FeedbackKind, FeedbackStatus
from onestop_tayninh.feedback.models import Feedback, FeedbackCodeCounter
from onestop_tayninh.notifications.models import Message
from onestop_tayninh.notifications.rendering import message_render
from onestop_tayninh.security.models import AuditEvent

from .conftest import local, submit

pytestmark = pytest.mark.django_db


def test_deadlines_count_working_days_past_the_holidays_and_the_weekend(world):
    # Received Wednesday 29/4/2026; Thursday 30/4 and Friday 1/5 are holidays, then a weekend.
    feedback = submit(world)
    assert feedback.code == "PAKN-2604-000001"
    assert feedback.agency == world["body"]  # the dossier's competent body
    assert feedback.accept_due_at == local(2026, 5, 5, 17, 0)  # Mon 4/5 (1), Tue 5/5 (2)
    assert feedback.info_due_at == local(2026, 5, 8, 17, 0)  # the fifth working day
    assert feedback.answer_due_at == local(2026, 5, 22, 17, 0)  # the fifteenth: three whole weeks of May
    assert feedback.publish_due_at is None
    # The dossier's history says a complaint came, and the body's head is told.
    event = world["dossier"].events.get(action=EventAction.FEEDBACK_RECEIVED)
    payload = payload_of(event)
    assert (payload.feedback_id, payload.complaint, payload.channel) == (feedback.pk, True, "desk")
    assert event.actor == world["citizen"]
    assert Message.objects.filter(template_key="feedback_arrived", user=world["head"], channel="desk").exists()
    assert AuditEvent.objects.filter(action="feedback.submitted", object_id=str(feedback.pk)).exists()


def test_codes_are_numbered_per_month_without_gaps(world):
    first = submit(world, dossier=None, agency=world["body"], title="Một")
    second = submit(world, dossier=None, agency=world["body"], title="Hai")
    may = submit(world, dossier=None, agency=world["body"], title="Ba", at=local(2026, 5, 4, 9, 0))
    assert [first.code, second.code, may.code] == ["PAKN-2604-000001", "PAKN-2604-000002", "PAKN-2605-000001"]
    # A refused submission takes no number.
    with pytest.raises(ValidationError):
        submit(world, dossier=None, agency=None)
    assert FeedbackCodeCounter.objects.get(month=local(2026, 4, 1).date()).last_number == 2


def test_the_steps_in_order_with_the_answer_published_two_working_days_later(world):
    feedback = submit(world, publish_consent=True)
    head, handler = world["head"], world["handler"]
    services.feedback_accept(feedback=feedback, official=handler, at=local(2026, 5, 4, 8, 0))
    services.feedback_assign(feedback=feedback, official=head, assignee=handler, at=local(2026, 5, 4, 8, 5))
    feedback = services.feedback_answer(
        feedback=feedback, official=handler, answer="Hồ sơ đã có kết quả.", at=local(2026, 5, 7, 10, 0)
    )
    assert feedback.status == FeedbackStatus.ANSWERED
    assert feedback.publish_due_at == local(2026, 5, 11, 17, 0)  # Friday 8/5, then Monday 11/5
    assert world["dossier"].events.filter(action=EventAction.FEEDBACK_ANSWERED).count() == 1
    # The assignee was told, and so is the sender (e-mail and SMS to the account's contacts).
    assert Message.objects.filter(template_key="feedback_assigned", user=handler).exists()
    answered = Message.objects.filter(template_key="feedback_answered")
    assert {m.channel for m in answered} == {"email", "sms"}
    assert {m.address for m in answered} == {world["citizen"].email, "0912345678"}
    subject, body = message_render(answered.get(channel="email"))
    assert subject == f"Trả lời phản ánh, kiến nghị {feedback.code}"
    assert (
        "Nguyễn Thị Lan" in body
        and "Hồ sơ đã có kết quả." in body
        and f"/phan-anh-kien-nghi/cua-toi/{feedback.pk}/" in body
    )
    _subject, sms = message_render(answered.get(channel="sms"))
    assert feedback.code in sms and "/phan-anh-kien-nghi/cua-toi/" in sms
    feedback = services.feedback_publish(feedback=feedback, official=head, at=local(2026, 5, 8, 9, 0))
    assert feedback.status == FeedbackStatus.PUBLISHED
    assert Feedback.objects.published().get() == feedback


def test_asking_for_more_information_pauses_the_answer_clock(world):
    feedback = submit(world)
    services.feedback_accept(feedback=feedback, official=world["handler"], at=local(2026, 5, 4, 8, 0))
    services.feedback_request_info(
        feedback=feedback, official=world["handler"], question="Ngày nộp hồ sơ?", at=local(2026, 5, 4, 10, 0)
    )
    # Asked Monday 10:00, answered Wednesday 10:00: 5 h + 8 h + 3 h = two working days waited.
    feedback = services.feedback_supply_info(
        feedback=feedback, text="Nộp ngày 20/4.", actor=world["citizen"], at=local(2026, 5, 6, 10, 0)
    )
    assert feedback.status == FeedbackStatus.ACCEPTED
    assert feedback.answer_due_at == local(2026, 5, 26, 17, 0)  # Friday 22/5 moved on two working days


def test_more_information_is_not_asked_after_five_working_days(world):
    feedback = submit(world)
    services.feedback_accept(feedback=feedback, official=world["handler"], at=local(2026, 5, 4, 8, 0))
    with pytest.raises(ValidationError, match="Đã quá thời hạn đề nghị bổ sung thông tin"):
        services.feedback_request_info(
            feedback=feedback, official=world["handler"], question="?", at=local(2026, 5, 11, 8, 0)
        )
    assert Feedback.objects.get(pk=feedback.pk).status == FeedbackStatus.ACCEPTED


@pytest.mark.parametrize(
    "step",
    [
        lambda f, w: services.feedback_answer(feedback=f, official=w["handler"], answer="Trả lời", at=f.received_at),
        lambda f, w: services.feedback_publish(feedback=f, official=w["head"], at=f.received_at),
        lambda f, w: services.feedback_request_info(feedback=f, official=w["handler"], question="?", at=f.received_at),
        lambda f, w: services.feedback_supply_info(feedback=f, text="Thêm", actor=w["citizen"], at=f.received_at),
    ],
    ids=["answer", "publish", "request_info", "supply_info"],
)
def test_a_step_out_of_order_is_refused_and_changes_nothing(world, step):
    feedback = submit(world)
    with pytest.raises(ValidationError, match="đang ở bước “Chờ tiếp nhận” nên không thể"):
        step(feedback, world)
    assert Feedback.objects.get(pk=feedback.pk).status == FeedbackStatus.RECEIVED


def test_a_rejected_one_stays_rejected(world):
    feedback = submit(world)
    with pytest.raises(ValidationError, match="Hãy nêu lý do"):
        services.feedback_reject(feedback=feedback, official=world["head"], reason="  ", at=local(2026, 4, 29, 10, 0))
    services.feedback_reject(
        feedback=feedback, official=world["head"], reason="Trùng phản ánh trước.", at=local(2026, 4, 29, 10, 0)
    )
    with pytest.raises(ValidationError, match="Không tiếp nhận"):
        services.feedback_accept(feedback=feedback, official=world["head"], at=local(2026, 4, 29, 11, 0))


def test_only_the_bodys_own_officials_with_the_permission_act(world):
    feedback = submit(world, publish_consent=True)
    for outsider in (world["far_head"], world["coordinator"], world["citizen"]):
        with pytest.raises(PermissionDenied):
            services.feedback_accept(feedback=feedback, official=outsider, at=local(2026, 4, 29, 10, 0))
    services.feedback_accept(feedback=feedback, official=world["handler"], at=local(2026, 4, 29, 10, 0))
    # A handling officer neither assigns nor publishes; the assignee must handle PAKN at the same body.
    with pytest.raises(PermissionDenied):
        services.feedback_assign(
            feedback=feedback, official=world["handler"], assignee=world["second"], at=local(2026, 4, 29, 10, 5)
        )
    with pytest.raises(ValidationError, match="không phải cán bộ xử lý phản ánh"):
        services.feedback_assign(
            feedback=feedback, official=world["head"], assignee=world["far_head"], at=local(2026, 4, 29, 10, 5)
        )
    services.feedback_answer(
        feedback=feedback, official=world["handler"], answer="Đã xử lý.", at=local(2026, 4, 29, 11, 0)
    )
    with pytest.raises(PermissionDenied):
        services.feedback_publish(feedback=feedback, official=world["handler"], at=local(2026, 4, 29, 11, 5))


def test_publishing_needs_the_senders_consent(world):
    feedback = submit(world, publish_consent=False)
    services.feedback_accept(feedback=feedback, official=world["head"], at=local(2026, 4, 29, 10, 0))
    feedback = services.feedback_answer(
        feedback=feedback, official=world["head"], answer="Đã xử lý.", at=local(2026, 4, 29, 11, 0)
    )
    assert feedback.publish_due_at is None
    with pytest.raises(ValidationError, match="không đồng ý công khai"):
        services.feedback_publish(feedback=feedback, official=world["head"], at=local(2026, 4, 29, 11, 5))


def test_the_sender_rates_the_answer_once(world):
    feedback = submit(world)
    with pytest.raises(ValidationError, match="chưa được trả lời"):
        services.feedback_rate_answer(
            feedback=feedback, citizen=world["citizen"], liked=True, at=local(2026, 4, 29, 10, 0)
        )
    services.feedback_accept(feedback=feedback, official=world["head"], at=local(2026, 4, 29, 10, 0))
    services.feedback_answer(
        feedback=feedback, official=world["head"], answer="Đã xử lý.", at=local(2026, 4, 29, 11, 0)
    )
    with pytest.raises(PermissionDenied):
        services.feedback_rate_answer(
            feedback=feedback, citizen=world["handler"], liked=True, at=local(2026, 4, 30, 8, 0)
        )
    feedback = services.feedback_rate_answer(
        feedback=feedback, citizen=world["citizen"], liked=False, at=local(2026, 4, 30, 8, 0)
    )
    assert feedback.answer_liked is False
    with pytest.raises(ValidationError, match="đã đánh giá"):
        services.feedback_rate_answer(
            feedback=feedback, citizen=world["citizen"], liked=True, at=local(2026, 4, 30, 9, 0)
        )


def test_a_second_complaint_by_the_same_person_on_the_same_matter_is_marked_repeated(world):
    first = submit(world)
    again = submit(world, content="Vẫn chưa có kết quả.")
    recommendation = submit(world, kind=FeedbackKind.RECOMMENDATION)
    # Without a dossier, the same body and title (whatever the case and diacritics) is the same matter;
    # an anonymous sender is recognised by the phone.
    general = dict(dossier=None, agency=world["body"], citizen=None, full_name="Trần Văn B", phone="0987 654 321")
    other_matter = submit(world, title="Thái độ phục vụ", **general)
    same_matter = submit(world, title="thai do phuc vu", **general)
    assert [first.repeated, again.repeated, recommendation.repeated] == [False, True, False]
    assert [other_matter.repeated, same_matter.repeated] == [False, True]
    assert same_matter.phone == "0987654321"


def test_script_is_kept_as_text_and_a_100_kb_text_is_refused_with_nothing_saved(world):
    script = '<script>alert("x")</script>\r\nDòng hai\x00'
    feedback = submit(world, title="<b>Tiêu đề</b>", content=script)
    assert feedback.content == '<script>alert("x")</script>\nDòng hai'
    assert feedback.title == "<b>Tiêu đề</b>"
    before = Feedback.objects.count()
    with pytest.raises(ValidationError, match=r"vượt quá 5\.000 ký tự"):
        submit(world, content="a" * 100_000)
    assert Feedback.objects.count() == before
    assert not FeedbackCodeCounter.objects.filter(last_number__gt=1).exists()


def test_an_anonymous_sender_gives_a_name_and_a_valid_phone(world):
    anonymous = dict(dossier=None, agency=world["body"], citizen=None, channel=FeedbackChannel.ONLINE)
    with pytest.raises(ValidationError, match="họ và tên"):
        submit(world, phone="0912345678", **anonymous)
    with pytest.raises(ValidationError, match="số điện thoại"):
        submit(world, full_name="Trần Văn B", **anonymous)
    with pytest.raises(ValidationError, match="Số điện thoại không hợp lệ"):
        submit(world, full_name="Trần Văn B", phone="12345", **anonymous)
    assert not Feedback.objects.exists()
