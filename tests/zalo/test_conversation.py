"""The conversation: linking, submitting by photos, a supplement, look-up, rating; and bad input.

Events go through the real webhook (signed), the worker's job, MariaDB, the storage and clamd; the
OA's answers are read back from the stand-in Zalo (scripts/fake_zalo.py) over HTTP.
"""

import datetime as dt
import io

import pikepdf
import pytest

from django.core.files.storage import default_storage
from django.utils import timezone

from onestop_tayninh.accounts.constants import MessageKey
from onestop_tayninh.dossiers.constants import Channel, DossierStatus
from onestop_tayninh.dossiers.selectors import lookup_secret
from onestop_tayninh.dossiers.services import dossier_accept, dossier_request_completion
from onestop_tayninh.notifications.models import Message
from onestop_tayninh.portal.models import ServiceRating
from onestop_tayninh.security.models import AuditEvent
from onestop_tayninh.zalo import client as zalo_client
from onestop_tayninh.zalo import conversation
from onestop_tayninh.zalo.constants import ConversationState, EventStatus, IdentitySource, SubmissionStatus
from onestop_tayninh.zalo.models import ZaloPhoto, ZaloSubmission, ZaloUser
from tests.factories import CitizenFactory, receiving_world
from tests.imaging.cards import card_back, jpeg, rotated
from tests.zalo import support
from tests.zalo.chat import Chat, FileServer, photo

fake = support.fake
zalo = support.zalo

pytestmark = pytest.mark.django_db

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@pytest.fixture
def tokens(zalo):
    pair = support.seed(zalo)
    zalo_client.token_store(
        access_token=pair["access_token"],
        refresh_token=pair["refresh_token"],
        access_expires_at=None,
        at=timezone.now(),
    )


@pytest.fixture(scope="module")
def files():
    server = FileServer()
    yield server
    server.close()


@pytest.fixture
def world(db):
    """ "Đăng ký khai sinh" received online (level 3) at one desk, two required documents."""
    world = receiving_world()
    type(world["version"]).objects.filter(pk=world["version"].pk).update(
        level=3, submission_methods=["desk", "post", "online"]
    )
    world["version"].refresh_from_db()
    return world


@pytest.fixture
def citizen(db):
    profile = CitizenFactory(user__phone="0912345678", user__full_name="Nguyễn Thị Lan", cccd="072190001111")
    return profile.user


def chat_of(client, zalo, files, user_id="zalo-100") -> Chat:
    return Chat(client, zalo, user_id, files)


def linked(chat: Chat, citizen) -> ZaloUser:
    zalo_user, _created = ZaloUser.objects.get_or_create(user_id=chat.user_id)
    zalo_user.citizen, zalo_user.linked_at = citizen, timezone.now()
    zalo_user.save()
    return zalo_user


# --- linking ------------------------------------------------------------------------------------


def test_linking_by_the_accounts_phone_and_the_sms_code(client, zalo, tokens, files, citizen):
    chat = chat_of(client, zalo, files)
    chat.follow()
    assert "nhắn “Liên kết”" in chat.last()
    chat.text("Liên kết")
    assert "Mời bạn nhập số điện thoại" in chat.last()
    chat.text("0912 345 678")
    assert "mã xác nhận 6 chữ số đã được gửi qua SMS" in chat.last()
    sms = Message.objects.get(template_key=MessageKey.PHONE_CODE, address="0912345678")
    code = sms.context["code"]
    wrong = "000000" if code != "000000" else "111111"
    chat.text(wrong)
    assert "Mã không đúng. Bạn còn" in chat.last()
    chat.text(code)
    assert chat.last().startswith("Đã liên kết Zalo với tài khoản Nguyễn Thị Lan.")
    zalo_user = ZaloUser.objects.get(user_id=chat.user_id)
    assert zalo_user.citizen == citizen and zalo_user.linked_at is not None
    assert AuditEvent.objects.filter(action="zalo.linked", data__via="sms").exists()
    # And removed from the chat.
    chat.text("Hủy liên kết")
    assert chat.last().startswith("Đã gỡ liên kết.")
    zalo_user.refresh_from_db()
    assert zalo_user.citizen is None


