"""Schemathesis over the whole contract: generated requests for every operation, against the WSGI app.

No answer is a server error, and every answer (errors included) conforms to the schema: its status is
documented, its content type, headers and body are the documented ones. Examples are few per operation
and drawn the same way each run (derandomized), to keep the test near half a minute; the data includes a
received dossier the client may see, so the dossier paths meet a real one as well as missing ones.
"""

import json
from contextlib import contextmanager

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone

from onestop_tayninh.directory.models import Agency
from onestop_tayninh.webhooks.models import Delivery
from onestop_tayninh.webhooks.services import subscriber_create

from .conftest import receive, token_for

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 12


@contextmanager
def in_test_transaction():
    """Django's WSGI handler closes the database connection after each request; the test client stops
    that for its own requests, and so does this for the generated ones: they run in the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_every_operation_answers_within_its_contract(world, centre):
    centre["client"].rate_per_minute = 100_000
    centre["client"].save()
    subscriber, _secret = subscriber_create(
        name="Thống kê của Trung tâm",
        url="http://127.0.0.1:9/su-kien",
        event_kinds=["accepted"],
        agencies=[Agency.objects.get(pk=world["desk"].agency_id)],
        at=timezone.now(),
        api_client=centre["client"],
    )
    dossier = receive(world)
    token = token_for(centre)
    # Besides the generated values, every path is called once with a record that exists.
    real = {
        "id": dossier.pk,
        "code": world["justice"].procedure.code,
        "subscriber_id": subscriber.pk,
        "delivery_id": Delivery.objects.get(subscriber=subscriber).pk,
    }
    raw = json.loads(Client().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content)
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = WSGIHandler()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 24
    failures, statuses = [], []
    with in_test_transaction():
        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            def run(case):
                response = case.call(headers={"Authorization": f"Bearer {token}"})
                case.validate_response(response, checks=CHECKS)

            def existing(operation=operation):
                names = [parameter.name for parameter in operation.path_parameters]
                case = operation.Case(path_parameters={name: real[name] for name in names})
                response = case.call(headers={"Authorization": f"Bearer {token}"})
                case.validate_response(response, checks=CHECKS)
                return response.status_code

            try:
                run()
                statuses.append(existing())
            except Exception as exc:  # noqa: BLE001 - every operation's failure is reported together
                failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
    assert statuses.count(200) >= 6, statuses
