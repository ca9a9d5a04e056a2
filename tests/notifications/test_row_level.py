"""The notifications desk pages follow the one row-level rule (core.rowlevel), and so does the scan's
choice of whom to tell: nobody is told about a dossier they may not open."""

import pytest

from django.contrib.auth.models import Permission
from django.urls import reverse

from onestop_tayninh.directory.models import Role
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.notifications import deadlines, services
from onestop_tayninh.notifications.constants import TemplateKey
from onestop_tayninh.notifications.models import DeskNotification, Message

from .conftest import assign, local, receive, user

pytestmark = pytest.mark.django_db

# The demo dossier is received at the provincial centre and handed to Sở Tư pháp; Sở KH&ĐT never holds it.
OUTSIDER = "lanhdao.khdt"
HOLDER = "lanhdao.tuphap"
COORDINATOR = "dieuphoi.tinh"
ADMIN = "quantri"


@pytest.fixture
def scanned(world, sent_ids):
    dossier = assign(receive(world))
    deadlines.deadline_scan(at=local(2027, 3, 9, 8, 0))  # overdue: an alert, an apology draft, messages
    desk_messages = Message.objects.filter(channel="desk").values_list("pk", flat=True)
    services.messages_send(message_ids=list(desk_messages))  # the desk channel writes the bell's notices
    # The administrator's role asks for two-factor login on the desk; these tests are about rows, not login.
    Role.objects.filter(code="system_admin").update(requires_two_factor=False)
    for username in (OUTSIDER, HOLDER, COORDINATOR, ADMIN):
        # Only the administrator's role sees the outbox by default: grant every page, the rule must still hold.
        user(username).user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label__in=["notifications", "dossiers"], codename__startswith="view_"
            )
        )
    return dossier


def _url(obj, view="changelist"):
    opts = obj._meta
    args = [obj.pk] if view == "change" else []
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def _listed(client, username, obj):
    client.force_login(user(username))
    response = client.get(_url(obj))
    assert response.status_code == 200
    return {row.pk for row in response.context["cl"].queryset}


def _rows(dossier):
    citizen_message = Message.objects.filter(dossier=dossier, user__isnull=True).exclude(address="").first()
    assert citizen_message is not None and citizen_message.address  # the applicant's e-mail or phone
    return [citizen_message, dossier.deadline_alerts.get(), dossier.apology_draft]


def test_an_official_of_another_agency_sees_no_message_alert_or_draft_of_the_dossier(client, scanned):
    for row in _rows(scanned):
        assert row.pk not in _listed(client, OUTSIDER, row)
        assert client.get(_url(row, "change")).status_code == 404


def test_the_agency_holding_the_dossier_sees_its_rows(client, scanned):
    for row in _rows(scanned):
        assert row.pk in _listed(client, HOLDER, row)
        assert client.get(_url(row, "change")).status_code == 200


def test_the_coordinator_sees_the_provinces_rows_and_the_administrator_none_about_dossiers(client, scanned):
    # A citizen's account message about no dossier: only its recipient and the administrator see it. The
    # administrator reads no dossier (separation of duties), so no message, alert or draft about one either.
    loose = services.message_enqueue(
        channel="email",
        template_key=TemplateKey.CITIZEN_VERIFY_EMAIL,
        dedupe_key="verify:congdan",
        at=local(2027, 3, 9, 9, 0),
        address="congdan@example.vn",
    )
    for row in _rows(scanned):
        assert row.pk in _listed(client, COORDINATOR, row)
        assert row.pk not in _listed(client, ADMIN, row)
    assert loose.pk not in _listed(client, COORDINATOR, loose)
    assert _listed(client, ADMIN, loose) == set(
        Message.objects.filter(dossier__isnull=True).values_list("pk", flat=True)
    )
    assert loose.pk in _listed(client, ADMIN, loose)


def test_desk_notices_are_their_recipients_own(client, scanned):
    notices = DeskNotification.objects.all()
    own = set(notices.filter(user__username=HOLDER).values_list("pk", flat=True))
    assert own and own != set(notices.values_list("pk", flat=True))
    sample = notices.first()
    assert _listed(client, HOLDER, sample) == own
    assert _listed(client, COORDINATOR, sample) == set(
        notices.filter(user__username=COORDINATOR).values_list("pk", flat=True)
    )
    assert _listed(client, ADMIN, sample) == set()  # notices are about dossiers, which the administrator does not read
    other = notices.exclude(user__username=HOLDER).first()
    client.force_login(user(HOLDER))
    assert client.get(_url(other, "change")).status_code == 404


def test_everyone_the_scan_tells_may_open_the_dossier(scanned):
    # The scan picks its recipients by role (assignee, the current agency's heads, the coordinators of
    # its unit), a narrower question than who may see; but none of them is told about a dossier they
    # may not open.
    told = Message.objects.filter(dossier=scanned, user__isnull=False).select_related("user")
    assert {m.user.username for m in told} >= {"chuyenvien.tuphap", HOLDER, COORDINATOR}
    for message in told:
        assert Dossier.objects.visible_to(message.user).filter(pk=scanned.pk).exists(), message.user
