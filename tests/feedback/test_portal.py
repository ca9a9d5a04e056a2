"""The portal's PAKN pages: sending (anonymous or logged in, about a dossier or a body), bad input, the
tracker, the citizen's own pages, and the public list that shows no personal data."""

import pytest

from django.urls import reverse
from django.utils import timezone

from onestop_tayninh.dossiers.selectors import lookup_secret
from onestop_tayninh.feedback import selectors, services
from onestop_tayninh.feedback.constants import FeedbackChannel, FeedbackStatus
from onestop_tayninh.feedback.models import Feedback
from tests.factories import CitizenFactory

from .conftest import submit

pytestmark = pytest.mark.django_db

SUBMIT = reverse("feedback:submit")
NOT_FOUND = "Không tìm thấy hồ sơ khớp với mã hồ sơ và mã tra cứu đã nhập"


def form(**changes):
    data = {
        "kind": "complaint",
        "title": "Cán bộ hẹn nhiều lần",
        "content": "Tôi đến ba lần vẫn chưa được giải quyết.",
        "agency": "",
        "dossier_code": "",
        "dossier_secret": "",
        "full_name": "Trần Văn Bình",
        "phone": "0987 654 321",
        "email": "binh@example.vn",
    }
    data.update(changes)
    return data


def test_an_anonymous_sender_gets_the_code_and_the_tracking_digits(client, world):
    assert client.get(SUBMIT).status_code == 200
    response = client.post(SUBMIT, form(agency=world["body"].pk, publish_consent="on"), follow=True)
    feedback = Feedback.objects.get()
    assert (feedback.channel, feedback.citizen, feedback.agency, feedback.phone) == (
        FeedbackChannel.ONLINE,
        None,
        world["body"],
        "0987654321",
    )
    page = response.content.decode()
    assert feedback.code in page and selectors.tracking_secret(feedback.code) in page
    # The digits are in the page, never in an address.
    assert all(selectors.tracking_secret(feedback.code) not in url for url, _status in response.redirect_chain)


def test_bad_input_is_answered_in_vietnamese_and_nothing_is_saved(client, world):
    cases = [
        (form(agency=world["body"].pk, content="x" * 100_000), "vượt quá 5000 ký tự"),
        (form(agency=world["body"].pk, full_name="", phone=""), "Hãy nhập họ và tên"),
        (form(agency=world["body"].pk, phone="12345"), "Số điện thoại không hợp lệ"),
        (form(), "Hãy nêu mã hồ sơ hoặc chọn cơ quan tiếp nhận"),
    ]
    for data, message in cases:
        response = client.post(SUBMIT, data)
        assert response.status_code == 200 and message in response.content.decode(), message
    assert not Feedback.objects.exists()


def test_an_unknown_code_or_wrong_digits_get_the_public_lookups_answer(client, world):
    dossier = world["dossier"]
    right = lookup_secret(dossier.code)
    wrong = "000000" if right != "000000" else "111111"
    for code, digits in (("000.00.01.T99-260420-9999", right), (dossier.code, wrong), (dossier.code, "")):
        response = client.post(SUBMIT, form(dossier_code=code, dossier_secret=digits))
        assert NOT_FOUND in response.content.decode()
    assert not Feedback.objects.exists()
    client.post(SUBMIT, form(dossier_code=dossier.code.lower(), dossier_secret=right))
    assert Feedback.objects.get().dossier == dossier
    assert Feedback.objects.get().agency == world["body"]  # the dossier's body, none chosen


def test_a_logged_in_citizen_is_prefilled_and_names_their_own_dossier_from_its_page(client, world):
    citizen, dossier = world["citizen"], world["dossier"]
    client.force_login(citizen)
    dossier_page = client.get(reverse("portal:my_dossier", args=[dossier.pk])).content.decode()
    link = f"{SUBMIT}?ho-so={dossier.pk}"
    assert f'href="{link}"' in dossier_page
    page = client.get(link).content.decode()
    assert "Nguyễn Thị Lan" in page and "0912345678" in page and dossier.code in page
    response = client.post(
        link,
        {
            "own_dossier": dossier.pk,
            "kind": "complaint",
            "title": "Chậm",
            "content": "Quá hẹn hai ngày.",
            "phone": "0912345678",
            "full_name": "Nguyễn Thị Lan",
        },
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.citizen, feedback.dossier, feedback.full_name) == (citizen, dossier, "Nguyễn Thị Lan")
    # Another citizen cannot name it by its id.
    client.force_login(CitizenFactory().user)
    client.post(f"{SUBMIT}?ho-so={dossier.pk}", {"own_dossier": dossier.pk, **form()})
    assert Feedback.objects.count() == 1