def test_an_unknown_phone_gets_the_same_answer_and_no_sms(client, zalo, tokens, files, citizen):
    chat = chat_of(client, zalo, files, "zalo-101")
    chat.text("Liên kết")
    chat.text("0988000111")
    assert "mã xác nhận 6 chữ số đã được gửi qua SMS" in chat.last()
    assert not Message.objects.filter(address="0988000111").exists()
    chat.text("123456")
    assert "Mã không đúng" in chat.last()
    assert ZaloUser.objects.get(user_id="zalo-101").citizen is None
    chat.text("09xx")
    assert chat.last().startswith("Mã xác nhận gồm 6 chữ số trong tin SMS.")


def test_linking_from_the_portal_page_and_unlinking_there(client, zalo, tokens, files, citizen):
    client.force_login(citizen)
    page = client.post("/tai-khoan/zalo/")
    assert page.status_code == 200
    code = page.context["code"]
    assert f"LK-{code}" in page.content.decode()
    chat = chat_of(client, zalo, files, "zalo-102")
    chat.text(f"LK-{code}")
    assert chat.last().startswith("Đã liên kết Zalo với tài khoản Nguyễn Thị Lan.")
    # A code works once.
    other = chat_of(client, zalo, files, "zalo-103")
    other.text(f"lk {code}")
    assert "Mã liên kết không đúng hoặc đã hết hạn" in other.last()
    zalo_user = ZaloUser.objects.get(user_id="zalo-102")
    listed = client.get("/tai-khoan/zalo/").content.decode()
    assert "Gỡ liên kết" in listed
    response = client.post("/tai-khoan/zalo/", {"unlink": zalo_user.pk}, follow=True)
    assert "Đã gỡ liên kết Zalo" in response.content.decode()
    zalo_user.refresh_from_db()
    assert zalo_user.citizen is None
    assert AuditEvent.objects.filter(action="zalo.unlinked", data__from="portal").exists()


def test_submitting_needs_a_linked_account(client, zalo, tokens, files, world):
    chat = chat_of(client, zalo, files, "zalo-104")
    chat.text("2")
    assert "Bạn cần liên kết Zalo với tài khoản Cổng dịch vụ công trước" in chat.last()
    assert not ZaloSubmission.objects.exists()


# --- submitting by photos -----------------------------------------------------------------------


def walk_to_documents(chat: Chat, world) -> None:
    chat.text("2")
    assert "Mời bạn gõ tên thủ tục cần nộp" in chat.last()
    chat.text("khai sinh")  # one procedure, received at two desks
    assert "Bạn nộp tại đâu?" in chat.last()
    desk = world["desk"].name
    chat.text(desk.lower())  # a desk found by its name, as typed
    if "Nhắn số thứ tự nơi nộp" in chat.last():
        lines = chat.last().splitlines()[1:]
        (number,) = [line.split(".", 1)[0] for line in lines if line.split(". ", 1)[1] == desk]
        chat.text(number)
    assert "MẶT SAU căn cước công dân" in chat.last() and desk in chat.last()


