"""A connected system subscribes to dossier events through the API: its own subscribers, its own bodies."""

import time

import pytest

from django.utils import timezone

from onestop_tayninh.api.constants import Scope
from onestop_tayninh.directory.models import Agency
from onestop_tayninh.webhooks import services
from onestop_tayninh.webhooks.models import Delivery, Subscriber
from tests.webhooks.conftest import CENTRE, receiver, verify_independently  # noqa: F401 - `receiver` is a fixture

from .conftest import OTHER_AGENCY, Api, connect, receive, token_for

pytestmark = pytest.mark.django_db

BASE = "/api/v1/webhooks/"


def register(api, receiver, **fields):  # noqa: F811
    body = {"name": "Thống kê của Trung tâm", "url": receiver.url, "event_kinds": ["accepted"], "agencies": [CENTRE]}
    body.update(fields)
    response = api.post(BASE, body)
    assert response.status_code == 201, response.content
    answer = response.json()
    receiver.secret = answer["secret"]
    return answer


def send_all():
    return services.deliveries_send(delivery_ids=Delivery.objects.order_by("pk").values_list("pk", flat=True))


def test_a_system_registers_hears_its_bodys_events_signed_and_replays(world, centre, centre_api, other_api, receiver):  # noqa: F811
    created = register(centre_api, receiver)
    assert created["secret"].startswith("whsec_") and created["secret_hint"] == created["secret"][-4:]
    assert created["agencies"] == [CENTRE] and created["event_kinds"] == ["accepted"] and created["active"]
    subscriber = Subscriber.objects.get(pk=created["id"])
    assert subscriber.api_client == centre["client"]
    # The secret is shown once: neither the list nor the record gives it again.
    shown = centre_api.get(f"{BASE}{created['id']}/").json()
    assert "secret" not in shown and shown["secret_hint"] == created["secret_hint"]
    assert all("secret" not in row for row in centre_api.get(BASE).json()["results"])
    # Another body's system subscribes to its own body: the centre's dossier is none of its business.
    other = other_api.post(
        BASE,
        {"name": "Thống kê Sở Xây dựng", "url": receiver.url, "event_kinds": ["accepted"], "agencies": [OTHER_AGENCY]},
    )
    assert other.status_code == 201, other.content

    dossier = receive(world)

    delivery = Delivery.objects.get()
    assert delivery.subscriber_id == created["id"] and delivery.payload["dossier_id"] == dossier.pk
    assert send_all()["delivered"] == 1
    [request] = receiver.received
    assert request.verified and request.event == "accepted" and request.delivery_id == str(delivery.uuid)

    page = centre_api.get(f"{BASE}{created['id']}/deliveries/").json()
    [row] = page["results"]
    assert row["delivery_id"] == str(delivery.uuid) and row["status"] == "delivered"
    assert row["attempts"] == 1 and row["last_status_code"] == 200 and row["next_attempt_at"] is None
    assert row["payload"]["dossier_code"] == dossier.code

    replayed = centre_api.post(f"{BASE}{created['id']}/deliveries/{delivery.pk}/replay/")
    assert replayed.status_code == 200, replayed.content
    assert replayed.json()["status"] == "queued" and replayed.json()["replay_count"] == 1
    assert replayed.json()["next_attempt_at"] is not None
    assert send_all()["delivered"] == 1
    assert receiver.ids() == [str(delivery.uuid)] * 2 and all(r.verified for r in receiver.received)


def test_deliveries_page_by_cursor(world, centre_api, receiver):  # noqa: F811
    created = register(centre_api, receiver, event_kinds=["started", "document_added", "accepted"])
    receive(world)
    receive(world)
    total = Delivery.objects.filter(subscriber_id=created["id"]).count()
    assert total >= 3
    seen, url = [], f"{BASE}{created['id']}/deliveries/?page_size=1"
    while url:
        page = centre_api.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert seen == sorted(seen, reverse=True) and len(seen) == total


def test_another_system_neither_sees_nor_changes_a_systems_subscribers(world, centre_api, other_api, receiver):  # noqa: F811
    created = register(centre_api, receiver)
    receive(world)
    delivery = Delivery.objects.get()
    # The desk's own subscriber is no client's either.
    desk_own, _secret = services.subscriber_create(
        name="Của quản trị viên",
        url=receiver.url,
        event_kinds=["accepted"],
        agencies=Agency.objects.filter(code=CENTRE),
        at=timezone.now(),
    )
    for pk in (created["id"], desk_own.pk):
        one = f"{BASE}{pk}/"
        assert other_api.get(one).status_code == 404
        assert (
            other_api.http.patch(
                one, '{"active": false}', content_type="application/json", **other_api.headers
            ).status_code
            == 404
        )
        assert other_api.http.delete(one, **other_api.headers).status_code == 404
        assert other_api.post(f"{one}rotate-secret/").status_code == 404
        assert other_api.get(f"{one}deliveries/").status_code == 404
    assert other_api.post(f"{BASE}{created['id']}/deliveries/{delivery.pk}/replay/").status_code == 404
    assert other_api.get(BASE).json()["results"] == []
    assert [row["id"] for row in centre_api.get(BASE).json()["results"]] == [created["id"]]
    assert centre_api.get(f"{BASE}{desk_own.pk}/").status_code == 404
    # Nothing moved.
    subscriber = Subscriber.objects.get(pk=created["id"])
    assert subscriber.active and subscriber.secret == receiver.secret
    assert Delivery.objects.get().replay_count == 0


