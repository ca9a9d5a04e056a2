"""Hand-overs between installations: the receiving side's connected system and a package to send it."""

import base64
import hashlib

import pytest

from onestop_tayninh.interconnect.models import PeerInstallation
from tests.api import conftest as api_fixtures
from tests.api.conftest import Api, connect, token_for
from tests.workflows.conftest import pdf

# The API tests' province and connected systems (tests/api/conftest.py).
world = api_fixtures.world
centre = api_fixtures.centre


def file_entry(data: bytes, name="to-khai.pdf", requirement=""):
    return {
        "name": name,
        "requirement": requirement,
        "content_type": "application/pdf",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "content": base64.b64encode(data).decode(),
    }


def package(version, *, code="000.00.99.H99-270301-0007", files=None):
    """A package as another installation sends it: one file per component of the procedure."""
    if files is None:
        files = [
            file_entry(pdf().read(), name=f"tp{n}.pdf", requirement=r.name)
            for n, r in enumerate(version.documents.all())
        ]
    return {
        "code": code,
        "procedure_code": version.procedure.code,
        "applicant": {"full_name": "Lê Thị Hồng", "cccd": "072190004567", "phone": "0912345678"},
        "form_data": {"ghi_chu": "Hồ sơ liên thông"},
        "due_at": "2099-03-20T17:00:00+07:00",
        "sender": {"agency_code": "000.00.99.H99", "agency_name": "Trung tâm Phục vụ hành chính công tỉnh Bình Dương"},
        "note": "Đề nghị giải quyết theo thẩm quyền.",
        "files": files,
    }


@pytest.fixture
def sender(world):
    """The other installation as a connected system of ours (scope handover:write) and a declared peer."""
    desk = world["desk"]
    system = connect(
        name="Hệ thống một cửa tỉnh Bình Dương", agency=desk.agency, desks=[desk], scopes=["handover:write"]
    )
    peer = PeerInstallation.objects.create(
        name="Hệ thống một cửa tỉnh Bình Dương",
        base_url="http://127.0.0.1:9",
        client_id="id-cua-tay-ninh",
        client_secret="khoa-bi-mat",
        api_client=system["client"],
    )
    peer.agencies.set([desk.agency])
    return {**system, "peer": peer, "api": Api(token_for(system))}
