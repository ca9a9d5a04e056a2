"""Notices that arrive (docs/domain.md §5.11): an acknowledgement of an online submission, links that
open the dossier itself, the portal's "Thông báo" page, SMS in one form, e-mails signed by the right body;
and where a paper result is collected (the dossier's page, the result notice)."""

import re

import pytest

from django.conf import settings
from django.urls import reverse

from onestop_tayninh.directory.models import ReceptionDesk
from onestop_tayninh.dossiers.constants import ReturnMethod
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.notifications.constants import CITIZEN_DOSSIER_KEYS
from onestop_tayninh.notifications.models import Message, MessageTemplate
from onestop_tayninh.notifications.rendering import message_render
from onestop_tayninh.portal.services import draft_submit
from tests.factories import CitizenFactory

from ..workflows.conftest import local, receive, user
from ..workflows.test_paths import act
from .conftest import filled_draft
from .test_my_dossiers import _justice_keys, at_appraisal  # noqa: F401 - the Department's certificate

pytestmark = pytest.mark.django_db

# Values the subscribers put into a message's context, per notice (notifications.subscribers).
CONTEXTS = {
    "online_submitted": {"submitted_at": "08:30 ngày 01/03/2027"},
    "completion_requested": {"items": "- Tờ khai", "reason": "Thiếu chữ ký.", "online": True},
    "receipt_refused": {"reason": "Sai thẩm quyền.", "online": True},
    "supplement_requested": {"comment": "Thiếu bản sao giấy chứng sinh."},
    "supplement_received": {"previous_due_at": "17:00 ngày 08/03/2027", "new_due_at": "17:00 ngày 10/03/2027"},
    "refusal_ready": {"document_number": "01/TB-STP", "reason": "Không đủ điều kiện."},
    "apology": {"new_due_at": "17:00 ngày 15/03/2027", "reason": "Chờ xác minh."},
    "payment_requested": {"order": "TT2600000001", "amount": "8.000", "reason": "Phí, lệ phí khi nộp hồ sơ"},
    "payment_received": {"order": "TT2600000001", "amount": "8.000", "receipt": "01BLP0-001, TN-26E, số 0000001"},
    "payment_refunded": {"order": "TT2600000001", "amount": "8.000", "reason": "Hồ sơ bị từ chối"},
}
# Unaccented Vietnamese words: in an accented SMS, any of them means the text mixes the two forms.
UNACCENTED_WORDS = re.compile(r"\b(ho so|da duoc|ket qua|tiep nhan|Ong/Ba|Xem chi tiet|bo sung|Ma xac nhan|hen tra)\b")
URL = re.compile(r"https?://[^\s\"”)]+")
MENU_COUNT = re.compile(r'<span class="nav-count"[^>]*>(\d+)<')  # on the phone's toggle, then beside "Thông báo"


def menu_counts(client) -> list[str]:
    """The unread counts the menu shows on any portal page (here the home page)."""
    return MENU_COUNT.findall(client.get(reverse("portal:home")).content.decode())


def submitted(world, citizen, at=None):
    at = at or local(2027, 3, 1, 8, 30)
    return draft_submit(draft=filled_draft(world, citizen, at=at), citizen=citizen, at=at)


def rendered(dossier, key, channel, **context):
    message = Message(dossier=dossier, template_key=key, channel=channel, context={**CONTEXTS.get(key, {}), **context})
    return message_render(message)


def _path(url: str) -> str:
    assert url.startswith(settings.ONESTOP_SITE_URL), url
    return url[len(settings.ONESTOP_SITE_URL) :].rstrip(".,;")


# --- the acknowledgement -----------------------------------------------------------------------


def test_an_online_submission_is_acknowledged_at_once_before_the_desk_checks_it(online, citizen):
    dossier = submitted(online, citizen)
    assert not dossier.code  # not received yet
    notices = Message.objects.filter(dossier=dossier, template_key="online_submitted")
    assert sorted(notices.values_list("channel", "address")) == [("email", "dan@example.vn"), ("sms", "0912000111")]
    subject, body = message_render(notices.get(channel="email"))
    assert subject == f"Đã nhận hồ sơ trực tuyến “{online['online'].name}”"
    assert "lúc 08:30 ngày 01/03/2027" in body and "đang chờ kiểm tra" in body
    assert f"{settings.ONESTOP_SITE_URL}/ho-so-cua-toi/{dossier.pk}/" in body


# --- links open the dossier itself -------------------------------------------------------------