def test_sending_is_rate_limited(client, world, settings):
    settings.ONESTOP_RATE_LIMITS = {**settings.ONESTOP_RATE_LIMITS, "feedback": (2, 3600)}
    for _ in range(2):
        assert client.post(SUBMIT, form(agency=world["body"].pk)).status_code == 302
    assert client.post(SUBMIT, form(agency=world["body"].pk)).status_code == 429
    assert Feedback.objects.count() == 2


@pytest.fixture
def published(world):
    feedback = submit(
        world,
        title="<script>alert('tieu de')</script> Chậm trả kết quả",
        content="Nội dung <img src=x onerror=alert(1)>",
        email="lan@example.vn",
        publish_consent=True,
    )
    services.feedback_accept(feedback=feedback, official=world["head"], at=timezone.now())
    services.feedback_answer(
        feedback=feedback, official=world["head"], answer="Đã trả kết quả <b>ngày 5/5</b>.", at=timezone.now()
    )
    return services.feedback_publish(feedback=feedback, official=world["head"], at=timezone.now())


def test_the_public_list_shows_answers_without_personal_data(client, world, published, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        page = client.get(reverse("feedback:public")).content.decode()
    assert published.code in page and "Đã trả kết quả" in page and "N. T. L." in page
    for private in ("Nguyễn Thị Lan", "0912345678", "lan@example.vn", world["dossier"].code):
        assert private not in page
    # Typed markup is shown as text, never run.
    assert "<script>alert('tieu de')</script>" not in page and "&lt;script&gt;" in page
    assert "<img src=x" not in page and "<b>ngày 5/5</b>" not in page
    assert published.code in client.get(reverse("feedback:public"), {"q": "trả kết quả"}).content.decode()
    assert published.code not in client.get(reverse("feedback:public"), {"q": "xây dựng"}).content.decode()


def test_the_tracker_shows_the_state_by_code_and_the_answer_with_the_digits(client, world):
    feedback = submit(world, title="Riêng tư", dossier=None, agency=world["body"])
    services.feedback_accept(feedback=feedback, official=world["head"], at=timezone.now())
    services.feedback_answer(feedback=feedback, official=world["head"], answer="Câu trả lời riêng.", at=timezone.now())
    by_code = client.get(reverse("feedback:tracker"), {"ma": feedback.code.lower()}).content.decode()
    assert "Đã trả lời" in by_code and world["body"].name in by_code
    assert "Riêng tư" not in by_code and "Câu trả lời riêng." not in by_code and "Nguyễn Thị Lan" not in by_code
    secret = selectors.tracking_secret(feedback.code)
    with_digits = client.post(reverse("feedback:tracker"), {"code": feedback.code, "secret": secret}).content.decode()
    assert "Câu trả lời riêng." in with_digits and "Nguyễn Thị Lan" not in with_digits
    unknown = client.get(reverse("feedback:tracker"), {"ma": "PAKN-2604-999999"}).content.decode()
    assert "Không tìm thấy phản ánh, kiến nghị" in unknown


def test_the_citizens_own_pages_rate_and_supply_information(client, world):
    citizen = world["citizen"]
    feedback = submit(world, at=timezone.now())
    services.feedback_accept(feedback=feedback, official=world["head"], at=timezone.now())
    services.feedback_request_info(feedback=feedback, official=world["head"], question="Ngày nộp?", at=timezone.now())
    client.force_login(citizen)
    assert feedback.code in client.get(reverse("feedback:own_list")).content.decode()
    own = reverse("feedback:own", args=[feedback.pk])
    assert "Ngày nộp?" in client.get(own).content.decode()
    client.post(reverse("feedback:supply", args=[feedback.pk]), {"text": "Nộp ngày 20/4."})
    assert Feedback.objects.get(pk=feedback.pk).status == FeedbackStatus.ACCEPTED
    services.feedback_answer(feedback=feedback, official=world["head"], answer="Đã xử lý.", at=timezone.now())
    assert "Bạn có hài lòng với câu trả lời?" in client.get(own).content.decode()
    client.post(reverse("feedback:rate", args=[feedback.pk]), {"liked": "0"})
    assert Feedback.objects.get(pk=feedback.pk).answer_liked is False
    # Someone else's: 404, and their rating changes nothing.
    client.force_login(CitizenFactory().user)
    assert client.get(own).status_code == 404
    assert client.post(reverse("feedback:rate", args=[feedback.pk]), {"liked": "1"}).status_code == 404
    assert Feedback.objects.get(pk=feedback.pk).answer_liked is False
