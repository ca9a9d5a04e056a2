"""Committed transactions: two workers racing for the same deliveries, and the real RQ worker path."""

from __future__ import annotations

import pytest
from redis import Redis
from rq import Queue

from django.utils import timezone

from onestop_tayninh.webhooks import services
from onestop_tayninh.webhooks.models import Delivery
from tests.support import RedisServer, SimpleBurstWorker, at_once
from tests.workflows.conftest import local, receive, world  # noqa: F401 - `world` is a fixture

from .conftest import subscribe

AT = local(2027, 3, 1, 8, 0)


@pytest.mark.django_db(transaction=True)
def test_two_workers_handed_the_same_deliveries_post_each_exactly_once(world, receiver):  # noqa: F811
    for number in range(3):
        subscribe(receiver, name=f"Hệ thống {number}")  # one secret each; the receiver checks the last one
    receive(world, at=AT)
    receive(world, at=AT)
    ids = list(Delivery.objects.values_list("pk", flat=True))
    assert len(ids) == 6

    first, second = at_once(
        lambda: services.deliveries_send(delivery_ids=ids),
        lambda: services.deliveries_send(delivery_ids=list(reversed(ids))),
    )

    assert first["delivered"] + second["delivered"] == 6
    assert first["skipped"] + second["skipped"] == 6
    uuids = {str(value) for value in Delivery.objects.values_list("uuid", flat=True)}
    assert sorted(receiver.ids()) == sorted(uuids)  # each posted once, none twice
    assert set(Delivery.objects.values_list("status", "attempts")) == {("delivered", 1)}


@pytest.mark.django_db(transaction=True)
def test_an_acceptance_reaches_the_receiver_through_the_rq_worker_and_the_sweep(world, receiver, settings):  # noqa: F811
    """Committed: the delivery is handed to RQ on commit and a worker posts it; a 500 is retried by
    the sweep's hand-over once due."""
    redis_server = RedisServer().start()
    try:
        settings.RQ_QUEUES = {name: {"URL": redis_server.url} for name in ("default", "notifications", "reports")}
        connection = Redis.from_url(redis_server.url)

        def work() -> None:
            SimpleBurstWorker([Queue("default", connection=connection)], connection=connection).work(burst=True)

        subscribe(receiver)
        receiver.script = [500]
        dossier = receive(world, at=AT)
        delivery = Delivery.objects.get()
        work()
        delivery.refresh_from_db()
        assert delivery.status == "queued" and delivery.attempts == 1 and delivery.last_status_code == 500

        assert services.deliveries_dispatch_due(at=timezone.now()) == 0  # the back-off has not passed
        assert services.deliveries_dispatch_due(at=delivery.next_attempt_at) == 1
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())  # the wait is over
        work()
        delivery.refresh_from_db()
        assert delivery.status == "delivered" and delivery.attempts == 2
        assert [request.payload["dossier_code"] for request in receiver.received] == [dossier.code] * 2
        assert all(request.verified for request in receiver.received)
    finally:
        redis_server.stop()
