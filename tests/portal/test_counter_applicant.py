"""Counter applicants without an account (issue 16, point 10): the receipt's signed link (status,
electronic result, one rating), the desk's rating kiosk, and the typed look-up's second factor."""

import time
from unittest import mock

import pytest

from django.core import signing
from django.core.cache import cache

from onestop_tayninh.dossiers.access import APPLICANT_SALT, applicant_token, dossier_for_token, kiosk_token
from onestop_tayninh.dossiers.constants import EventAction
from onestop_tayninh.dossiers.events import Rated, payload_of
from onestop_tayninh.dossiers.selectors import lookup_secret
from onestop_tayninh.portal.constants import RatingChannel
from onestop_tayninh.portal.models import ServiceRating
from onestop_tayninh.portal.services import dossier_rate_without_account
from onestop_tayninh.printing.form_contexts import form_context
from onestop_tayninh.security.models import AuditEvent
from tests.factories import DeskFactory
from tests.signing_support import draft_pdf
from tests.workflows.conftest import local, receive, user
from tests.workflows.test_paths import act

pytestmark = pytest.mark.django_db

ANSWERS = {"q_time": "2", "q_visits": "2", "q_agencies": "2", "q_conduct": "1", "q_guidance": "2"}


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


@pytest.fixture(autouse=True)
def _justice_keys(signing_keys):
    """Sở Tư pháp's certificate, for the records clerk's signature on the results."""
    signing_keys.issue("000.00.02.H53", "Sở Tư pháp tỉnh Tây Ninh")


def returned(world, *, electronic=True, at=None):
    """A walk-in dossier taken through the single-agency path to its result returned at the desk."""
    world["justice"].electronic_result_allowed = True
    world["justice"].save(update_fields=["electronic_result_allowed"])
    dossier = receive(world)
    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 0))
    dossier = act(dossier, "lanhdao.tuphap", "phan-cong", local(2027, 3, 1, 10, 0), assignee=user("chuyenvien.tuphap"))
    dossier = act(
        dossier,
        "chuyenvien.tuphap",
        "trinh-duyet",
        local(2027, 3, 2, 9, 0),
        result_file=draft_pdf(),
    )
    dossier = act(
        dossier,
        "lanhdao.tuphap",
        "phe-duyet",
        local(2027, 3, 3, 16, 0),
    )
    dossier = act(dossier, "vanthu.tuphap", "phat-hanh", local(2027, 3, 3, 16, 30), result_electronic=electronic)
    return act(dossier, "tiepnhan.tinh", "tra-ket-qua", at or local(2027, 3, 4, 8, 30))


def link(dossier) -> str:
    return f"/ho-so/{applicant_token(dossier)}/"


def rate(client, dossier, *, follow=False, **extra):
    data = {"satisfied": "yes", **ANSWERS, "comment": "Nhanh.", **extra}
    return client.post(link(dossier) + "danh-gia/", data, follow=follow)


# --- the signed link ------------------------------------------------------------------------------


def test_an_applicant_without_account_rates_through_the_receipt_link(client, world):
    dossier = returned(world)
    page = client.get(link(dossier))
    assert page.status_code == 200
    html = page.content.decode()
    assert dossier.code in html and "Đánh giá mức độ hài lòng" in html
    assert "tổng điểm tối đa 10 điểm" in html  # the scale, said before the questions
    assert "Lê Thị Hồng" not in html and "072190004567" not in html  # nothing personal on the page
    response = rate(client, dossier)
    assert response.status_code == 302
    rating = ServiceRating.objects.get(dossier=dossier)
    assert (rating.citizen, rating.channel, rating.satisfied, rating.score) == (None, RatingChannel.LINK, True, 9)
    event = dossier.events.get(action=EventAction.RATED)
    assert payload_of(event) == Rated(satisfied=True, score=9, channel=RatingChannel.LINK) and event.actor is None
    rated = client.get(link(dossier)).content.decode()
    assert "Hồ sơ đã được đánh giá" in rated and "Hài lòng · 9/10 điểm" in rated


def test_a_second_rating_shows_the_first_and_changes_nothing(client, world):
    dossier = returned(world)
    rate(client, dossier)
    response = rate(client, dossier, satisfied="no", follow=True)
    html = response.content.decode()
    assert "mỗi hồ sơ chỉ đánh giá một lần" in html and "Hồ sơ đã được đánh giá" in html
    rating = ServiceRating.objects.get(dossier=dossier)
    assert rating.satisfied is True
    assert dossier.events.filter(action=EventAction.RATED).count() == 1


def test_two_ratings_racing_leave_one(world):
    """The rating's one-to-one key settles a race the row lock did not see (a rating inserted between)."""
    dossier = returned(world)
    answers = {key[2:]: value for key, value in ANSWERS.items()}
    dossier_rate_without_account(dossier=dossier, satisfied=True, answers=answers, comment="", at=local(2027, 3, 4))
    from django.core.exceptions import ValidationError

    with (
        mock.patch("onestop_tayninh.portal.services.ServiceRating.objects.filter") as exists,
        mock.patch("onestop_tayninh.portal.services.can_rate", return_value=True),
    ):
        exists.return_value.exists.return_value = False  # the checks are fooled; the insert is not
        with pytest.raises(ValidationError) as refused:
            dossier_rate_without_account(
                dossier=dossier, satisfied=False, answers=answers, comment="", at=local(2027, 3, 4)
            )
    assert refused.value.code == "rated"
    assert ServiceRating.objects.filter(dossier=dossier).count() == 1