def test_the_scope_is_needed(world, centre, receiver):  # noqa: F811
    narrow = Api(token_for(centre, scope=Scope.DOSSIERS_READ))
    assert narrow.get(BASE).status_code == 403
    denied = narrow.post(BASE, {"name": "X", "url": receiver.url, "event_kinds": ["accepted"], "agencies": [CENTRE]})
    assert denied.status_code == 403 and denied["Content-Type"] == "application/problem+json"
    assert "webhooks:manage" in denied.json()["detail"]
    without = connect(name="Không được đăng ký", agency=Agency.objects.get(code=CENTRE), scopes=[Scope.DOSSIERS_READ])
    assert Api(token_for(without)).get(BASE).status_code == 403
    assert not Subscriber.objects.exists()


def test_a_system_may_only_choose_bodies_it_may_see(world, centre_api, receiver):  # noqa: F811
    refused = centre_api.post(
        BASE,
        {"name": "Nghe trộm", "url": receiver.url, "event_kinds": ["accepted"], "agencies": [CENTRE, OTHER_AGENCY]},
    )
    assert refused.status_code == 422, refused.content
    assert OTHER_AGENCY in refused.json()["errors"]["agencies"][0]
    assert not Subscriber.objects.exists()
    created = register(centre_api, receiver)
    widened = centre_api.http.patch(
        f"{BASE}{created['id']}/",
        f'{{"agencies": ["{CENTRE}", "{OTHER_AGENCY}"]}}',
        content_type="application/json",
        **centre_api.headers,
    )
    assert widened.status_code == 422, widened.content
    assert list(Subscriber.objects.get().agencies.values_list("code", flat=True)) == [CENTRE]


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"url": "http://thongke.tayninh.gov.vn/su-kien"}, "url", "https://"),
        ({"url": "ftp://127.0.0.1/su-kien"}, "url", "Địa chỉ nhận"),
        ({"url": "https://nguoi:matkhau@thongke.tayninh.gov.vn/"}, "url", "mật khẩu"),
        ({"event_kinds": ["opened"]}, "event_kinds.0", "loại sự kiện"),
        ({"event_kinds": []}, "event_kinds", "ít nhất một loại sự kiện"),
        ({"agencies": ["000.99.99.H53"]}, "agencies", "Không có cơ quan"),
        ({"agencies": []}, "agencies", "ít nhất một cơ quan"),
        ({"secret": "whsec_cua-toi"}, "secret", "Trường không được hỗ trợ"),
    ],
)
def test_bad_input_is_refused_in_vietnamese_and_writes_nothing(world, centre_api, receiver, fields, field, words):  # noqa: F811
    body = {"name": "Thống kê", "url": receiver.url, "event_kinds": ["accepted"], "agencies": [CENTRE], **fields}
    response = centre_api.post(BASE, body)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    answer = response.json()
    assert answer["title"] == "Yêu cầu không hợp lệ"
    assert any(words in message for message in answer["errors"][field]), answer
    assert not Subscriber.objects.exists()


def test_a_taken_name_is_refused(world, centre_api, other_api, receiver):  # noqa: F811
    register(centre_api, receiver, name="Thống kê")
    again = other_api.post(
        BASE, {"name": "Thống kê", "url": receiver.url, "event_kinds": ["accepted"], "agencies": [OTHER_AGENCY]}
    )
    assert again.status_code == 422 and again.json()["errors"]["name"] == ["Đã có hệ thống nhận mang tên này."]
    assert Subscriber.objects.count() == 1


def test_a_rotated_secret_signs_what_follows(world, centre_api, receiver):  # noqa: F811
    created = register(centre_api, receiver)
    old = created["secret"]
    rotated = centre_api.post(f"{BASE}{created['id']}/rotate-secret/")
    assert rotated.status_code == 200, rotated.content
    new = rotated.json()["secret"]
    assert new != old and rotated.json()["secret_hint"] == new[-4:]
    assert "secret" not in centre_api.get(f"{BASE}{created['id']}/").json()
    receive(world)
    receiver.secret = new
    send_all()
    [request] = receiver.received
    assert request.verified
    assert not verify_independently(request.signature, request.body, old, now=time.time())


def test_delete_pauses_and_patch_resumes(world, centre_api, receiver):  # noqa: F811
    created = register(centre_api, receiver)
    one = f"{BASE}{created['id']}/"
    assert centre_api.http.delete(one, **centre_api.headers).status_code == 204
    assert centre_api.get(one).json()["active"] is False  # kept, with its deliveries: paused, not deleted
    receive(world)
    assert not Delivery.objects.exists()
    resumed = centre_api.http.patch(
        one,
        '{"active": true, "event_kinds": ["accepted", "transition"]}',
        content_type="application/json",
        **centre_api.headers,
    )
    assert resumed.status_code == 200, resumed.content
    assert resumed.json()["active"] is True and resumed.json()["event_kinds"] == ["accepted", "transition"]
    assert resumed.json()["name"] == created["name"] and resumed.json()["agencies"] == [CENTRE]


def test_a_switched_off_client_hears_nothing(world, centre, centre_api, receiver):  # noqa: F811
    register(centre_api, receiver)
    centre["client"].is_active = False
    centre["client"].save()
    receive(world)
    assert not Delivery.objects.exists()


def test_a_client_moved_to_another_body_no_longer_hears_its_old_bodys_dossiers(world, centre, centre_api, receiver):  # noqa: F811
    """The reach check at registration holds on every event: the client's account moved away from the
    centre, its subscriber (which chose the centre) hears nothing more of the centre's dossiers."""
    register(centre_api, receiver)
    receive(world)
    assert Delivery.objects.count() == 1
    official = centre["client"].user.official
    official.agency = Agency.objects.get(code=OTHER_AGENCY)
    official.save()
    official.desks.clear()
    receive(world)
    assert Delivery.objects.count() == 1
