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