def test_no_rating_before_the_result(client, world):
    dossier = act(receive(world), "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 0))
    html = client.get(link(dossier)).content.decode()
    assert "sau khi hồ sơ có kết quả" in html and "Gửi đánh giá" not in html
    response = rate(client, dossier, follow=True)
    assert "Chỉ đánh giá được sau khi có kết quả giải quyết." in response.content.decode()
    assert not ServiceRating.objects.exists()


def test_a_tampered_or_foreign_token_opens_nothing(client, world):
    dossier = returned(world)
    token = applicant_token(dossier)
    forged = f"{dossier.pk + 1}" + token[len(str(dossier.pk)) :]
    for bad in (token[:-2] + "xx", forged, "1", signing.TimestampSigner(salt="other").sign(str(dossier.pk))):
        assert client.get(f"/ho-so/{bad}/").status_code == 404
        assert client.post(f"/ho-so/{bad}/danh-gia/", {"satisfied": "yes", **ANSWERS}).status_code == 404
        assert client.get(f"/ho-so/{bad}/ket-qua/").status_code == 404
    assert not ServiceRating.objects.exists()


def test_an_expired_token_opens_nothing(client, world, settings):
    dossier = returned(world)
    settings.ONESTOP_APPLICANT_LINK_DAYS = 30
    signed_long_ago = time.time() - 31 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=signed_long_ago):
        old = signing.TimestampSigner(salt=APPLICANT_SALT).sign(str(dossier.pk))
    assert client.get(f"/ho-so/{old}/").status_code == 404
    assert client.post(f"/ho-so/{old}/danh-gia/", {"satisfied": "yes", **ANSWERS}).status_code == 404
    assert not ServiceRating.objects.exists()


