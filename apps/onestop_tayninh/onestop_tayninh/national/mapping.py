"""The one place a dossier becomes a message of the National Public Service Portal (DVCQG).

A deployment binding the real portal changes this module (the field names, the status codes) and
the settings of client.py, nothing else. The names follow docs/domain.md §11, marked [check] there:
no public specification of the national sync exists, so each is our reading of the practice.

The dossier is read through the dossier engine's models and dossiers.selectors, never its write
modules. Times are Vietnam time written `yyyyMMddHHmmss`, as the national systems exchange them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from onestop_tayninh.calendars.engine import VIETNAM_TZ
from onestop_tayninh.catalog.constants import Channel
from onestop_tayninh.dossiers.constants import DeskStatus, DraftKind, EventAction
from onestop_tayninh.dossiers.events import payload_of
from onestop_tayninh.dossiers.models import Dossier, DossierDocument, DossierEvent, IssuedDocument
from onestop_tayninh.dossiers.selectors import desk_status

#: KenhThucHien: 1 direct, 2 online, 3 post [check]. Zalo is an online channel; a tracked-only
#: dossier received by the competent agency itself is direct.
CHANNELS = {
    Channel.DESK: 1,
    Channel.AGENCY: 1,
    Channel.ONLINE: 2,
    Channel.ZALO: 2,
    Channel.POST: 3,
}

#: TrangThaiHoSo: the dossier's one status (dossiers.selectors.desk_status) as a national code [check].
STATUSES = {
    DeskStatus.RECEIVED: 1,
    DeskStatus.IN_PROGRESS: 2,
    DeskStatus.AWAITING_CITIZEN: 3,
    DeskStatus.RESULT_READY: 4,
    DeskStatus.RETURNED: 5,
    DeskStatus.REFUSED: 6,
    DeskStatus.WITHDRAWN: 7,
    DeskStatus.STOPPED: 8,
}

#: DuocThanhToanTrucTuyen: 0 not paid online, 1 through the national payment platform, 2 through a
#: local gateway [check]. Our provider codes (payments.contrib): paygov is the national platform.
NATIONAL_PAYMENT_METHODS = frozenset({"paygov"})
OFFLINE_PAYMENT_METHODS = frozenset({"counter", ""})

#: The workflow step effects that pause the clock for the citizen's supplement, and resume it.
PAUSE, RESUME = "request_supplement", "supply_supplement"


#: What the desk shows for each field of a message (officials never read the raw JSON).
FIELD_LABELS = {
    "MaHoSo": "Mã hồ sơ",
    "MaTTHC": "Mã thủ tục",
    "TenTTHC": "Tên thủ tục",
    "KenhThucHien": "Kênh thực hiện (1 trực tiếp, 2 trực tuyến, 3 bưu chính)",
    "TrangThaiHoSo": "Trạng thái hồ sơ (mã quốc gia)",
    "NgayTiepNhan": "Ngày tiếp nhận",
    "NgayHenTra": "Ngày hẹn trả",
    "NgayKetThucXuLy": "Ngày kết thúc xử lý",
    "SoLanBoSung": "Số lần yêu cầu bổ sung",
    "DanhSachTamDung": "Các lần tạm dừng chờ bổ sung",
    "NgayBatDau": "từ",
    "NgayKetThuc": "đến",
    "DuocThanhToanTrucTuyen": "Thanh toán trực tuyến (0 không, 1 nền tảng quốc gia, 2 cổng địa phương)",
    "MaKetQua": "Số, ký hiệu kết quả",
    "DuongDanTepTinKetQua": "Đường dẫn tra cứu kết quả",
    "KetQuaDienTu": "Kết quả điện tử",
    "DuocSoHoa": "Được số hóa",
    "HoSoCoThanhPhanSoHoa": "Số thành phần đã số hóa",
    "DuocLayTuKhoDMQG": "Dùng lại dữ liệu từ kho",
}


def national_time(moment: dt.datetime | None) -> str:
    """`yyyyMMddHHmmss` in Vietnam time; empty when there is no time."""
    if moment is None:
        return ""
    return moment.astimezone(VIETNAM_TZ).strftime("%Y%m%d%H%M%S")


def _supplement_periods(events: list[DossierEvent]) -> list[dict[str, str]]:
    periods: list[dict[str, str]] = []
    for event in events:
        effect = getattr(payload_of(event), "effect", None) if event.action == EventAction.TRANSITION else None
        if effect == PAUSE:
            periods.append({"NgayBatDau": national_time(event.at), "NgayKetThuc": ""})
        elif effect == RESUME and periods and not periods[-1]["NgayKetThuc"]:
            periods[-1]["NgayKetThuc"] = national_time(event.at)
    return periods


def _online_payment(events: list[DossierEvent]) -> int:
    methods = {
        str(getattr(payload_of(event), "method", ""))
        for event in events
        if event.action == EventAction.PAYMENT_RECEIVED
    } - OFFLINE_PAYMENT_METHODS
    if not methods:
        return 0
    return 1 if methods & NATIONAL_PAYMENT_METHODS else 2


def _result(dossier: Dossier) -> tuple[str, str]:
    """MaKetQua (number/symbol of the issued result) and the link that opens its public check page."""
    issued = (
        IssuedDocument.objects.filter(dossier=dossier, kind=DraftKind.RESULT)
        .order_by("-issued_at")
        .values("number", "symbol", "check_code")
        .first()
    )
    if issued is None:
        return "", ""
    link = (
        f"{settings.ONESTOP_SITE_URL.rstrip('/')}{reverse('portal:verify_result')}"
        f"?ma={dossier.code}&kt={issued['check_code']}"
    )
    return f"{issued['number']}/{issued['symbol']}", link


def dossier_message(dossier: Dossier) -> dict[str, Any]:
    """The national message for the dossier as it stands now (the state after the change it reports)."""
    events = list(
        DossierEvent.objects.filter(dossier=dossier)
        .filter(Q(action=EventAction.TRANSITION) | Q(action=EventAction.PAYMENT_RECEIVED))
        .only("action", "at", "data")
        .order_by("at", "pk")
    )
    documents = DossierDocument.objects.filter(dossier=dossier)
    digitised = documents.exclude(file="").count()
    reused = documents.filter(
        Q(reused_from__isnull=False) | Q(reused_document__isnull=False) | Q(reused_result__isnull=False)
    ).exists()
    result_code, result_link = _result(dossier)
    return {
        "MaHoSo": dossier.code or "",
        "MaTTHC": dossier.procedure_version.procedure.code,
        "TenTTHC": dossier.procedure_version.name,
        "KenhThucHien": CHANNELS.get(Channel(dossier.channel), 1),
        "TrangThaiHoSo": STATUSES[desk_status(dossier)],
        "NgayTiepNhan": national_time(dossier.received_at),
        "NgayHenTra": national_time(dossier.due_at),
        "NgayKetThucXuLy": national_time(dossier.closed_at),
        "SoLanBoSung": dossier.supplement_count,
        "DanhSachTamDung": _supplement_periods(events),
        "DuocThanhToanTrucTuyen": _online_payment(events),
        "MaKetQua": result_code,
        "DuongDanTepTinKetQua": result_link,
        "KetQuaDienTu": 1 if dossier.result_electronic else 0,
        "DuocSoHoa": 1 if digitised else 0,
        "HoSoCoThanhPhanSoHoa": digitised,
        "DuocLayTuKhoDMQG": 1 if reused else 0,
    }