def test_every_link_of_every_notice_opens_the_dossier_for_a_citizen_with_an_account(client, online, citizen):
    dossier = at_appraisal(online, citizen)
    links: dict[str, list] = {}
    for key in CITIZEN_DOSSIER_KEYS:
        for channel in ("email", "sms"):
            _subject, body = rendered(dossier, key, channel)
            assert f"{settings.ONESTOP_SITE_URL}/ho-so-cua-toi/{dossier.pk}/" in body, (key, channel, body)
            for url in URL.findall(body):
                if _path(url) != "/":  # the portal's address under the signature
                    links.setdefault(_path(url), []).append((key, channel))
    client.force_login(citizen)
    for path, used_by in links.items():
        response = client.get(path)
        assert response.status_code == 200, (path, used_by)
        assert dossier.procedure_version.name in response.content.decode(), (path, used_by)


def test_every_link_of_every_notice_opens_the_dossier_for_an_applicant_without_an_account(client, world):
    dossier = receive(world)
    assert dossier.applicant_account_id is None
    links: dict[str, list] = {}
    for key in CITIZEN_DOSSIER_KEYS:
        if key == "online_submitted":
            continue  # only online submissions, which need an account
        for channel in ("email", "sms"):
            _subject, body = rendered(dossier, key, channel)
            assert "/ho-so/" in body, (key, channel, body)  # the receipt's signed link
            for url in URL.findall(body):
                if _path(url) != "/":  # the portal's address under the signature
                    links.setdefault(_path(url), []).append((key, channel))
    for path, used_by in links.items():
        response = client.get(path)  # no account, no login
        assert response.status_code == 200, (path, used_by)
        assert dossier.code in response.content.decode(), (path, used_by)


def test_the_result_notice_says_where_to_collect_a_paper_result(world):
    dossier = receive(world)
    desk = dossier.receiving_desk
    _subject, body = rendered(dossier, "result_ready", "email")
    assert (
        f"Mời Ông/Bà nhận kết quả tại {desk.name}, {desk.address} ({desk.opening_hours}); điện thoại {desk.phone}."
        in body
    )
    dossier.return_method, dossier.return_address = ReturnMethod.POST, "Số 5 đường 30/4, Phường 3, Tây Ninh"
    _subject, body = rendered(dossier, "result_ready", "email")
    assert "gửi qua bưu chính công ích đến: Số 5 đường 30/4, Phường 3, Tây Ninh." in body


# --- SMS in one form ---------------------------------------------------------------------------


@pytest.mark.parametrize("accented", [False, True])
def test_every_sms_is_wholly_accented_or_wholly_unaccented_as_the_channel_is_set(online, citizen, settings, accented):
    settings.ONESTOP_SMS_ACCENTED = accented
    dossier = at_appraisal(online, citizen)
    templates = list(MessageTemplate.objects.filter(channel="sms"))
    assert {t.key for t in templates} >= set(CITIZEN_DOSSIER_KEYS) | {"citizen_password_reset_code"}
    for template in templates:
        _subject, body = rendered(dossier, template.key, "sms", code="123456", minutes=10)
        if accented:
            assert not body.isascii(), (template.key, body)
            assert not UNACCENTED_WORDS.search(body), (template.key, body)
        else:
            assert body.isascii(), (template.key, body)  # the names and dates filled in included
    _subject, body = rendered(dossier, "supplement_received", "sms")
    assert ("Ngày hẹn trả kết quả mới" in body) is accented and ("Ngay hen tra ket qua moi" in body) is not accented


# --- e-mail signatures -------------------------------------------------------------------------


def test_emails_are_signed_by_the_desk_the_applicant_deals_with(world):
    dossier = receive(world)
    dossier.receiving_desk = ReceptionDesk.objects.get(code="bpmc-tanbien")
    for key in CITIZEN_DOSSIER_KEYS:
        if key == "apology":
            continue
        _subject, body = rendered(dossier, key, "email")
        assert body.rstrip().endswith(
            f"{dossier.receiving_desk.name}\nCổng dịch vụ công: {settings.ONESTOP_SITE_URL}/"
        ), key
        assert "Trung tâm Phục vụ hành chính công tỉnh Tây Ninh" not in body, key
    assert not MessageTemplate.objects.filter(body__contains="Trung tâm Phục vụ hành chính công tỉnh Tây Ninh\nCổng")