def test_a_dossier_sent_by_photos_lands_in_the_desks_queue(client, zalo, tokens, files, world, citizen):
    chat = chat_of(client, zalo, files, "zalo-110")
    linked(chat, citizen)
    walk_to_documents(chat, world)
    # The back of the card: its QR code read, the identity shown for the citizen to confirm.
    chat.photo(jpeg(rotated(card_back(), 90)))
    assert "OA đọc được từ mã QR trên căn cước" in chat.last()
    assert "Số CCCD: 072190001111" in chat.last() and "Ngày sinh: 08/03/1990" in chat.last()
    chat.text("Đúng")
    assert chat.last().startswith("Giấy tờ 1/2:")
    chat.photo(photo("To khai trang 1"))
    assert chat.last().startswith("Đã nhận ảnh 1.")
    chat.photo(photo("To khai trang 2", size=(1400, 1000)))  # landscape: turned to portrait
    chat.text("Xong")
    assert chat.last().startswith("Giấy tờ 2/2:")
    chat.text("Xong")
    assert "Bạn chưa gửi ảnh nào của" in chat.last()
    chat.photo(photo("Giay chung sinh"))
    chat.text("Xong")
    summary = chat.last()
    assert summary.startswith("Xem lại hồ sơ") and "2 trang ảnh" in summary and "1 trang ảnh" in summary
    assert "đọc từ căn cước, bạn đã xác nhận" in summary
    chat.text("Nộp hồ sơ")
    assert chat.last().startswith("Đã nộp hồ sơ")

    submission = ZaloSubmission.objects.get()
    dossier = submission.dossier
    assert submission.status == SubmissionStatus.SUBMITTED
    assert dossier.channel == Channel.ZALO and dossier.status == DossierStatus.TO_CHECK
    assert dossier.receiving_desk == world["desk"] and dossier.applicant_account == citizen
    assert dossier.cccd == "072190001111" and dossier.date_of_birth == dt.date(1990, 3, 8)
    assert submission.identity_source == IdentitySource.QR and submission.identity_confirmed_at
    documents = {document.requirement.name: document for document in dossier.documents.all()}
    assert len(documents) == 2
    pages = {}
    for name, document in documents.items():
        with pikepdf.open(io.BytesIO(default_storage.open(document.file.name).read())) as pdf:
            pages[name] = len(pdf.pages)
            for page in pdf.pages:
                _x0, _y0, width, height = (float(value) for value in page.mediabox)
                assert height > width  # every page portrait
        assert document.page_count == pages[name]
    assert sorted(pages.values()) == [1, 2]
    # Every photo kept as received: the ID card and the three pages.
    assert ZaloPhoto.objects.filter(submission=submission).count() == 4
    assert ZaloUser.objects.get(user_id=chat.user_id).state == ConversationState.IDLE
    # The conversation is on the dossier for the desk.
    assert submission.messages.filter(dossier=dossier).count() >= 10


def test_cancelling_drops_the_photos(client, zalo, tokens, files, world, citizen, django_capture_on_commit_callbacks):
    chat = chat_of(client, zalo, files, "zalo-111")
    linked(chat, citizen)
    walk_to_documents(chat, world)
    chat.text("Bỏ qua")
    chat.photo(photo())
    name = ZaloPhoto.objects.get().file.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        chat.text("Hủy")
    assert "Đã hủy hồ sơ đang gửi" in chat.last()
    assert ZaloSubmission.objects.get().status == SubmissionStatus.ABANDONED
    assert not ZaloPhoto.objects.exists()
    assert not default_storage.exists(name)


def test_a_word_sent_after_photos_waits_for_them(client, zalo, tokens, files, world, citizen):
    """Out of order: "Xong" reaches the worker before the photo sent just before it."""
    chat = chat_of(client, zalo, files, "zalo-112")
    linked(chat, citizen)
    walk_to_documents(chat, world)
    chat.text("Bỏ qua")
    late = chat.photo(photo("trang 1"), process=False)
    done = chat.text("Xong", process=False)
    with pytest.raises(conversation.NotReady):
        chat.process(done)
    assert done.status == EventStatus.RECEIVED
    chat.process(late)
    chat.process(done)
    assert chat.last().startswith("Giấy tờ 2/2:")
    first = world["version"].documents.order_by("position", "pk").first()
    assert ZaloPhoto.objects.get().requirement == first


# --- bad input ----------------------------------------------------------------------------------


