"""Writes: a dossier handed in from a sector's software, its documents, decision and workflow actions,
its result; each through the desk's own services, as the client's technical account."""

import pytest

from django.core.files.base import ContentFile

from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.security.models import AuditEvent
from tests.security.test_antivirus import EICAR
from tests.support import tiny_pdf

from .conftest import Api, connect, receive, token_for
from .test_framework import assert_problem

pytestmark = pytest.mark.django_db


def new_dossier(world, **extra):
    return {
        "procedure_code": world["justice"].procedure.code,
        "applicant": {"full_name": "Phạm Văn Bình", "cccd": "072091234567", "phone": "0912345678"},
        **extra,
    }


def upload(api, dossier_id, requirement, content, name="giay-to.pdf"):
    return api.upload(
        f"/api/v1/dossiers/{dossier_id}/documents/",
        {"requirement": requirement.pk, "file": ContentFile(content, name=name)},
    )


def test_a_dossier_handed_in_is_checked_documented_and_accepted_with_the_next_code(world, centre, centre_api):
    created = centre_api.post("/api/v1/dossiers/", new_dossier(world))
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["code"], body["full_name"]) == ("to_check", None, "Phạm Văn Bình")
    for requirement in world["justice"].documents.all():
        response = upload(centre_api, body["id"], requirement, tiny_pdf(requirement.name))
        assert response.status_code == 201, response.content
        assert response.json()["content_type"] == "application/pdf"
    accepted = centre_api.post(f"/api/v1/dossiers/{body['id']}/decision/", {"decision": "accept"})
    assert accepted.status_code == 200, accepted.content
    dossier = Dossier.objects.get(pk=body["id"])
    assert accepted.json()["code"] == dossier.code and dossier.code.startswith(dossier.receiving_agency.code)
    assert dossier.received_by == centre["client"].user
    actions = [event["action"] for event in centre_api.get(f"/api/v1/dossiers/{dossier.pk}/events/").json()["results"]]
    assert actions[0] == "started" and "accepted" in actions


def test_accepting_at_once_without_the_required_documents_is_refused_and_keeps_nothing(world, centre_api):
    before = Dossier.objects.count()
    body = assert_problem(centre_api.post("/api/v1/dossiers/", new_dossier(world, decision="accept")), 422)
    assert "còn thiếu" in body["detail"]
    assert Dossier.objects.count() == before


def test_the_rules_of_the_intake_answer_422_with_the_field(world, centre_api):
    body = assert_problem(centre_api.post("/api/v1/dossiers/", new_dossier(world, procedure_code="9.999999")), 422)
    assert "procedure_code" in body["errors"]
    missing_name = new_dossier(world)
    missing_name["applicant"]["full_name"] = ""
    assert_problem(centre_api.post("/api/v1/dossiers/", missing_name), 422, field="full_name")
    bad_cccd = new_dossier(world)
    bad_cccd["applicant"]["cccd"] = "12ab"
    assert_problem(centre_api.post("/api/v1/dossiers/", bad_cccd), 400, field="applicant.cccd")


def test_a_client_without_a_desk_cannot_hand_in(world):
    system = connect(name="Không làm việc tại bộ phận", agency=world["desk"].agency)
    body = assert_problem(Api(token_for(system)).post("/api/v1/dossiers/", new_dossier(world)), 403)
    assert "tiếp nhận" in body["detail"]


def test_a_replayed_create_makes_one_dossier(world, centre_api):
    before = Dossier.objects.count()
    first = centre_api.post("/api/v1/dossiers/", new_dossier(world), HTTP_IDEMPOTENCY_KEY="lan-1")
    again = centre_api.post("/api/v1/dossiers/", new_dossier(world), HTTP_IDEMPOTENCY_KEY="lan-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Dossier.objects.count() == before + 1
    other = new_dossier(world)
    other["applicant"]["full_name"] = "Người khác"
    body = assert_problem(centre_api.post("/api/v1/dossiers/", other, HTTP_IDEMPOTENCY_KEY="lan-1"), 422)
    assert "Idempotency-Key" in body["errors"]


def test_an_upload_goes_through_the_gate(world, centre_api):
    dossier = centre_api.post("/api/v1/dossiers/", new_dossier(world)).json()
    requirement = world["justice"].documents.first()
    body = assert_problem(
        upload(centre_api, dossier["id"], requirement, b"%PDF-1.4\n" + EICAR, name="to-khai.pdf"), 422
    )
    assert AuditEvent.objects.filter(action="virus_found").exists()
    body = assert_problem(upload(centre_api, dossier["id"], requirement, b"khong phai pdf", name="a.pdf"), 422)
    assert requirement.name in body["detail"]
    assert not Dossier.objects.get(pk=dossier["id"]).documents.exists()


def test_an_upload_declared_over_the_limit_is_413_unread(world, centre_api, settings):
    settings.ONESTOP_MAX_UPLOAD_MB = 1
    dossier = centre_api.post("/api/v1/dossiers/", new_dossier(world)).json()
    requirement = world["justice"].documents.first()
    response = upload(centre_api, dossier["id"], requirement, b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024))
    assert_problem(response, 413)


