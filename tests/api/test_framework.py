"""The API's frame: tokens, scopes, problem details, limits, audit, the contract and its docs page."""

import json

import pytest

from onestop_tayninh.api.constants import Scope
from onestop_tayninh.security.models import AuditEvent

from .conftest import Api, connect, token_for

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def assert_problem(response, status, *, field=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("/api/v1/problems/")
    assert body["title"] and body["detail"]
    if field is not None:
        assert field in body["errors"], body
    return body


def test_token_is_issued_for_client_credentials_and_opens_the_catalogue(centre):
    token = token_for(centre)
    response = Api(token).get("/api/v1/procedures/")
    assert response.status_code == 200
    assert "results" in response.json() and "next" in response.json()


def test_wrong_secret_gets_no_token(centre):
    import base64

    from django.test import Client

    basic = base64.b64encode(f"{centre['client_id']}:sai".encode()).decode()
    response = Client().post(
        "/api/v1/oauth/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert response.status_code == 401


def test_no_token_unknown_token_and_expired_token_are_401(centre):
    from oauth2_provider.models import AccessToken

    from django.utils import timezone

    assert_problem(Api(None).get("/api/v1/dossiers/"), 401)
    body = assert_problem(Api("khong-co-ma-nay").get("/api/v1/dossiers/"), 401)
    assert "hết hạn" in body["detail"]
    token = token_for(centre)
    AccessToken.objects.filter(token_checksum__isnull=False).update(expires=timezone.now())
    response = Api(token).get("/api/v1/dossiers/")
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_deactivated_client_is_refused_at_once(centre):
    api = Api(token_for(centre))
    centre["client"].is_active = False
    centre["client"].save()
    assert_problem(api.get("/api/v1/procedures/"), 401)


@pytest.mark.parametrize(
    ("path", "method", "scope"),
    [
        ("/api/v1/procedures/", "get", Scope.PROCEDURES_READ),
        ("/api/v1/dossiers/", "get", Scope.DOSSIERS_READ),
        ("/api/v1/dossiers/", "post", Scope.DOSSIERS_WRITE),
        ("/api/v1/lookup/?code=X&secret=123456", "get", Scope.DOSSIERS_READ),
    ],
)
def test_each_call_needs_its_scope(world, path, method, scope):
    """A token without the call's scope gets 403; with it, the call passes the scope check."""
    desk = world["desk"]
    others = [value for value in Scope.values if value != scope]
    without = connect(name=f"Không có {scope}", agency=desk.agency, desks=[desk], scopes=others)
    with_it = connect(name=f"Có {scope}", agency=desk.agency, desks=[desk], scopes=[scope])
    body = {"procedure_code": "khong-co"}
    call = (lambda api: api.get(path)) if method == "get" else (lambda api: api.post(path, body))
    denied = assert_problem(call(Api(token_for(without))), 403)
    assert scope in denied["detail"]
    assert call(Api(token_for(with_it))).status_code != 403


def test_a_token_asked_for_a_narrower_scope_carries_only_that(centre):
    api = Api(token_for(centre, scope=Scope.PROCEDURES_READ))
    assert api.get("/api/v1/procedures/").status_code == 200
    assert_problem(api.get("/api/v1/dossiers/"), 403)


def test_a_scope_taken_away_stops_the_tokens_already_issued(centre):
    api = Api(token_for(centre))
    centre["client"].scopes = [Scope.PROCEDURES_READ]
    centre["client"].save()
    assert_problem(api.get("/api/v1/dossiers/"), 403)


def test_a_client_cannot_ask_for_a_scope_it_was_not_granted(world):
    from django.test import Client

    desk = world["desk"]
    system = connect(name="Chỉ đọc thủ tục", agency=desk.agency, scopes=[Scope.PROCEDURES_READ])
    import base64

    basic = base64.b64encode(f"{system['client_id']}:{system['secret']}".encode()).decode()
    response = Client().post(
        "/api/v1/oauth/token/",
        {"grant_type": "client_credentials", "scope": "dossiers:write"},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_malformed_json_wrong_types_and_unknown_fields_are_400(centre_api):
    body = assert_problem(centre_api.post("/api/v1/dossiers/", "{khong phai json"), 400)
    # Where the text breaks, in Vietnamese: not the JSON parser's English.
    assert body["detail"] == "Nội dung không phải JSON hợp lệ: sai cú pháp ở dòng 1, cột 2"
    duplicated = assert_problem(centre_api.post("/api/v1/dossiers/", '{"a": 1, "a": 2}'), 400)
    assert duplicated["detail"] == "Nội dung không phải JSON hợp lệ: khóa “a” lặp lại"
    latin = assert_problem(centre_api.post("/api/v1/dossiers/", b'{"ho_ten": "Nguy\xe9n"}'), 400)
    assert latin["detail"] == "Nội dung không phải JSON hợp lệ: nội dung không được mã hóa UTF-8"
    body = assert_problem(
        centre_api.post("/api/v1/dossiers/", {"procedure_code": 12, "applicant": "x"}),
        400,
        field="applicant.non_field_errors",
    )
    body = assert_problem(
        centre_api.post("/api/v1/dossiers/", {"procedure_code": "1", "applicant": {}, "ho_ten": "x"}),
        400,
        field="ho_ten",
    )
    assert body["errors"]["ho_ten"] == ["Trường không được hỗ trợ."]
    # Field errors in Vietnamese, DRF's own messages included (locale/vi).
    wrong = {"procedure_code": "1", "channel": "zalo", "applicant": {"cccd": "12ab"}}
    body = assert_problem(centre_api.post("/api/v1/dossiers/", wrong), 400)
    assert body["errors"]["channel"] == ["“zalo” không phải là một lựa chọn hợp lệ."]
    assert body["errors"]["applicant.cccd"] == ["Giá trị không đúng định dạng."]


def test_a_body_over_the_limit_is_413_unread(centre_api, settings):
    settings.ONESTOP_API_MAX_JSON_BYTES = 1024
    big = json.dumps({"procedure_code": "x" * 2000})
    assert_problem(centre_api.post("/api/v1/dossiers/", big), 413)


def test_wrong_media_type_is_415(centre_api):
    assert_problem(centre_api.post("/api/v1/dossiers/", "a=b", content_type="text/plain"), 415)


def test_unknown_address_and_unknown_record_are_404_problems(centre_api):
    assert_problem(centre_api.get("/api/v1/khong-co/"), 404)
    assert_problem(centre_api.get("/api/v1/dossiers/999999999/"), 404)
    assert_problem(centre_api.get("/api/v1/procedures/khong-co/"), 404)


def test_rate_limit_per_client_answers_429_with_retry_after(world):
    desk = world["desk"]
    system = connect(name="Giới hạn 2 lượt", agency=desk.agency, rate=2)
    api = Api(token_for(system))
    assert api.get("/api/v1/procedures/").status_code == 200
    assert api.get("/api/v1/procedures/").status_code == 200
    response = api.get("/api/v1/procedures/")
    assert_problem(response, 429)
    assert 1 <= int(response["Retry-After"]) <= 60
    # Another client has its own count.
    other = connect(name="Hệ thống khác", agency=desk.agency)
    assert Api(token_for(other)).get("/api/v1/procedures/").status_code == 200


def test_every_call_is_audited_with_its_client(centre, centre_api):
    centre_api.get("/api/v1/procedures/")
    centre_api.get("/api/v1/dossiers/999999999/")
    rows = AuditEvent.objects.filter(action="api_call", actor_id=centre["client"].user_id).order_by("pk")
    assert [(row.data["path"], row.data["status"]) for row in rows] == [
        ("/api/v1/procedures/", 200),
        ("/api/v1/dossiers/999999999/", 404),
    ]
    assert all(row.data["client"] == centre["client"].name for row in rows)


def test_the_technical_account_cannot_log_in_to_the_desk(centre):
    from django.test import Client

    user = centre["client"].user
    assert not user.has_usable_password() and not user.is_staff
    client = Client()
    client.force_login(user)
    assert client.get("/desk/").status_code == 403


def test_schema_is_openapi_3_with_the_client_credentials_flow(db):
    from django.test import Client

    response = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    flow = schema["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/api/v1/oauth/token/"
    assert set(flow["scopes"]) == set(Scope.values)
    create = schema["paths"]["/api/v1/dossiers/"]["post"]
    assert create["security"] == [{"oauth2": ["dossiers:write"]}]
    assert {"400", "401", "403", "409", "413", "422", "429"} <= set(create["responses"])


def test_docs_page_uses_only_our_files_under_the_csp(db):
    from django.test import Client

    client = Client()
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    csp = page["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp
    assert "<script>" not in html and "<style>" not in html and "http" not in html.replace("http-equiv", "")
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    script = client.get("/api/v1/docs/?script")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content


def test_calls_go_through_uncounted_while_redis_is_unreachable(world, monkeypatch):
    """Found by the failure drill "kill -9 Redis master" (tests/drills/): during the failover every
    API call answered 500 from the rate limit's counter. The count now lets the call through."""
    import socket

    from django.core.cache.backends.redis import RedisCache

    from onestop_tayninh.api.throttling import ClientRateThrottle

    with socket.socket() as probe:  # a port nothing listens on: connecting is refused, as during a failover
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(ClientRateThrottle, "cache", RedisCache(f"redis://127.0.0.1:{port}/0", {}))
    system = connect(name="Trong lúc Redis chuyển máy chủ", agency=world["desk"].agency, rate=1)
    api = Api(token_for(system))
    assert api.get("/api/v1/procedures/").status_code == 200
    assert api.get("/api/v1/procedures/").status_code == 200  # beyond the limit of 1: not counted
