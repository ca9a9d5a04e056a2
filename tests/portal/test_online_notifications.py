"""Before receipt, an online dossier has no one at the counter: the desk is told it arrived, the
applicant is told of Form 02 (what to add) and Form 03 (refused), in the outbox like every message."""

import pytest

from django.conf import settings
from django.core.files.base import ContentFile

from onestop_tayninh.dossiers.events import payload_of
from onestop_tayninh.dossiers.services import (
    dossier_refuse,
    dossier_request_completion,
    dossier_supplement_add,
    dossier_supplement_submit,
)
from onestop_tayninh.notifications import subscribers
from onestop_tayninh.notifications.models import Message
from onestop_tayninh.notifications.rendering import message_render
from onestop_tayninh.portal.services import draft_submit
from tests.printing.conftest import start
from tests.support import tiny_pdf
from tests.workflows.conftest import local, user

from .conftest import filled_draft

pytestmark = pytest.mark.django_db


def submitted(world, citizen):
    draft = filled_draft(world, citizen)
    return draft_submit(draft=draft, citizen=citizen, at=local(2027, 3, 1, 9, 0))


def rendered(messages) -> dict[tuple[str, str], tuple[str, str]]:
    """{(username or address, channel): (subject, body)}"""
    return {(m.user.username if m.user else m.address, m.channel): message_render(m) for m in messages}


def test_the_desks_receiving_officers_are_told_a_dossier_arrived(online, citizen):
    citizen.full_name = "Trần Văn Bé"
    citizen.save()
    dossier = submitted(online, citizen)
    messages = Message.objects.filter(template_key="online_dossier_arrived", dossier=dossier)
    by_recipient = rendered(messages)
    # Both receiving officers of the provincial centre, in the desk and by e-mail; nobody else.
    assert set(by_recipient) == {
        ("tiepnhan.tinh", "desk"),
        ("tiepnhan.tinh", "email"),
        ("tiepnhan.tinh2", "desk"),
        ("tiepnhan.tinh2", "email"),
    }
    subject, body = by_recipient[("tiepnhan.tinh", "desk")]
    assert subject == "Hồ sơ trực tuyến mới chờ kiểm tra"
    assert online["online"].name in body and "Trần Văn Bé" in body and "09:00 ngày 01/03/2027" in body
    email_subject, email_body = by_recipient[("tiepnhan.tinh", "email")]
    assert email_subject == "Hồ sơ trực tuyến mới chờ kiểm tra, tiếp nhận"
    assert "Nguyễn Thị Lan" in email_body and "/desk/" in email_body
    # The same event again (a retried job, a replay) adds nothing.
    event = dossier.events.get(action="submitted_online")
    subscribers.online_dossier_arrived(event, payload_of(event))
    assert Message.objects.filter(template_key="online_dossier_arrived", dossier=dossier).count() == 4


def test_form_02_reaches_the_online_applicant_and_the_supplement_reaches_the_desk(online, citizen):
    dossier = submitted(online, citizen)
    dossier_request_completion(
        dossier=dossier,
        officer=user("tiepnhan.tinh"),
        items=["Bản sao Giấy chứng sinh", "Tờ khai có chữ ký của người yêu cầu"],
        reason="Tờ khai chưa ký.",
        at=local(2027, 3, 1, 10, 0),
    )
    to_applicant = rendered(Message.objects.filter(template_key="completion_requested", dossier=dossier))
    assert set(to_applicant) == {("dan@example.vn", "email"), ("0912000111", "sms")}
    subject, body = to_applicant[("dan@example.vn", "email")]
    assert subject == f"Hồ sơ “{online['online'].name}” cần bổ sung, hoàn thiện"
    assert "Ông/Bà gửi trực tuyến" in body
    assert "- Bản sao Giấy chứng sinh\n- Tờ khai có chữ ký của người yêu cầu" in body
    assert "Ghi chú: Tờ khai chưa ký." in body
    assert f"/ho-so-cua-toi/{dossier.pk}/" in body  # the dossier's own page
    sms = to_applicant[("0912000111", "sms")][1]
    assert f"/ho-so-cua-toi/{dossier.pk}/" in sms and sms.isascii()

    dossier_supplement_add(
        dossier=dossier,
        citizen=citizen,
        requirement=None,
        file=ContentFile(tiny_pdf("bo sung"), name="giay-chung-sinh.pdf"),
        at=local(2027, 3, 1, 15, 0),
    )
    dossier_supplement_submit(dossier=dossier, citizen=citizen, at=local(2027, 3, 1, 15, 5))
    again = Message.objects.filter(template_key="online_dossier_arrived", dossier=dossier, channel="desk")
    assert again.count() == 4  # two officers, first the dossier, then its supplement
    subjects = sorted(message_render(m)[0] for m in again)
    assert subjects.count("Hồ sơ trực tuyến đã bổ sung chờ kiểm tra") == 2


def test_form_03_tells_the_online_applicant_why(online, citizen):
    dossier = submitted(online, citizen)
    dossier_refuse(
        dossier=dossier,
        officer=user("tiepnhan.tinh"),
        reason="Thủ tục thuộc thẩm quyền của Ủy ban nhân dân cấp xã.",
        at=local(2027, 3, 1, 10, 0),
    )
    to_applicant = rendered(Message.objects.filter(template_key="receipt_refused", dossier=dossier))
    subject, body = to_applicant[("dan@example.vn", "email")]
    assert "không được tiếp nhận" in subject
    assert "Lý do: Thủ tục thuộc thẩm quyền của Ủy ban nhân dân cấp xã." in body
    assert f"Phiếu từ chối (Mẫu 03) có tại {settings.ONESTOP_SITE_URL}/ho-so-cua-toi/{dossier.pk}/." in body
    assert ("0912000111", "sms") in to_applicant


def test_a_walk_in_applicant_is_handed_the_forms_and_gets_no_message(world):
    clerk = user("tiepnhan.tinh")
    incomplete, refused = start(world), start(world, cccd="072190009999")
    dossier_request_completion(dossier=incomplete, officer=clerk, items=["Tờ khai"], reason="", at=local(2027, 3, 1, 9))
    dossier_refuse(dossier=refused, officer=clerk, reason="Sai thẩm quyền.", at=local(2027, 3, 1, 9))
    assert {incomplete.channel, refused.channel} == {"desk"}
    assert not Message.objects.filter(
        template_key__in=["completion_requested", "receipt_refused", "online_dossier_arrived"]
    ).exists()


def test_a_posted_dossier_applicant_is_written_to_without_portal_links(world):
    posted = start(world, channel="post")
    dossier_request_completion(
        dossier=posted, officer=user("tiepnhan.tinh"), items=["Tờ khai"], reason="", at=local(2027, 3, 1, 9)
    )
    to_applicant = rendered(Message.objects.filter(template_key="completion_requested", dossier=posted))
    _subject, body = to_applicant[("le.thi.hong@example.vn", "email")]
    assert "Ông/Bà gửi giấy tờ bổ sung đến Trung tâm Phục vụ hành chính công tỉnh Tây Ninh." in body
    assert "Hồ sơ của tôi" not in body and "trực tuyến" not in body
    sms = to_applicant[("0912345678", "sms")][1]
    assert "ho-so-cua-toi" not in sms and sms.isascii()
