"""The national message of a dossier (national/mapping.py), worked out by hand."""

from __future__ import annotations

import pytest

from onestop_tayninh.dossiers.events import PaymentReceived
from onestop_tayninh.dossiers.models import Dossier, DossierDocument
from onestop_tayninh.national.mapping import dossier_message
from tests.factories import receiving_world

from .helpers import change, local, pause, received, resume

pytestmark = pytest.mark.django_db


def test_a_received_dossier_with_a_supplement_a_local_payment_and_a_reused_document():
    """Received at the desk on 3/3/2027 09:30 (Vietnam time), due three working days later, 8/3 17:00
    (the engine's calendar); paused for the citizen's supplement 4/3 10:00 → 5/3 08:15; its fees paid
    through VNPay (a local gateway: 2); two documents scanned at the desk (2 digitised components), one
    of them taken again from the citizen's earlier dossier (reuse: 1); no result issued yet."""
    world = receiving_world()
    earlier = received(world, at=local(2027, 3, 1, 9, 0))
    dossier = received(world, at=local(2027, 3, 3, 9, 30))
    pause(dossier, at=local(2027, 3, 4, 10, 0))
    resume(dossier, at=local(2027, 3, 5, 8, 15))
    change(dossier, at=local(2027, 3, 5, 9, 0), payload=PaymentReceived(order="DH1", amount=8000, method="vnpay"))
    document = DossierDocument.objects.filter(dossier=dossier).first()
    DossierDocument.objects.filter(pk=document.pk).update(
        reused_document=DossierDocument.objects.filter(dossier=earlier).first()
    )
    Dossier.objects.filter(pk=dossier.pk).update(supplement_count=1)
    dossier.refresh_from_db()

    message = dossier_message(dossier)

    assert message == {
        "MaHoSo": dossier.code,
        "MaTTHC": world["version"].procedure.code,
        "TenTTHC": "Đăng ký khai sinh",
        "KenhThucHien": 1,
        "TrangThaiHoSo": 1,
        "NgayTiepNhan": "20270303093000",
        "NgayHenTra": "20270308170000",
        "NgayKetThucXuLy": "",
        "SoLanBoSung": 1,
        "DanhSachTamDung": [{"NgayBatDau": "20270304100000", "NgayKetThuc": "20270305081500"}],
        "DuocThanhToanTrucTuyen": 2,
        "MaKetQua": "",
        "DuongDanTepTinKetQua": "",
        "KetQuaDienTu": 0,
        "DuocSoHoa": 1,
        "HoSoCoThanhPhanSoHoa": 2,
        "DuocLayTuKhoDMQG": 1,
    }
