"""Reads: the catalogue, a client's dossiers (only its bodies'), their history, actions and the look-up."""

import datetime as dt
from urllib.parse import parse_qsl, urlsplit

import pytest

from onestop_tayninh.dossiers.selectors import lookup_secret

from .conftest import local, receive
from .test_framework import assert_problem

pytestmark = pytest.mark.django_db


def test_the_catalogue_lists_published_procedures_with_their_documents(world, centre_api):
    listed = centre_api.get("/api/v1/procedures/", {"page_size": 200}).json()["results"]
    codes = {row["code"] for row in listed}
    justice = world["justice"]
    assert justice.procedure.code in codes
    assert all(row["status"] == "published" for row in listed)
    detail = centre_api.get(f"/api/v1/procedures/{justice.procedure.code}/").json()
    assert [doc["name"] for doc in detail["documents"]] == ["Tờ khai", "Giấy chứng sinh"]
    versions = centre_api.get(f"/api/v1/procedures/{justice.procedure.code}/versions/").json()["results"]
    assert [row["id"] for row in versions] == [justice.pk]


def test_a_client_sees_its_bodys_dossiers_and_never_another_bodys(world, centre_api, other_api):
    dossier = receive(world)
    assert [row["code"] for row in centre_api.get("/api/v1/dossiers/").json()["results"]] == [dossier.code]
    assert centre_api.get(f"/api/v1/dossiers/{dossier.pk}/").json()["cccd"] == "072190004567"
    events = centre_api.get(f"/api/v1/dossiers/{dossier.pk}/events/").json()["results"]
    assert [event["action"] for event in events][:2] == ["started", "document_added"]
    secret = lookup_secret(dossier.code)
    found = centre_api.get("/api/v1/lookup/", {"code": dossier.code, "secret": secret})
    assert found.status_code == 200 and found.json()["code"] == dossier.code

    # Sở Xây dựng's system, with every scope, reaches none of it: list, detail, history, actions, look-up.
    assert other_api.get("/api/v1/dossiers/").json()["results"] == []
    assert_problem(other_api.get(f"/api/v1/dossiers/{dossier.pk}/"), 404)
    assert_problem(other_api.get(f"/api/v1/dossiers/{dossier.pk}/events/"), 404)
    assert_problem(other_api.get(f"/api/v1/dossiers/{dossier.pk}/actions/"), 404)
    assert_problem(other_api.get("/api/v1/lookup/", {"code": dossier.code, "secret": secret}), 404)


def test_a_wrong_look_up_secret_finds_nothing(world, centre_api):
    dossier = receive(world)
    wrong = f"{(int(lookup_secret(dossier.code)) + 1) % 1_000_000:06d}"
    assert_problem(centre_api.get("/api/v1/lookup/", {"code": dossier.code, "secret": wrong}), 404)
    assert_problem(centre_api.get("/api/v1/lookup/", {"code": dossier.code, "secret": "12"}), 400, field="secret")


def test_the_list_filters_by_state_procedure_received_dates_and_update_time(world, centre_api):
    march = receive(world, at=local(2027, 3, 1, 8, 0))
    april = receive(world, at=local(2027, 4, 5, 8, 0), procedure="land")

    def codes(**params):
        response = centre_api.get("/api/v1/dossiers/", params)
        assert response.status_code == 200, response.content
        return [row["code"] for row in response.json()["results"]]

    assert codes() == [april.code, march.code]
    assert codes(procedure=world["land"].procedure.code) == [april.code]
    assert codes(received_from="2027-04-01") == [april.code]
    assert codes(received_to="2027-03-31") == [march.code]
    assert codes(status="received", state=march.state.code) == sorted(
        [c for c, d in ((march.code, march), (april.code, april)) if d.state.code == march.state.code], reverse=True
    )
    assert codes(updated_since=(april.updated_at + dt.timedelta(hours=1)).isoformat()) == []
    body = assert_problem(
        centre_api.get("/api/v1/dossiers/", {"received_from": "2027-05-01", "received_to": "2027-04-01"}), 400
    )
    assert "received_to" in body["errors"]
    assert_problem(centre_api.get("/api/v1/dossiers/", {"status": "khong-co"}), 400, field="status")
    assert_problem(centre_api.get("/api/v1/dossiers/", {"ho_ten": "x"}), 400, field="ho_ten")


def test_the_list_pages_by_cursor_without_repeating_a_dossier(world, centre_api):
    made = [receive(world, at=local(2027, 3, 1, 8, minute)).code for minute in range(5)]
    seen, params = [], {"page_size": 2}
    while True:
        body = centre_api.get("/api/v1/dossiers/", params).json()
        seen += [row["code"] for row in body["results"]]
        if not body["next"]:
            break
        params = dict(parse_qsl(urlsplit(body["next"]).query))
    assert seen == list(reversed(made))
    assert_problem(centre_api.get("/api/v1/dossiers/", {"cursor": "rac"}), 404)


