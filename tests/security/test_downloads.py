"""Every file handed out and every export leaves an audit row: desk, printing, registers, portal, catalogue."""

import ast
import datetime as dt
from pathlib import Path

import pytest
from import_export.formats.base_formats import XLSX

from django.contrib import admin
from django.core.files.base import ContentFile
from django.test import RequestFactory
from django.urls import reverse

from onestop_tayninh.catalog.models import ProcedureVersion
from onestop_tayninh.printing.constants import ExportStatus
from onestop_tayninh.printing.models import RegisterExport
from onestop_tayninh.printing.services import document_generate
from onestop_tayninh.security.constants import AuditAction
from onestop_tayninh.security.models import AuditEvent
from tests.factories import UserFactory
from tests.portal.conftest import citizen, filled_draft, online, world  # noqa: F401 - fixtures and helpers
from tests.portal.test_my_dossiers import _justice_keys, with_result  # noqa: F401 - fixture: results are signed
from tests.support import tiny_pdf
from tests.workflows.conftest import local, user

pytestmark = pytest.mark.django_db

PACKAGE = Path(__file__).resolve().parents[2] / "apps" / "onestop_tayninh" / "onestop_tayninh"


@pytest.fixture
def files(online, citizen):  # noqa: F811
    """A citizen's decided dossier (documents, result, vault, a receipt), an open draft, a finished register."""
    dossier = with_result(online, citizen)
    receipt = document_generate(dossier=dossier, kind="receipt", at=local(2027, 3, 1, 9, 0))
    draft = filled_draft(online, citizen, at=local(2027, 3, 4, 8, 0))
    clerk = user("tiepnhan.tinh")
    export = RegisterExport(
        desk=online["desk"],
        date_from=dt.date(2027, 3, 1),
        date_to=dt.date(2027, 3, 31),
        file_format="pdf",
        requested_by=clerk,
        requested_at=local(2027, 3, 31, 17, 0),
        rows=1,
        status=ExportStatus.DONE,
    )
    export.file.save("so.pdf", ContentFile(tiny_pdf()), save=False)
    export.save()
    return {
        "dossier": dossier,
        "document": dossier.documents.first(),
        "receipt": receipt,
        "draft": draft,
        "vault": citizen.vault_documents.first(),
        "export": export,
        "desk": online["desk"],
    }


DESK, CITIZEN = "tiepnhan.tinh", "citizen"
CASES = {
    "desk-document": (DESK, "get", lambda f: reverse("admin:dossiers_dossier_document", args=[f["document"].pk])),
    "desk-result": (DESK, "get", lambda f: reverse("admin:dossiers_dossier_result", args=[f["dossier"].pk])),
    "printed-form": (DESK, "get", lambda f: f"/desk/in/ho-so/{f['dossier'].pk}/mau/control_sheet/"),
    "issued-document": (DESK, "get", lambda f: f"/desk/in/ho-so/{f['dossier'].pk}/van-ban/{f['receipt'].pk}/"),
    "register-pdf": (DESK, "post", lambda f: "/desk/in/so-theo-doi/"),
    "register-xlsx": (DESK, "post", lambda f: "/desk/in/so-theo-doi/"),
    "register-made-by-worker": (DESK, "get", lambda f: f"/desk/in/so-theo-doi/{f['export'].pk}/tai-ve/"),
    "portal-draft-file": (
        CITIZEN,
        "get",
        lambda f: reverse("portal:draft_file", args=[f["draft"].pk, f["draft"].files.first().pk]),
    ),
    "portal-document": (
        CITIZEN,
        "get",
        lambda f: reverse("portal:dossier_document", args=[f["dossier"].pk, f["document"].pk]),
    ),
    "portal-issued-document": (
        CITIZEN,
        "get",
        lambda f: reverse("portal:generated_document", args=[f["dossier"].pk, f["receipt"].pk]),
    ),
    "portal-result": (CITIZEN, "get", lambda f: reverse("portal:result", args=[f["dossier"].pk])),
    "portal-vault": (CITIZEN, "get", lambda f: reverse("portal:vault_download", args=[f["vault"].pk])),
}
EXPORTS = {"register-pdf", "register-xlsx", "register-made-by-worker"}


@pytest.mark.parametrize("case", CASES)
def test_every_download_leaves_an_audit_row(client, files, citizen, case):  # noqa: F811
    who, method, url_of = CASES[case]
    actor = citizen if who == CITIZEN else user(who)
    client.force_login(actor)
    url = url_of(files)
    if method == "post":
        file_format = case.rsplit("-", 1)[-1]
        data = {"desk": files["desk"].pk, "date_from": "2027-03-01", "date_to": "2027-03-31", "format": file_format}
        response = client.post(url, data)
    else:
        response = client.get(url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert response.getvalue()  # the file itself
    event = AuditEvent.objects.filter(path=url).get()
    assert event.action == (AuditAction.EXPORT if case in EXPORTS else AuditAction.DOWNLOAD)
    assert event.actor_id == actor.pk and event.data["file"]
    assert event.object_repr  # the dossier, document or desk concerned


def test_a_file_missing_from_the_disk_is_a_404_without_a_row(client, files, citizen):  # noqa: F811
    files["document"].file.storage.delete(files["document"].file.name)
    client.force_login(citizen)
    url = reverse("portal:dossier_document", args=[files["dossier"].pk, files["document"].pk])
    assert client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(path=url).exists()


def test_the_catalogue_export_is_audited(db):
    request = RequestFactory().post("/desk/catalog/procedureversion/export/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    model_admin = admin.site._registry[ProcedureVersion]
    model_admin.get_export_data(XLSX(), request, ProcedureVersion.objects.all())
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor_id == request.user.pk and event.data["catalogue"] and event.data["format"] == "xlsx"


def _builds_a_file_response(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in ("FileResponse", "StreamingHttpResponse"):
                return True
        if isinstance(node, ast.Constant) and node.value == "Content-Disposition":
            return True
    return False


def test_no_view_hands_out_a_file_but_through_the_audited_helper():
    allowed = {
        "security/audit.py",  # audited_file_response itself
        "security/admin.py",  # the audit trail's CSV export, audited in the view
        "portal/views.py",  # public blank forms, anonymous and deliberately not audited (see the view)
    }
    builders = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts and _builds_a_file_response(path)
    }
    assert builders <= allowed, builders - allowed