def test_the_electronic_result_downloads_through_the_link_and_is_audited(client, world):
    dossier = returned(world)
    assert "Tải kết quả điện tử" in client.get(link(dossier)).content.decode()
    response = client.get(link(dossier) + "ket-qua/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    row = AuditEvent.objects.get(action="download", object_id=str(dossier.pk))
    assert row.data["applicant_link"] is True and row.actor_id is None


def test_a_paper_only_result_is_not_downloadable(client, world):
    dossier = returned(world, electronic=False)
    assert "Tải kết quả điện tử" not in client.get(link(dossier)).content.decode()
    assert client.get(link(dossier) + "ket-qua/").status_code == 404


def test_the_link_pages_are_rate_limited(client, world, settings):
    dossier = returned(world)
    settings.ONESTOP_RATE_LIMITS = {**settings.ONESTOP_RATE_LIMITS, "applicant_link": (3, 600)}
    for _ in range(3):
        assert client.get(link(dossier)).status_code == 200
    assert client.get(link(dossier)).status_code == 429
    assert rate(client, dossier).status_code == 429
    assert not ServiceRating.objects.exists()


def test_the_printed_receipt_carries_the_applicant_link(world):
    dossier = receive(world)
    _names, context = form_context(dossier=dossier, kind="receipt")
    token = context["applicant_link"].split("/ho-so/", 1)[1].rstrip("/")
    assert context["applicant_link"].startswith("http") and dossier_for_token(token) == dossier
    assert context["applicant_qr"].startswith("data:image/png;base64,")
    assert context["lookup_address"].endswith("/tra-cuu/")
    assert context["lookup_secret"] == lookup_secret(dossier.code)


# --- the desk's kiosk -------------------------------------------------------------------------------


def at_kiosk(moment):
    """The kiosk's clock at `moment` (the session's own clock, and the rest of Django's, stay real)."""
    return mock.patch("onestop_tayninh.portal.applicant_views.timezone", mock.Mock(now=lambda: moment))


def kiosk_url(world):
    return f"/quay/{world['desk'].code}/danh-gia/"


@pytest.fixture
def kiosk_client(client, world):
    """A tablet that opened the desk's kiosk link once (then its cookie remembers the desk)."""
    response = client.get(kiosk_url(world) + "?may=" + kiosk_token(world["desk"].pk))
    assert response.status_code == 200
    return client


def test_the_kiosk_is_closed_to_strangers_and_opened_by_the_desks_link(client, world):
    assert client.get(kiosk_url(world)).status_code == 403
    assert client.get(kiosk_url(world) + "?may=" + kiosk_token(world["desk"].pk + 999)).status_code == 403
    assert client.get(kiosk_url(world) + "?may=" + kiosk_token(world["desk"].pk)).status_code == 200
    assert client.get(kiosk_url(world)).status_code == 200  # remembered, in a cookie of its own
    assert client.cookies["onestop_kiosk"]["max-age"] == 365 * 24 * 3600
    client.cookies["onestop_kiosk"] = kiosk_token(world["desk"].pk)[:-3] + "abc"  # tampered
    assert client.get(kiosk_url(world)).status_code == 403


def test_an_official_of_the_desk_opens_the_kiosk_and_gets_the_tablet_link(client, world):
    client.force_login(user("tiepnhan.tinh"))
    html = client.get(kiosk_url(world)).content.decode()
    assert "?may=" in html
    client.force_login(user("chuyenvien.tuphap"))  # an official of another agency, not of this desk
    assert client.get(kiosk_url(world)).status_code == 403


def test_kiosk_flow_pick_rate_and_reset(kiosk_client, world):
    dossier = returned(world, at=local(2027, 3, 4, 8, 30))
    with at_kiosk(local(2027, 3, 4, 9, 0)):
        start = kiosk_client.get(kiosk_url(world)).content.decode()
        assert dossier.code in start  # returned today at this desk: offered to pick
        page = kiosk_client.post(kiosk_url(world), {"code": dossier.code})
        assert page.status_code == 200 and "Gửi đánh giá" in page.content.decode()
        token = page.context["rating_hidden"][0][1]
        # The form names the dossier for this desk's rating only: no door to the result or the status.
        assert kiosk_client.get(f"/ho-so/{token}/").status_code == 404
        done = kiosk_client.post(kiosk_url(world), {"t": token, "satisfied": "no", **ANSWERS})
    html = done.content.decode()
    assert "Cảm ơn Ông/Bà đã đánh giá" in html
    assert 'http-equiv="refresh"' in html and kiosk_url(world) in html  # resets for the next person
    rating = ServiceRating.objects.get(dossier=dossier)
    assert (rating.channel, rating.desk, rating.satisfied) == (RatingChannel.KIOSK, world["desk"], False)
    with at_kiosk(local(2027, 3, 4, 9, 5)):
        assert dossier.code not in kiosk_client.get(kiosk_url(world)).content.decode()  # rated: off the list
        again = kiosk_client.post(kiosk_url(world), {"t": token, "satisfied": "yes", **ANSWERS})
    assert "mỗi hồ sơ chỉ đánh giá một lần" in again.content.decode()
    assert ServiceRating.objects.get(dossier=dossier).satisfied is False


def test_kiosk_takes_a_scanned_receipt_qr(kiosk_client, world):
    dossier = returned(world)
    scanned = f"http://127.0.0.1:8000/ho-so/{applicant_token(dossier)}/"
    page = kiosk_client.post(kiosk_url(world), {"code": scanned})
    assert page.status_code == 200 and dossier.code in page.content.decode()


def test_kiosk_refuses_a_typed_code_of_another_day_or_desk(kiosk_client, world):
    dossier = returned(world, at=local(2027, 3, 4, 8, 30))
    with at_kiosk(local(2027, 3, 9, 9, 0)):
        page = kiosk_client.post(kiosk_url(world), {"code": dossier.code})
    assert "Không tìm thấy hồ sơ cần đánh giá" in page.content.decode()
    other = DeskFactory()
    kiosk_client.get(f"/quay/{other.code}/danh-gia/?may=" + kiosk_token(other.pk))
    scanned = f"/ho-so/{applicant_token(dossier)}/"
    page = kiosk_client.post(f"/quay/{other.code}/danh-gia/", {"code": scanned})
    assert "Không tìm thấy hồ sơ cần đánh giá" in page.content.decode()
    token = applicant_token(dossier)
    assert (
        kiosk_client.post(f"/quay/{other.code}/danh-gia/", {"t": token, "satisfied": "yes", **ANSWERS}).status_code
        == 404
    )
    assert not ServiceRating.objects.exists()


# --- the typed look-up's second factor ----------------------------------------------------------------


def test_lookup_does_not_tell_whether_the_code_or_the_secret_was_wrong(client, world):
    dossier = receive(world)
    secret = lookup_secret(dossier.code)
    wrong = f"{(int(secret) + 1) % 10**6:06d}"
    wrong_digits = client.post("/tra-cuu/", {"code": dossier.code, "secret": wrong}).content.decode()
    cache.clear()
    wrong_code = client.post("/tra-cuu/", {"code": dossier.code[:-1] + "9", "secret": secret}).content.decode()
    answer = wrong_digits.split("</form>", 1)[1]
    assert "Không tìm thấy hồ sơ" in answer
    assert answer == wrong_code.split("</form>", 1)[1]


def test_lookup_of_one_code_is_limited_across_addresses(client, world):
    dossier = receive(world)
    for n in range(10):
        response = client.post("/tra-cuu/", {"code": dossier.code, "secret": f"{n:06d}"}, REMOTE_ADDR=f"10.0.0.{n}")
        assert response.status_code == 200
    right = client.post(
        "/tra-cuu/", {"code": dossier.code, "secret": lookup_secret(dossier.code)}, REMOTE_ADDR="10.0.1.1"
    )
    assert right.status_code == 429 and "quá nhiều lần" in right.content.decode()