def test_the_list_reads_a_page_in_few_queries(world, centre_api, django_assert_max_num_queries):
    for minute in range(4):
        receive(world, at=local(2027, 3, 1, 8, minute))
    centre_api.get("/api/v1/procedures/")  # the token's first use reads the application once
    with django_assert_max_num_queries(12):
        response = centre_api.get("/api/v1/dossiers/")
    assert len(response.json()["results"]) == 4


def test_the_actions_are_exactly_the_desks_buttons_for_the_client(world, centre, centre_api):
    from onestop_tayninh.dossiers.selectors import available_transitions

    dossier = receive(world)
    offered = [row["code"] for row in centre_api.get(f"/api/v1/dossiers/{dossier.pk}/actions/").json()]
    expected = [t.code for t in available_transitions(dossier=dossier, user=centre["client"].user)]
    assert offered == expected and "chuyen-xu-ly" in offered


def test_indicators_for_the_clients_own_body_and_no_other(world):
    from onestop_tayninh.directory.models import Agency

    from .conftest import Api, connect, token_for

    justice = Agency.objects.get(code="000.00.02.H53")
    head = connect(name="Hệ thống điều hành của Sở Tư pháp", agency=justice, roles=["agency_head"])
    api = Api(token_for(head))
    response = api.get("/api/v1/indicators/", {"period": "month", "year": 2027, "month": 3})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["unit"], body["unit_id"], body["start"], body["end"]) == (
        "agency",
        justice.pk,
        "2027-03-01",
        "2027-03-31",
    )
    assert {"2.1", "3.3"} <= {row["code"] for row in body["indicators"]}
    other = Agency.objects.get(code="000.00.04.H53")
    assert_problem(api.get("/api/v1/indicators/", {"period": "year", "year": 2027, "id": other.pk}), 403)
    assert_problem(api.get("/api/v1/indicators/", {"period": "month", "year": 2027}), 400, field="month")
    assert_problem(api.get("/api/v1/indicators/", {"unit": "province", "period": "year", "year": 2027}), 403)


def test_indicators_need_the_dashboard_permission_of_a_role(centre_api):
    body = assert_problem(centre_api.get("/api/v1/indicators/", {"period": "year", "year": 2027}), 403)
    assert "số liệu" in body["detail"]


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"status": "received"},
        {"procedure": "land"},
        {"received_from": "2027-03-02"},
        {"received_to": "2027-03-01"},
        {"received_from": "2027-03-02", "received_to": "2027-03-02"},
        {"received_from": "2027-03-05", "received_to": "2027-03-09"},
        {"procedure": "land", "received_to": "2027-03-02"},
    ],
)
def test_a_page_read_from_the_agencies_side_is_the_row_level_rules_page(world, filters):
    """client_dossier_ids reads the list's pages from (agency, dossier); they must be visible_to's pages."""
    from onestop_tayninh.api.selectors import client_dossier_ids, client_dossiers
    from onestop_tayninh.directory.models import Agency
    from onestop_tayninh.dossiers.actions import dossier_transition

    from .conftest import connect, user

    made = [receive(world, at=local(2027, 3, 1 + n % 3, 8, n)) for n in range(6)]
    made.append(receive(world, procedure="land", at=local(2027, 3, 2, 9, 0)))
    # Two handed over to Sở Tư pháp: the centre still sees them (it received them), Sở Tư pháp too.
    for dossier in made[:2]:
        dossier_transition(
            dossier=dossier, actor=user("tiepnhan.tinh"), transition="chuyen-xu-ly", at=local(2027, 3, 4, 9, 0)
        )
    if "procedure" in filters:
        filters = {"procedure": world["land"].procedure.code}
    centre = connect(name="Trung tâm", agency=world["desk"].agency)["client"].user
    justice = connect(name="Sở Tư pháp", agency=Agency.objects.get(code="000.00.02.H53"))["client"].user
    coordinator = connect(name="Điều phối", agency=world["desk"].agency, roles=["province_coordinator"])["client"].user
    stranger = connect(name="Sở Xây dựng", agency=Agency.objects.get(code="000.00.04.H53"))["client"].user
    parsed = {
        key: (dt.date.fromisoformat(value) if key.startswith("received") else value) for key, value in filters.items()
    }
    for account in (centre, justice, coordinator, stranger):
        expected = list(client_dossiers(account, parsed).order_by("-pk").values_list("pk", flat=True))
        pages, before = [], None
        while True:
            ids = client_dossier_ids(account, parsed, before=before, size=3)
            pages += ids
            if len(ids) < 3:
                break
            before = ids[-1]
        assert pages == expected, (account, filters)
    assert client_dossier_ids(stranger, {}, before=None, size=50) == []
    assert set(client_dossier_ids(justice, {}, before=None, size=50)) == {made[0].pk, made[1].pk}
