"""The desk's pages: an administrator registers a system (the secret shown once), pauses it, rotates
its secret, reads its deliveries as labelled fields and sends one again."""

from __future__ import annotations

import pytest

from django.utils import timezone

from onestop_tayninh.directory.models import Agency
from onestop_tayninh.webhooks import services
from onestop_tayninh.webhooks.models import Delivery, Subscriber
from tests.workflows.conftest import local, receive, user, world  # noqa: F401 - `world` is a fixture

from .conftest import CENTRE, subscribe

pytestmark = pytest.mark.django_db

ADMIN = "quantri"  # the system administrator's role (directory.roles SYSTEM_ADMIN)
ADD = "/desk/webhooks/subscriber/add/"


def form(**changes):
    data = {
        "name": "Hệ thống thống kê của Sở Tư pháp",
        "url": "https://thongke.tayninh.gov.vn/su-kien",
        "event_kinds": ["accepted", "transition"],
        "agencies": [Agency.objects.get(code=CENTRE).pk],
        "active": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"url": "thongke.tayninh.gov.vn su kien"}, "Địa chỉ nhận không hợp lệ"),
        ({"url": "ftp://thongke.tayninh.gov.vn/su-kien"}, "Địa chỉ nhận phải là một địa chỉ https://… đầy đủ."),
        (
            {"url": "http://thongke.tayninh.gov.vn/su-kien"},
            "Chỉ địa chỉ trên chính máy chủ (127.0.0.1, localhost) mới được dùng http://",
        ),
        ({"url": "https://nguoi:matkhau@thongke.tayninh.gov.vn/"}, "không được chứa tên đăng nhập hay mật khẩu"),
        ({"event_kinds": None}, "Hãy chọn ít nhất một loại sự kiện."),
        ({"event_kinds": ["accepted", "khong-co"]}, "Hãy chọn một lựa chọn hợp lệ"),
        ({"agencies": None}, "Hãy chọn ít nhất một cơ quan."),
        ({"name": ""}, "Trường này là bắt buộc."),
    ],
)
def test_bad_input_in_the_desk_is_answered_in_vietnamese_and_registers_nothing(
    client, loaded_province, changes, message
):
    client.force_login(user(ADMIN))
    response = client.post(ADD, form(**changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Subscriber.objects.exists()


def test_plain_http_is_refused_in_production_even_on_loopback(client, loaded_province, settings):
    settings.ONESTOP_WEBHOOKS_ALLOW_LOOPBACK_HTTP = False
    client.force_login(user(ADMIN))
    response = client.post(ADD, form(url="http://127.0.0.1:9000/su-kien"))
    assert "Địa chỉ nhận phải dùng https://" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_the_secret_is_shown_once_kept_sealed_and_rotated(client, loaded_province):
    client.force_login(user(ADMIN))
    response = client.post(ADD, form())
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    subscriber = Subscriber.objects.get()
    secret = subscriber.secret
    assert secret.startswith("whsec_") and f'<code id="webhook-secret">{secret}</code>' in response.content.decode()
    assert secret not in subscriber.secret_sealed and subscriber.secret_hint == secret[-4:]
    assert subscriber.event_kinds == ["accepted", "transition"]
    assert list(subscriber.agencies.values_list("code", flat=True)) == [CENTRE]

    page = client.get(f"/desk/webhooks/subscriber/{subscriber.pk}/change/").content.decode()
    assert secret not in page and secret[-4:] in page  # never shown again, only its last characters

    response = client.post(
        "/desk/webhooks/subscriber/", {"action": "rotate_secret", "_selected_action": [subscriber.pk]}
    )
    subscriber.refresh_from_db()
    assert subscriber.secret != secret and subscriber.secret in response.content.decode()


def test_editing_a_system_keeps_its_secret_and_takes_none_from_the_form(client, loaded_province):
    client.force_login(user(ADMIN))
    client.post(ADD, form())
    subscriber = Subscriber.objects.get()
    secret, sealed = subscriber.secret, subscriber.secret_sealed
    response = client.post(
        f"/desk/webhooks/subscriber/{subscriber.pk}/change/",
        form(url="https://thongke2.tayninh.gov.vn/su-kien", event_kinds=["refused"], secret_sealed="abc", secret="abc"),
    )
    assert response.status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.url == "https://thongke2.tayninh.gov.vn/su-kien" and subscriber.event_kinds == ["refused"]
    assert subscriber.secret == secret and subscriber.secret_sealed == sealed


def test_pause_and_resume_from_the_list(client, loaded_province):
    client.force_login(user(ADMIN))
    client.post(ADD, form())
    subscriber = Subscriber.objects.get()
    client.post("/desk/webhooks/subscriber/", {"action": "pause", "_selected_action": [subscriber.pk]})
    subscriber.refresh_from_db()
    assert not subscriber.active
    client.post("/desk/webhooks/subscriber/", {"action": "resume", "_selected_action": [subscriber.pk]})
    subscriber.refresh_from_db()
    assert subscriber.active


def test_the_deliveries_of_a_system_read_as_fields_and_one_is_sent_again(client, world, receiver):  # noqa: F811
    subscriber = subscribe(receiver)
    dossier = receive(world, at=local(2027, 3, 1, 8, 0))
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(status="failed", attempts=10, last_status_code=503)
    client.force_login(user(ADMIN))

    listing = client.get(f"/desk/webhooks/delivery/?subscriber__id__exact={subscriber.pk}").content.decode()
    assert dossier.code in listing and "Gửi không được" in listing and "503" in listing

    page = client.get(f"/desk/webhooks/delivery/{delivery.pk}/change/").content.decode()
    assert "Mã hồ sơ" in page and "Tiếp nhận hồ sơ (Mẫu 01)" in page and "Ngày hẹn trả" in page
    assert '"dossier_code"' not in page and "{&quot;" not in page  # no raw JSON

    response = client.post(
        "/desk/webhooks/delivery/", {"action": "replay", "_selected_action": [delivery.pk]}, follow=True
    )
    assert "Đã đưa 1 lượt gửi vào hàng đợi gửi lại (cùng mã lượt gửi)." in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == "queued" and delivery.replay_count == 1
    assert Delivery.objects.count() == 1


def test_a_system_registered_through_the_api_keeps_to_its_reach_in_the_desk(client, loaded_province):
    """The administrator may edit a client's subscriber, never widen it past the client's own bodies."""
    from tests.api.conftest import connect

    from .conftest import ELSEWHERE

    centre = Agency.objects.get(code=CENTRE)
    api_client = connect(name="Phần mềm của Trung tâm", agency=centre)["client"]
    subscriber, _secret = services.subscriber_create(
        name="Thống kê của Trung tâm",
        url="https://thongke.tayninh.gov.vn/su-kien",
        event_kinds=["accepted"],
        agencies=[centre],
        at=timezone.now(),
        api_client=api_client,
    )
    client.force_login(user(ADMIN))
    elsewhere = Agency.objects.get(code=ELSEWHERE)
    response = client.post(
        f"/desk/webhooks/subscriber/{subscriber.pk}/change/",
        form(name=subscriber.name, agencies=[centre.pk, elsewhere.pk]),
    )
    assert response.status_code == 200
    assert f"Hệ thống không được nhận sự kiện hồ sơ của cơ quan: {ELSEWHERE}." in response.content.decode()
    assert list(subscriber.agencies.values_list("code", flat=True)) == [CENTRE]
    listing = client.get("/desk/webhooks/subscriber/").content.decode()
    assert "Phần mềm của Trung tâm" in listing  # the owner shown in the list
