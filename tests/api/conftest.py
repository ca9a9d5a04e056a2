"""Connected systems for the API's tests: two bodies of the demo province, each with its own client."""

import base64

import pytest

from django.test import Client

from onestop_tayninh.api.constants import Scope
from onestop_tayninh.api.services import api_client_create
from onestop_tayninh.directory.models import Agency, Role
from tests.workflows import conftest as province
from tests.workflows.conftest import local, pdf, receive, user  # noqa: F401 - the API tests' helpers

ALL_SCOPES = list(Scope.values)
OTHER_AGENCY = "000.00.04.H53"  # Sở Xây dựng: never holds the centre's dossiers


def connect(*, name, agency, roles=("receiving_officer",), desks=(), scopes=ALL_SCOPES, rate=None):
    """A connected system with its client id and secret."""
    created = api_client_create(
        name=name,
        agency=agency,
        roles=Role.objects.filter(code__in=roles),
        desks=desks,
        scopes=scopes,
        rate_per_minute=rate,
    )
    return {"client": created.client, "client_id": created.client.application.client_id, "secret": created.secret}


def token_for(system, scope=None) -> str:
    """An access token from the token endpoint, as a system gets one (client credentials, HTTP Basic)."""
    basic = base64.b64encode(f"{system['client_id']}:{system['secret']}".encode()).decode()
    data = {"grant_type": "client_credentials"}
    if scope is not None:
        data["scope"] = scope
    response = Client().post("/api/v1/oauth/token/", data, HTTP_AUTHORIZATION=f"Basic {basic}")
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


class Api:
    """A Django test client that sends a bearer token and JSON."""

    def __init__(self, token: str | None) -> None:
        self.http = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    def get(self, path, params=None, **extra):
        return self.http.get(path, params or {}, **self.headers, **extra)

    def post(self, path, body=None, **extra):
        import json

        data = body if isinstance(body, str | bytes) else json.dumps(body or {})
        return self.http.post(
            path, data, content_type=extra.pop("content_type", "application/json"), **self.headers, **extra
        )

    def upload(self, path, data, **extra):
        return self.http.post(path, data, **self.headers, **extra)


@pytest.fixture
def world(loaded_province):
    """The workflow tests' province (tests/workflows/conftest.py): the centre's desk, two procedures."""
    return province.world.__wrapped__(loaded_province)


@pytest.fixture
def centre(world):
    """The provincial service centre's intake software: a receiving officer's reach at the centre, its desk."""
    desk = world["desk"]
    return connect(name="Phần mềm tiếp nhận của Trung tâm", agency=desk.agency, desks=[desk])


@pytest.fixture
def other_body(world):
    """Another body's system (Sở Xây dựng), with every scope: it must still see none of the centre's dossiers."""
    return connect(name="Phần mềm của Sở Xây dựng", agency=Agency.objects.get(code=OTHER_AGENCY))


@pytest.fixture
def centre_api(centre):
    return Api(token_for(centre))


@pytest.fixture
def other_api(other_body):
    return Api(token_for(other_body))