def test_an_action_takes_the_workflow_step_and_a_stale_one_is_409(world, centre_api):
    dossier = receive(world)
    step = {"transition": "chuyen-xu-ly", "lock_version": dossier.lock_version}
    moved = centre_api.post(f"/api/v1/dossiers/{dossier.pk}/actions/", step)
    assert moved.status_code == 200, moved.content
    assert moved.json()["state"] == "cho-phan-cong" and moved.json()["lock_version"] == dossier.lock_version + 1
    # The same request again (a retry, a second worker): the dossier moved meanwhile.
    body = assert_problem(centre_api.post(f"/api/v1/dossiers/{dossier.pk}/actions/", step), 409)
    assert "tải lại" in body["detail"]


def test_an_action_the_clients_roles_do_not_allow_is_403(world):
    clerk = connect(name="Văn thư số", agency=world["desk"].agency, roles=["records_clerk"])
    dossier = receive(world)
    step = {"transition": "chuyen-xu-ly", "lock_version": dossier.lock_version}
    assert_problem(Api(token_for(clerk)).post(f"/api/v1/dossiers/{dossier.pk}/actions/", step), 403)
    assert Dossier.objects.get(pk=dossier.pk).lock_version == dossier.lock_version


def test_another_bodys_client_cannot_act_or_upload(world, other_api):
    dossier = receive(world)
    step = {"transition": "chuyen-xu-ly", "lock_version": dossier.lock_version}
    assert_problem(other_api.post(f"/api/v1/dossiers/{dossier.pk}/actions/", step), 404)
    requirement = world["justice"].documents.first()
    assert_problem(upload(other_api, dossier.pk, requirement, tiny_pdf("x")), 404)
    assert_problem(other_api.get(f"/api/v1/dossiers/{dossier.pk}/result/"), 404)


def test_the_result_is_downloaded_once_issued_and_audited(world, centre, centre_api, signing_keys):
    from tests.signing_support import draft_pdf
    from tests.workflows.test_paths import JUSTICE, act

    from .conftest import local, user

    signing_keys.issue(JUSTICE, "Sở Tư pháp tỉnh Tây Ninh")
    dossier = receive(world)
    assert_problem(centre_api.get(f"/api/v1/dossiers/{dossier.pk}/result/"), 404)
    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 0))
    dossier = act(dossier, "lanhdao.tuphap", "phan-cong", local(2027, 3, 1, 10, 0), assignee=user("chuyenvien.tuphap"))
    dossier = act(dossier, "chuyenvien.tuphap", "trinh-duyet", local(2027, 3, 2, 9, 0), result_file=draft_pdf())
    dossier = act(dossier, "lanhdao.tuphap", "phe-duyet", local(2027, 3, 3, 16, 0))
    dossier = act(dossier, "vanthu.tuphap", "phat-hanh", local(2027, 3, 3, 16, 30))
    response = centre_api.get(f"/api/v1/dossiers/{dossier.pk}/result/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF") and content == dossier.result_file.open("rb").read()
    assert AuditEvent.objects.filter(action="download", actor_id=centre["client"].user_id).exists()


@pytest.mark.django_db(transaction=True)
def test_a_create_is_answered_before_its_evaluation_fact_is_derived_which_follows_at_close(world, centre):
    """As a WSGI server runs it: the answer is built, sent, then closed; the dossier's fact (reports) is
    derived at the close (core.after_response), not while the client waits."""
    import json

    from django.core.handlers.wsgi import WSGIHandler
    from django.test.client import RequestFactory

    from onestop_tayninh.catalog.constants import RequirementKind
    from onestop_tayninh.reports.models import DossierFact

    world["justice"].documents.update(requirement=RequirementKind.OPTIONAL)
    body = json.dumps(new_dossier(world, decision="accept")).encode()
    environ = RequestFactory()._base_environ(
        PATH_INFO="/api/v1/dossiers/",
        REQUEST_METHOD="POST",
        CONTENT_TYPE="application/json",
        CONTENT_LENGTH=str(len(body)),
        HTTP_AUTHORIZATION=f"Bearer {token_for(centre)}",
        **{"wsgi.input": __import__("io").BytesIO(body)},
    )
    started = []
    response = WSGIHandler()(environ, lambda status, headers: started.append(status))
    answer = json.loads(b"".join(response))
    assert started == ["201 Created"] and answer["code"]
    assert not DossierFact.objects.filter(dossier_id=answer["id"]).exists()
    response.close()
    assert DossierFact.objects.get(dossier_id=answer["id"]).received_on is not None


def test_an_upload_the_file_store_refuses_is_a_503_problem_and_keeps_nothing(world, centre_api, settings):
    from tests.security.test_object_storage import free_port, use_s3

    dossier = centre_api.post("/api/v1/dossiers/", new_dossier(world)).json()
    requirement = world["justice"].documents.first()
    use_s3(settings, endpoint=f"http://127.0.0.1:{free_port()}", bucket="onestop-tayninh")  # nothing listens there

    response = upload(centre_api, dossier["id"], requirement, tiny_pdf("to-khai"))

    body = assert_problem(response, 503)
    assert body["type"].endswith("/storage-unavailable") and "thử lại sau" in body["detail"]
    assert response["Retry-After"]
    assert not Dossier.objects.get(pk=dossier["id"]).documents.exists()
