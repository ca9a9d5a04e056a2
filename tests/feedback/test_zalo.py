"""A PAKN sent on Zalo: "Phản ánh" or "Kiến nghị", the text, then one of the citizen's own dossiers or the
body it is for. Events go through the signed webhook and the worker's job; answers come back from the
stand-in Zalo."""

import pytest

from django.utils import timezone

from onestop_tayninh.feedback.constants import FeedbackChannel, FeedbackKind
from onestop_tayninh.feedback.models import Feedback
from onestop_tayninh.zalo import client as zalo_client
from onestop_tayninh.zalo.models import ZaloUser
from tests.zalo import support
from tests.zalo.chat import Chat

fake = support.fake
zalo = support.zalo

pytestmark = pytest.mark.django_db


@pytest.fixture
def tokens(zalo):
    pair = support.seed(zalo)
    zalo_client.token_store(
        access_token=pair["access_token"],
        refresh_token=pair["refresh_token"],
        access_expires_at=None,
        at=timezone.now(),
    )


def linked_chat(client, zalo, citizen, user_id) -> Chat:
    ZaloUser.objects.create(user_id=user_id, citizen=citizen, linked_at=timezone.now())
    return Chat(client, zalo, user_id, files=None)


def test_a_complaint_about_an_own_dossier(client, zalo, tokens, world):
    stranger = Chat(client, zalo, "zalo-pakn-0", files=None)
    stranger.text("Phản ánh")
    assert "liên kết Zalo với tài khoản" in stranger.last()

    chat = linked_chat(client, zalo, world["citizen"], "zalo-pakn-1")
    chat.text("phan anh")
    assert chat.last().startswith("Mời bạn nhắn nội dung phản ánh")
    chat.text("chậm")
    assert "rõ hơn" in chat.last()
    chat.text("Hồ sơ khai sinh của tôi đã quá hẹn hai ngày mà chưa có kết quả, cán bộ hẹn lại nhiều lần.")
    assert "về hồ sơ nào của bạn" in chat.last() and world["dossier"].code in chat.last()
    chat.text("9")
    assert "Không thấy hồ sơ này" in chat.last()
    chat.text("1")
    feedback = Feedback.objects.get()
    assert chat.last().startswith("Đã gửi phản ánh tới Ủy ban nhân dân huyện Thử Nghiệm, mã PAKN-")
    assert feedback.code in chat.last()
    assert (feedback.channel, feedback.kind, feedback.dossier, feedback.citizen) == (
        FeedbackChannel.ZALO,
        FeedbackKind.COMPLAINT,
        world["dossier"],
        world["citizen"],
    )
    assert feedback.title == "Hồ sơ khai sinh của tôi đã quá hẹn hai ngày mà chưa có kết quả, cán bộ hẹn lại…"
    assert feedback.content.endswith("nhiều lần.") and feedback.phone == "0912345678"
    assert world["dossier"].events.filter(action="feedback_received").exists()


def test_a_recommendation_to_a_body_found_by_name(client, zalo, tokens, world):
    chat = linked_chat(client, zalo, world["citizen"], "zalo-pakn-2")
    chat.text("Kiến nghị")
    chat.text("Đề nghị mở thêm quầy tiếp nhận buổi sáng thứ Bảy.")
    chat.text("Không")
    assert "gửi cơ quan nào" in chat.last()
    chat.text("so xay dung")
    assert "Không tìm thấy cơ quan nào" in chat.last()
    chat.text("huyen thu nghiem")  # two bodies of that district: a numbered choice
    assert "1. Phòng Tư pháp huyện Thử Nghiệm" in chat.last() and "2. Ủy ban nhân dân huyện Thử Nghiệm" in chat.last()
    chat.text("2")
    feedback = Feedback.objects.get()
    assert (feedback.kind, feedback.agency, feedback.dossier) == (FeedbackKind.RECOMMENDATION, world["body"], None)
    assert chat.last().startswith("Đã gửi kiến nghị tới Ủy ban nhân dân huyện Thử Nghiệm")
    assert ZaloUser.objects.get(user_id="zalo-pakn-2").state == "idle"
