"""The desk's page for sending a dossier to another installation, and its list."""

import pytest

from onestop_tayninh.interconnect.models import Handover
from tests.workflows.conftest import receive, user

pytestmark = pytest.mark.django_db

ADD = "/desk/interconnect/handover/add/"


def test_an_official_sends_a_dossier_by_its_code_and_sees_it_listed(world, sender, client):
    dossier = receive(world)
    # A receiving officer's role sends hand-overs (directory/roles.py).
    clerk = user("tiepnhan.tinh")
    client.force_login(clerk)
    page = client.get(ADD)
    assert page.status_code == 200 and "Mã hồ sơ" in page.text
    # An unknown code: the form says so, nothing is sent.
    refused = client.post(ADD, {"dossier_code": "000.00.00.X00-000000-0000", "peer": sender["peer"].pk, "note": ""})
    assert refused.status_code == 200 and "Không có hồ sơ mã" in refused.text and not Handover.objects.exists()
    done = client.post(
        ADD, {"dossier_code": dossier.code, "peer": sender["peer"].pk, "note": "Chuyển tỉnh"}, follow=True
    )
    assert "Đã ghi nhận gửi hồ sơ" in done.text
    handover = Handover.objects.get()
    assert (handover.dossier, handover.sent_by, handover.note) == (dossier, clerk, "Chuyển tỉnh")
    listing = client.get("/desk/interconnect/handover/")
    assert dossier.code in listing.text and "Đang gửi" in listing.text
    # The same dossier again: refused in Vietnamese, still one hand-over.
    again = client.post(ADD, {"dossier_code": dossier.code, "peer": sender["peer"].pk, "note": ""}, follow=True)
    assert "đã được gửi liên thông" in again.text and Handover.objects.count() == 1


def test_the_system_administrator_declares_peers_and_an_official_may_not(world, sender, client):
    client.force_login(user("quantri"))
    page = client.get("/desk/interconnect/peerinstallation/add/")
    assert page.status_code == 200 and "Thêm hệ thống liên thông" in page.text
    client.force_login(user("tiepnhan.tinh"))
    assert client.get("/desk/interconnect/peerinstallation/add/").status_code == 403


def test_a_peers_secret_is_sealed_at_rest_never_shown_and_kept_when_left_blank(world, sender, client):
    from django.db import connection

    from onestop_tayninh.directory.models import Agency

    client.force_login(user("quantri"))
    agency = Agency.objects.get(code="000.00.02.H53")
    form = {
        "name": "Hệ thống một cửa tỉnh Đồng Nai",
        "base_url": "https://motcua.dongnai.gov.vn",
        "client_id": "id-cua-tay-ninh-o-dong-nai",
        "client_secret": "",
        "agencies": [agency.pk],
        "is_active": "on",
    }
    # A new peer without its secret: refused, in Vietnamese, nothing saved.
    refused = client.post("/desk/interconnect/peerinstallation/add/", form)
    assert refused.status_code == 200 and "Hãy nhập khóa bí mật" in refused.text
    done = client.post("/desk/interconnect/peerinstallation/add/", {**form, "client_secret": "bi-mat-dong-nai"})
    assert done.status_code == 302, done.text
    peer = type(sender["peer"]).objects.get(name=form["name"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT client_secret_sealed FROM interconnect_peerinstallation WHERE id = %s", [peer.pk])
        (stored,) = cursor.fetchone()
    assert stored.startswith("enc1:") and "bi-mat-dong-nai" not in stored
    assert peer.client_secret == "bi-mat-dong-nai"
    # The edit page does not send the secret back; saved with the field blank, the secret stays.
    edit = f"/desk/interconnect/peerinstallation/{peer.pk}/change/"
    assert "bi-mat-dong-nai" not in client.get(edit).text
    assert client.post(edit, {**form, "name": "Hệ thống một cửa Đồng Nai"}).status_code == 302
    peer.refresh_from_db()
    assert (peer.name, peer.client_secret) == ("Hệ thống một cửa Đồng Nai", "bi-mat-dong-nai")
    # A new secret typed in replaces it.
    client.post(edit, {**form, "client_secret": "bi-mat-moi"})
    peer.refresh_from_db()
    assert peer.client_secret == "bi-mat-moi"
