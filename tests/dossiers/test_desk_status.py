"""One status per dossier on the desk (selectors.desk_status), the same rows through its filter, whatever a
workflow calls its steps; and the desk list's filters and deadline colours."""

import datetime as dt

import pytest

from django.contrib.auth.models import Permission
from django.utils import timezone

from onestop_tayninh.dossiers.constants import DeskStatus, DossierStatus
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.selectors import desk_status, desk_status_filter
from onestop_tayninh.workflows.constants import StateKind
from onestop_tayninh.workflows.models import State, Workflow, WorkflowVersion
from tests.factories import DossierFactory

from .helpers import start

pytestmark = pytest.mark.django_db

# Step codes of no workflow in the repository: the status comes from the kind, never from the code.
STEPS = [
    ("tiep-nhan-x", StateKind.AT_DESK, DeskStatus.RECEIVED),
    ("tham-dinh-x", StateKind.AT_AGENCY, DeskStatus.IN_PROGRESS),
    ("lay-y-kien-x", StateKind.IN_CONSULTATION, DeskStatus.IN_PROGRESS),
    ("cho-bo-sung-x", StateKind.AWAITING_CITIZEN, DeskStatus.AWAITING_CITIZEN),
    ("cho-tra-x", StateKind.APPROVED, DeskStatus.RESULT_READY),
    ("cho-tra-tu-choi-x", StateKind.REFUSAL_READY, DeskStatus.REFUSED),  # the signed refusal waits at the desk
    ("da-tra-x", StateKind.RESULT_RETURNED, DeskStatus.RETURNED),
    ("tu-choi-x", StateKind.REFUSED, DeskStatus.REFUSED),
    ("rut-x", StateKind.WITHDRAWN, DeskStatus.WITHDRAWN),
    ("dung-x", StateKind.STOPPED, DeskStatus.STOPPED),
]
INTAKE = [
    (DossierStatus.TO_CHECK, DeskStatus.RECEIVED),
    (DossierStatus.INCOMPLETE, DeskStatus.AWAITING_CITIZEN),
    (DossierStatus.REFUSED, DeskStatus.REFUSED),
    (DossierStatus.WITHDRAWN, DeskStatus.WITHDRAWN),
]


@pytest.fixture
def dossiers():
    workflow = Workflow.objects.create(code="thu-trang-thai", name="Thử trạng thái")
    version = WorkflowVersion.objects.create(workflow=workflow, number=1)
    expected = {}
    for code, kind, status in STEPS:
        state = State.objects.create(version=version, code=code, name=f"Bước {code}", kind=kind)
        dossier = DossierFactory(status=DossierStatus.RECEIVED, state=state, workflow_version=version)
        expected[dossier.pk] = status
    for status, shown in INTAKE:
        expected[DossierFactory(status=status).pk] = shown
    expected[DossierFactory(status=DossierStatus.RECEIVED).pk] = DeskStatus.RECEIVED  # no workflow
    return expected


def test_every_dossier_has_one_status_by_the_kind_of_its_step(dossiers):
    for dossier in Dossier.objects.select_related("state"):
        assert desk_status(dossier) == dossiers[dossier.pk], dossier.state


def test_the_status_filter_selects_exactly_the_dossiers_of_that_status(dossiers):
    for status in DeskStatus:
        chosen = set(Dossier.objects.filter(desk_status_filter(status)).values_list("pk", flat=True))
        assert chosen == {pk for pk, shown in dossiers.items() if shown == status}, status


def _desk_user(user):
    for codename in ("view_dossier",):
        user.user_permissions.add(Permission.objects.get(codename=codename, content_type__app_label="dossiers"))
    return user


def test_desk_list_filters_by_status_procedure_desk_and_deadline(client, world):
    first = start(world)
    second = start(world, full_name="Trần Thị Bé", cccd="072190004321")
    now = timezone.now()
    Dossier.objects.filter(pk=first.pk).update(status=DossierStatus.RECEIVED, due_at=now - dt.timedelta(days=1))
    Dossier.objects.filter(pk=second.pk).update(status=DossierStatus.RECEIVED, due_at=now + dt.timedelta(hours=2))
    client.force_login(_desk_user(world["officer"]))

    def listed(**params):
        response = client.get("/desk/dossiers/dossier/", params)
        assert response.status_code == 200
        return list(response.context["cl"].result_list), response.content.decode()

    assert listed(han="qua-han")[0] == [first]
    assert listed(han="sap-den-han")[0] == [second]
    assert set(listed(**{"thu-tuc": world["version"].procedure_id})[0]) == {first, second}
    assert listed(**{"thu-tuc": world["version"].procedure_id + 999})[0] == []
    assert set(listed(**{"bo-phan": world["desk"].pk, "tinh-trang": "received"})[0]) == {first, second}
    assert listed(**{"tinh-trang": "returned"})[0] == []
    _rows, page = listed()
    assert 'class="queue-badge late">Quá hạn<' in page
    assert 'class="queue-badge soon">Sắp đến hạn<' in page
    assert 'class="desk-status received">Mới tiếp nhận<' in page
    assert 'data-filter-select data-parameter="thu-tuc" aria-label="Thủ tục"' in page
    # An option is its value alone (desk-filters.js puts it into the list's address), the chosen one marked.
    procedure = world["version"].procedure
    assert f'<option value="{procedure.pk}">{procedure.code} — ' in page
    assert '<option value="" selected>Tất cả</option>' in page
    _rows, page = listed(**{"thu-tuc": procedure.pk, "han": "qua-han"})
    assert f'<option value="{procedure.pk}" selected>{procedure.code} — ' in page
    assert "Hiện số lượng" not in page and "_facets" not in page  # no counts per choice over every dossier


def test_the_dossier_page_shows_the_same_status(client, world):
    dossier = start(world)
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.INCOMPLETE)
    client.force_login(_desk_user(world["officer"]))
    page = client.get(f"/desk/dossiers/dossier/{dossier.pk}/change/").content.decode()
    assert 'class="desk-status awaiting_citizen">Chờ công dân bổ sung</strong>' in page
