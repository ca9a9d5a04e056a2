"""Two servers of one client send the same create at once: one dossier, both answered with it."""

import pytest

from onestop_tayninh.api.models import IdempotencyKey
from onestop_tayninh.dossiers.models import Dossier
from tests.support import at_once

from .conftest import Api, token_for
from .test_writes import new_dossier

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_create_replayed_concurrently_makes_one_dossier(world, centre):
    token = token_for(centre)
    body = new_dossier(world)

    def send():
        return Api(token).post("/api/v1/dossiers/", body, HTTP_IDEMPOTENCY_KEY="dong-thoi")

    before = Dossier.objects.count()
    first, second = at_once(send, send)
    assert sorted([first.status_code, second.status_code]) == [200, 201], (first.content, second.content)
    assert first.json()["id"] == second.json()["id"]
    assert Dossier.objects.count() == before + 1
    assert IdempotencyKey.objects.filter(client=centre["client"]).count() == 1


def test_concurrent_accepted_creates_take_consecutive_unique_codes(world, centre):
    """Creates that accept at once (a procedure needing no document): the desk's code counter, shared."""
    version = world["justice"]
    version.documents.all().delete()
    token = token_for(centre)

    def send(n):
        body = new_dossier(world, decision="accept")
        body["applicant"]["cccd"] = f"07209123450{n}"
        return lambda: Api(token).post("/api/v1/dossiers/", body)

    responses = at_once(*(send(n) for n in range(4)))
    assert [response.status_code for response in responses] == [201] * 4, [r.content for r in responses]
    codes = sorted(response.json()["code"] for response in responses)
    numbers = [int(code.rsplit("-", 1)[1]) for code in codes]
    assert numbers == list(range(numbers[0], numbers[0] + 4))


def test_two_registrations_of_one_name_at_once_make_one_subscriber(world, centre):
    """The name is unique: the second insert, past the check, is refused in Vietnamese, never a 500."""
    from onestop_tayninh.webhooks.models import Subscriber

    token = token_for(centre)
    body = {
        "name": "Thống kê đồng thời",
        "url": "http://127.0.0.1:9/su-kien",
        "event_kinds": ["accepted"],
        "agencies": [world["desk"].agency.code],
    }

    def send():
        return Api(token).post("/api/v1/webhooks/", body)

    first, second = at_once(send, send)
    assert sorted([first.status_code, second.status_code]) == [201, 422], (first.content, second.content)
    refused = first if first.status_code == 422 else second
    assert refused.json()["errors"]["name"] == ["Đã có hệ thống nhận mang tên này."]
    assert Subscriber.objects.filter(name=body["name"]).count() == 1