def test_bad_photos_are_refused_in_words_and_nothing_is_kept(client, zalo, tokens, files, world, citizen, settings):
    chat = chat_of(client, zalo, files, "zalo-120")
    linked(chat, citizen)
    walk_to_documents(chat, world)
    chat.text("Bỏ qua")
    settings.ONESTOP_ZALO_PHOTO_MAX_BYTES = 2 * 1024 * 1024
    chat.photo(b"\xff\xd8\xff" + b"0" * (3 * 1024 * 1024))
    assert "Ảnh quá lớn; mỗi ảnh tối đa 2 MB" in chat.last()
    chat.photo(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", name="anh.jpg")
    assert chat.last().startswith("Ảnh không được nhận:")
    chat.photo(EICAR, name="anh.jpg")
    assert chat.last().startswith("Ảnh không được nhận:")
    assert not ZaloPhoto.objects.exists()
    assert AuditEvent.objects.filter(action="virus_found").exists() or "virus" in chat.last()


def test_two_hundred_photos_in_a_row_are_cut_off_with_one_notice(client, zalo, tokens, files, world, citizen, settings):
    settings.ONESTOP_ZALO_MAX_PAGES_PER_DOCUMENT = 3
    chat = chat_of(client, zalo, files, "zalo-121")
    linked(chat, citizen)
    walk_to_documents(chat, world)
    chat.text("Bỏ qua")
    data = photo()
    for _number in range(8):
        chat.photo(data)
    replies = chat.replies()
    assert sum("Mỗi giấy tờ nhận tối đa 3 trang ảnh" in text for text in replies) == 1
    assert ZaloPhoto.objects.count() == 3


def test_a_photo_outside_a_submission_gets_guidance(client, zalo, tokens, files, world):
    chat = chat_of(client, zalo, files, "zalo-122")
    chat.photo(photo())
    assert "OA nhận ảnh giấy tờ khi bạn đang nộp hoặc bổ sung hồ sơ" in chat.last()
    assert not ZaloPhoto.objects.exists()


def test_a_blocked_user_is_not_answered(client, zalo, tokens, files):
    ZaloUser.objects.create(user_id="zalo-123", blocked_at=timezone.now())
    chat = chat_of(client, zalo, files, "zalo-123")
    texted = chat.text("2")
    assert texted.status == EventStatus.IGNORED and texted.error == "Người dùng đã bị chặn."
    assert chat.replies() == []


@pytest.mark.parametrize(
    ("kind", "status", "answer"),
    [
        ("user_send_file", EventStatus.PROCESSED, "OA nhận ảnh chụp giấy tờ (JPEG, PNG)"),
        ("user_send_location", EventStatus.PROCESSED, "OA chưa hiểu tin này"),
        ("user_send_sticker", EventStatus.PROCESSED, "OA chưa hiểu tin này"),
        ("unfollow", EventStatus.PROCESSED, None),
        ("unknown_event", EventStatus.IGNORED, None),
    ],
)
def test_each_event_kind(client, zalo, tokens, files, kind, status, answer):
    chat = chat_of(client, zalo, files, f"zalo-kind-{kind}")
    stored = chat.process(chat.post(kind))
    assert stored.status == status
    if answer:
        assert answer in chat.last()
    else:
        assert chat.replies() == []
    if kind == "unfollow":
        assert ZaloUser.objects.get(user_id=chat.user_id).follows is False


# --- supplement, look-up, rating ----------------------------------------------------------------


def zalo_dossier(client, zalo, files, world, citizen, user_id):
    chat = chat_of(client, zalo, files, user_id)
    linked(chat, citizen)
    walk_to_documents(chat, world)
    chat.text("Bỏ qua")
    chat.photo(photo("to khai"))
    chat.text("Xong")
    chat.photo(photo("chung sinh"))
    chat.text("Xong")
    chat.text("Nộp hồ sơ")
    return chat, ZaloSubmission.objects.get(zalo_user__user_id=user_id).dossier


def test_a_supplement_answered_with_photos(client, zalo, tokens, files, world, citizen):
    chat, dossier = zalo_dossier(client, zalo, files, world, citizen, "zalo-130")
    dossier_request_completion(
        dossier=dossier,
        officer=world["officer"],
        items=["Bản sao giấy chứng nhận kết hôn"],
        reason="Thiếu giấy kết hôn",
        at=timezone.now(),
    )
    chat.photo(photo("giay ket hon"))
    replies = chat.replies()
    assert any("Cần bổ sung:\n• Bản sao giấy chứng nhận kết hôn" in text for text in replies)
    assert chat.last().startswith("Đã nhận ảnh 1.")
    chat.text("Xong")
    assert chat.last().startswith("Đã gửi bổ sung cho hồ sơ")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.TO_CHECK
    assert dossier.documents.filter(supplement_round=1).count() == 1


def test_look_up_by_code_and_receipt_digits_and_rating(client, zalo, tokens, files, world, citizen):
    chat, dossier = zalo_dossier(client, zalo, files, world, citizen, "zalo-131")
    dossier_accept(dossier=dossier, officer=world["officer"], at=timezone.now())
    dossier.refresh_from_db()
    stranger = chat_of(client, zalo, files, "zalo-132")
    stranger.text("3")
    stranger.text(f"{dossier.code} 000000" if lookup_secret(dossier.code) != "000000" else f"{dossier.code} 111111")
    assert "Không tìm thấy hồ sơ" in stranger.last()
    stranger.text("3")
    stranger.text(f"{dossier.code} {lookup_secret(dossier.code)}")
    assert stranger.last().startswith(f"{dossier.code} — ")
    # The applicant needs only the code.
    chat.text("3")
    chat.text(dossier.code)
    assert chat.last().startswith(f"{dossier.code} — ")
    chat.text("4")
    assert dossier.code in chat.last()

    chat.text("5")
    assert "chưa có hồ sơ nào có kết quả để đánh giá" in chat.last()
    type(dossier).objects.filter(pk=dossier.pk).update(result_issued_at=timezone.now())
    chat.text("5")
    assert "Nhìn chung bạn có hài lòng không?" in chat.last()
    chat.text("Hài lòng")
    for _question in range(5):
        chat.text("1")
    assert chat.last().startswith("Cảm ơn bạn đã đánh giá.")
    rating = ServiceRating.objects.get(dossier=dossier)
    assert rating.satisfied is True


def test_a_procedure_decided_where_the_applicant_lives_asks_the_ward(
    client, zalo, tokens, files, citizen, loaded_province
):
    """The commune's committee is competent by residence: the chat asks the ward, and the dossier goes there."""
    from onestop_tayninh.catalog.constants import CompetentBasis
    from onestop_tayninh.directory.constants import Tier
    from onestop_tayninh.directory.models import AdministrativeUnit, ReceptionDesk
    from onestop_tayninh.dossiers.selectors import competent_agency_for
    from tests.dossiers.test_competent_routing import procedure

    version = procedure(tier=Tier.COMMUNE, basis=CompetentBasis.RESIDENCE, anywhere=True)
    type(version).objects.filter(pk=version.pk).update(level=3, submission_methods=["desk", "post", "online"])
    chat = chat_of(client, zalo, files, "zalo-140")
    linked(chat, citizen)
    chat.text("2")
    chat.text(version.name)
    if "Bạn muốn nộp thủ tục nào?" in chat.last():
        chat.text("1")
    assert "Bạn nộp tại đâu?" in chat.last(), chat.last()
    chat.text("Bộ phận Một cửa phường Long Hoa")
    assert "Cơ quan giải quyết thủ tục này được xác định theo xã, phường bạn cư trú" in chat.last()
    chat.text("Sao Hỏa")
    assert "Không có xã, phường nào trong tỉnh tên “Sao Hỏa”" in chat.last()
    chat.text("long hoa")
    assert "MẶT SAU căn cước công dân" in chat.last()
    chat.text("Bỏ qua")
    for _requirement in version.documents.all():
        chat.photo(photo())
        chat.text("Xong")
    chat.text("Nộp hồ sơ")
    assert chat.last().startswith("Đã nộp hồ sơ"), chat.last()
    dossier = ZaloSubmission.objects.get(zalo_user__user_id="zalo-140").dossier
    assert dossier.receiving_desk == ReceptionDesk.objects.get(code="bpmc-hoathanh-longhoa")
    assert dossier.applicant_unit == AdministrativeUnit.objects.get(name="Phường Long Hoa")
    assert competent_agency_for(dossier).name == "Ủy ban nhân dân phường Long Hoa"
