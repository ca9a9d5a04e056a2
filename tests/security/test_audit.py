"""The audit trail: append-only in code, in the desk and in the database; what it records."""

import csv
import io

import pytest

from django.contrib.auth.models import Permission
from django.db import DatabaseError, connection
from django.urls import reverse

from onestop_tayninh.directory.constants import AgencyKind
from onestop_tayninh.directory.models import Agency
from onestop_tayninh.security.audit import audit_event
from onestop_tayninh.security.models import AppendOnlyError, AuditEvent
from tests.factories import AgencyFactory, OfficialFactory, UnitFactory, UserFactory, role_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return audit_event(actor=None, action="export", target="thử nghiệm", data={"rows": 3})


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_superuser=True))
    return client


def test_an_audit_row_cannot_be_changed_or_deleted_through_the_orm(event):
    event.action = "sua"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="sua")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["action"])
    assert AuditEvent.objects.get(pk=event.pk).action == "export"


def test_the_database_refuses_raw_update_and_delete(event):
    with connection.cursor() as cursor:
        with pytest.raises(DatabaseError, match="append-only"):
            cursor.execute("UPDATE security_auditevent SET action = 'sua' WHERE id = %s", [event.pk])
        with pytest.raises(DatabaseError, match="append-only"):
            cursor.execute("DELETE FROM security_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, action="export").exists()


def test_the_desk_shows_audit_rows_read_only_even_to_a_superuser(superuser_client, event):
    change = reverse("admin:security_auditevent_change", args=[event.pk])
    page = superuser_client.get(change)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert superuser_client.post(change, {"action": "sua"}).status_code == 403
    assert superuser_client.get(reverse("admin:security_auditevent_delete", args=[event.pk])).status_code == 403
    assert superuser_client.post(reverse("admin:security_auditevent_delete", args=[event.pk])).status_code == 403
    assert superuser_client.get(reverse("admin:security_auditevent_add")).status_code == 403
    changelist = superuser_client.get(reverse("admin:security_auditevent_changelist"))
    assert changelist.status_code == 200
    assert "delete_selected" not in changelist.content.decode()
    assert AuditEvent.objects.filter(pk=event.pk, action="export").exists()


def test_creating_and_changing_an_agency_in_the_desk_writes_before_and_after(superuser_client):
    unit = UnitFactory()
    response = superuser_client.post(
        reverse("admin:directory_agency_add"),
        {
            "code": "000.00.77.H53",
            "name": "Sở Thử nghiệm",
            "short_name": "",
            "kind": AgencyKind.DEPARTMENT,
            "unit": unit.pk,
            "parent": "",
            "is_active": "on",
        },
        REMOTE_ADDR="10.20.30.40",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    agency = Agency.objects.get(code="000.00.77.H53")

    created = AuditEvent.objects.for_object(agency).get(action="create")
    assert created.data["before"] == {}
    assert created.data["after"]["code"] == "000.00.77.H53"
    assert created.data["after"]["unit_id"] == unit.pk
    assert created.actor_repr == response.wsgi_request.user.username
    assert created.ip_address == "10.20.30.40"
    assert created.path == reverse("admin:directory_agency_add")

    superuser_client.post(
        reverse("admin:directory_agency_change", args=[agency.pk]),
        {"code": agency.code, "name": "Sở Thử nghiệm mới", "kind": agency.kind, "unit": unit.pk, "is_active": "on"},
    )
    updated = AuditEvent.objects.for_object(agency).get(action="update")
    assert updated.data == {"before": {"name": "Sở Thử nghiệm"}, "after": {"name": "Sở Thử nghiệm mới"}}


def test_deleting_a_record_keeps_its_last_values():
    agency = AgencyFactory()
    pk = agency.pk
    agency.delete()
    deleted = AuditEvent.objects.get(action="delete", object_id=str(pk))
    assert deleted.data["before"]["code"] == agency.code


def test_role_assignment_is_recorded():
    official = OfficialFactory()
    official.user.groups.add(role_group("agency_head"))
    assert AuditEvent.objects.for_object(official.user).filter(action="update", data__field="groups").exists()


def test_a_password_change_is_recorded_without_the_hash():
    user = UserFactory()
    user.set_password("Mot-mat-khau-moi-2026")
    user.save()
    event = AuditEvent.objects.for_object(user).filter(action="update").order_by("-id").first()
    assert set(event.data["after"]) == {"password"}
    assert "md5" not in str(event.data)


def test_a_failed_login_writes_a_row(client):
    user = OfficialFactory().user
    client.post(reverse("admin:login"), {"username": user.username, "password": "sai"}, REMOTE_ADDR="10.5.5.5")
    event = AuditEvent.objects.get(action="login_failed")
    assert event.object_repr == user.username
    assert event.ip_address == "10.5.5.5"
    assert "sai" not in str(event.data)


def test_a_successful_login_writes_a_row(client):
    user = OfficialFactory().user
    client.post(reverse("admin:login"), {"username": user.username, "password": "Mat-khau-thu-nghiem-2026"})
    assert AuditEvent.objects.filter(action="login", actor_id=user.pk).exists()


def auditor():
    official = OfficialFactory(roles=["system_admin"])
    official.user.groups.get().permissions.add(Permission.objects.get(codename="view_auditevent"))
    return official.user


def test_an_auditor_searches_filters_and_exports_csv(client):
    client.force_login(auditor())
    audit_event(actor=None, action="dossier_receive", target="000.00.14.H53-261128-0001", data={"note": "x"})
    audit_event(actor=None, action="login_failed", target="ke-gian")
    changelist = reverse("admin:security_auditevent_changelist")

    page = client.get(changelist, {"q": "261128"})
    assert page.status_code == 200
    assert "000.00.14.H53-261128-0001" in page.content.decode()
    assert "ke-gian" not in page.content.decode()

    page = client.get(changelist, {"action": "login_failed"})
    assert "ke-gian" in page.content.decode()

    export = client.get(reverse("admin:security_auditevent_export"), {"action": "dossier_receive"})
    assert export.status_code == 200
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["at", "actor_repr", "action"]
    assert [row[2] for row in rows[1:]] == ["dossier_receive"]
    assert AuditEvent.objects.filter(action="export", data__filters__action="dossier_receive").exists()


def test_an_official_without_the_permission_cannot_read_the_trail(client):
    client.force_login(OfficialFactory(roles=["receiving_officer"]).user)
    assert client.get(reverse("admin:security_auditevent_changelist")).status_code == 403
    assert client.get(reverse("admin:security_auditevent_export")).status_code == 403


def test_audit_rows_survive_the_deletion_of_their_actor():
    user = UserFactory()
    audit_event(actor=user, action="download", target="tep.pdf")
    user.delete()
    assert AuditEvent.objects.filter(action="download", actor_repr=user.username).exists()
