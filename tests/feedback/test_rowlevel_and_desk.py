"""Who sees a PAKN on the desk (the row-level rule), and the desk's steps going through the services."""

import pytest

from django.urls import reverse
from django.utils import timezone

from onestop_tayninh.feedback.constants import FeedbackStatus
from onestop_tayninh.feedback.models import Feedback
from tests.factories import OfficialFactory

from .conftest import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(world):
    here = submit(world, publish_consent=True, content="<script>alert('desk')</script> Quá hẹn.")
    there = submit(world, dossier=None, agency=world["far"], title="Ở huyện khác")
    return here, there


def test_each_official_sees_their_bodys_and_a_coordinator_their_units(world, two):
    here, there = two
    admin = OfficialFactory(agency=world["body"], roles=["system_admin"]).user
    seen = {
        name: set(Feedback.objects.visible_to(world[name])) for name in ("head", "handler", "far_head", "coordinator")
    }
    assert seen == {"head": {here}, "handler": {here}, "far_head": {there}, "coordinator": {here}}
    # Separation of duties: the system administrator reads no citizen's PAKN; a citizen reads none on the desk.
    assert not Feedback.objects.visible_to(admin).exists()
    assert not Feedback.objects.visible_to(world["citizen"]).exists()


def test_another_bodys_pakn_answers_404_on_the_desk(client, world, two):
    here, there = two
    client.force_login(world["far_head"])
    assert client.get(reverse("admin:feedback_feedback_change", args=[here.pk])).status_code == 404
    response = client.post(reverse("admin:feedback_feedback_step", args=[here.pk, "accept"]))
    assert response.status_code == 404
    listed = client.get(reverse("admin:feedback_feedback_changelist"))
    assert listed.status_code == 200 and set(listed.context["cl"].queryset) == {there}
    assert Feedback.objects.get(pk=here.pk).status == FeedbackStatus.RECEIVED


def test_the_desk_list_filters_and_the_steps_go_through_the_services(client, world, two, django_assert_max_num_queries):
    here, _there = two
    client.force_login(world["head"])
    page = reverse("admin:feedback_feedback_change", args=[here.pk])
    step = lambda name: reverse("admin:feedback_feedback_step", args=[here.pk, name])  # noqa: E731
    with django_assert_max_num_queries(25):
        listed = client.get(reverse("admin:feedback_feedback_changelist") + "?han=qua-han")
    assert here in listed.context["cl"].queryset  # received 29/4/2026: long overdue today
    fresh = submit(world, dossier=None, agency=world["body"], title="Mới gửi", at=timezone.now())
    on_time = client.get(reverse("admin:feedback_feedback_changelist") + "?han=dang-xu-ly")
    assert set(on_time.context["cl"].queryset) == {fresh}
    body = client.get(page).content.decode()
    assert "Tiếp nhận" in body and "Không tiếp nhận" in body and "Gửi trả lời" not in body
    assert "<script>alert('desk')" not in body and "&lt;script&gt;alert(&#x27;desk&#x27;)" in body
    # Answering before accepting is refused in the service's words; nothing changes.
    client.post(step("answer"), {"answer": "Sớm quá"}, follow=True)
    assert Feedback.objects.get(pk=here.pk).status == FeedbackStatus.RECEIVED
    client.post(step("accept"))
    client.post(step("assign"), {"assignee": world["handler"].pk})
    response = client.post(step("answer"), {"answer": "Hồ sơ đã có kết quả ngày 4/5."}, follow=True)
    assert "Đã trả lời phản ánh, kiến nghị" in response.content.decode()
    client.post(step("publish"))
    stored = Feedback.objects.get(pk=here.pk)
    assert (stored.status, stored.assigned_to, stored.answered_by) == (
        FeedbackStatus.PUBLISHED,
        world["handler"],
        world["head"],
    )
    # The same answer twice: the second is refused, saying who answered.
    again = client.post(step("answer"), {"answer": "Lần hai"}, follow=True).content.decode()
    assert "đã được Lê Văn Lãnh Đạo trả lời" in again
    assert Feedback.objects.get(pk=here.pk).answer == "Hồ sơ đã có kết quả ngày 4/5."


def test_an_official_records_one_handed_in_at_the_desk(client, world):
    record = reverse("admin:feedback_feedback_record")
    data = {
        "kind": "recommendation",
        "title": "Thêm ghế chờ",
        "content": "Đề nghị thêm ghế ở khu chờ.",
        "dossier_code": "",
        "full_name": "Đỗ Văn Cường",
        "phone": "0905 111 222",
    }
    client.force_login(world["coordinator"])  # reads PAKN, handles none
    assert client.get(record).status_code == 403
    client.force_login(world["far_head"])
    # A dossier outside the official's reach is not found, and nothing is kept.
    page = client.post(record, {**data, "dossier_code": world["dossier"].code}).content.decode()
    assert "trong phạm vi bạn được xem" in page and not Feedback.objects.exists()
    client.force_login(world["handler"])
    assert "Ghi nhận phản ánh tại quầy" in client.get(reverse("admin:feedback_feedback_changelist")).content.decode()
    response = client.post(record, data)
    feedback = Feedback.objects.get()
    assert response.url == reverse("admin:feedback_feedback_change", args=[feedback.pk])
    assert (feedback.channel, feedback.agency, feedback.phone, feedback.citizen) == (
        "desk",
        world["body"],
        "0905111222",
        None,
    )