def test_the_apology_is_signed_by_the_body_that_apologises(online, citizen):
    from onestop_tayninh.directory.models import Agency
    from onestop_tayninh.dossiers.actions import dossier_apologise

    dossier = at_appraisal(online, citizen)
    justice = Agency.objects.get(code="000.00.02.H53")
    dossier_apologise(
        dossier=dossier,
        actor=user("lanhdao.tuphap"),
        reason="Chờ xác minh",
        responsible_agency=justice,
        new_due_at=local(2027, 3, 12, 17, 0),
        at=local(2027, 3, 5, 9, 0),
    )
    _subject, body = message_render(Message.objects.get(dossier=dossier, template_key="apology", channel="email"))
    assert body.rstrip().endswith(f"{justice.name}\nCổng dịch vụ công: {settings.ONESTOP_SITE_URL}/")


# --- the "Thông báo" page ----------------------------------------------------------------------


def test_the_notices_page_lists_the_citizens_notices_read_and_unread(client, online, citizen):
    dossier = at_appraisal(online, citizen)
    act(dossier, "chuyenvien.tuphap", "yeu-cau-bo-sung", local(2027, 3, 2, 9, 0), comment="Thiếu giấy chứng sinh.")
    client.force_login(citizen)
    page = client.get(reverse("portal:notices")).content.decode()
    # One notice per event (its e-mail and SMS are one), newest first, all unread.
    titles = re.findall(r'<h2 class="notice-item__title">([^<]*)</h2>', page)
    assert titles == [
        f"Hồ sơ {dossier.code}: đề nghị bổ sung, hoàn thiện",
        f"Đã tiếp nhận hồ sơ {dossier.code}",
        # A level-4 procedure with a fee: the order to pay comes with the submission.
        f"Hồ sơ “{online['online'].name}”: mời nộp phí, lệ phí 8.000 đồng",
        f"Đã nhận hồ sơ trực tuyến “{online['online'].name}”",
    ]
    assert page.count("notice-item--unread") == 4 and "4 thông báo chưa xem." in page
    assert menu_counts(client) == ["4"] * 2  # on every page: the phone's "Danh mục" and "Thông báo"

    supplement = Message.objects.get(dossier=dossier, template_key="supplement_requested", channel="sms")
    response = client.post(reverse("portal:notice_open", args=[supplement.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("portal:my_dossier", args=[dossier.pk])
    assert not Message.objects.filter(dossier=dossier, template_key="supplement_requested", read_at__isnull=True)
    page = client.get(reverse("portal:notices")).content.decode()
    assert page.count("notice-item--unread") == 3 and "3 thông báo chưa xem." in page
    assert menu_counts(client) == ["3"] * 2

    client.post(reverse("portal:notices_read_all"))
    page = client.get(reverse("portal:notices")).content.decode()
    assert "notice-item--unread" not in page and "Bạn đã xem hết các thông báo." in page
    assert menu_counts(client) == []


def test_nobody_else_sees_or_opens_a_citizens_notices(client, online, citizen):
    dossier = submitted(online, citizen)
    other = CitizenFactory().user
    client.force_login(other)
    assert "notice-item" not in client.get(reverse("portal:notices")).content.decode()
    assert menu_counts(client) == []  # the other citizen's unread notices are not counted here
    message = Message.objects.filter(dossier=dossier).first()
    assert client.post(reverse("portal:notice_open", args=[message.pk])).status_code == 404
    assert Message.objects.filter(dossier=dossier, read_at__isnull=False).count() == 0
    client.logout()
    assert client.get(reverse("portal:notices")).status_code == 302


# --- where a paper result is collected ---------------------------------------------------------


def test_the_dossier_page_says_where_and_when_to_collect_a_paper_result(client, online, citizen):
    dossier = at_appraisal(online, citizen)
    Dossier.objects.filter(pk=dossier.pk).update(return_method=ReturnMethod.DESK)
    desk = dossier.receiving_desk
    client.force_login(citizen)
    page = client.get(reverse("portal:my_dossier", args=[dossier.pk])).content.decode()
    assert "Nơi nhận kết quả" in page
    for fact in (desk.name, desk.address, desk.phone, desk.opening_hours):
        assert fact and fact in page

    Dossier.objects.filter(pk=dossier.pk).update(
        return_method=ReturnMethod.POST, return_address="Số 5 đường 30/4, Phường 3, Tây Ninh"
    )
    page = client.get(reverse("portal:my_dossier", args=[dossier.pk])).content.decode()
    assert "Kết quả sẽ được gửi qua bưu chính" in page and "Số 5 đường 30/4, Phường 3, Tây Ninh" in page
    assert desk.opening_hours not in page


def test_the_receipts_link_says_where_to_collect_too(client, world):
    from onestop_tayninh.dossiers.access import applicant_token

    dossier = receive(world)
    page = client.get(reverse("portal:applicant_dossier", args=[applicant_token(dossier)])).content.decode()
    assert dossier.receiving_desk.opening_hours in page and dossier.receiving_desk.phone in page
