"""The desk's own loop after receipt (issue #17, points 4 and 5): a supplement brought back to the counter
is scanned into the dossier with its round; the applicant's data is corrected with a reason, audited."""

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile

from onestop_tayninh.core.models import Task
from onestop_tayninh.directory.models import Agency, ReceptionDesk
from onestop_tayninh.dossiers.events import ApplicantCorrected, payload_of
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.selectors import supplement_request_items
from onestop_tayninh.dossiers.services import SupplementScan, dossier_correct_applicant, dossier_supplement_receive
from onestop_tayninh.portal.selectors import citizen_timeline
from onestop_tayninh.security.models import AuditEvent

from ..factories import OfficialFactory
from .conftest import local, pdf, receive, user
from .test_paths import act

pytestmark = pytest.mark.django_db

# The EICAR anti-virus test file: harmless, and detected by every scanner.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
ASKED = "Bản sao sổ hộ tịch\nGiấy xác nhận nơi cư trú"


def awaiting_supplement(world):
    """Received at the provincial centre, handed to Sở Tư pháp, which asks the applicant for two papers."""
    dossier = receive(world)
    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 0))
    dossier = act(dossier, "lanhdao.tuphap", "phan-cong", local(2027, 3, 1, 10, 0), assignee=user("chuyenvien.tuphap"))
    return act(dossier, "chuyenvien.tuphap", "yeu-cau-bo-sung", local(2027, 3, 2, 9, 0), comment=ASKED)


def scans(*files):
    items = supplement_request_items(Dossier.objects.get(pk=files[0][0])) if files else []
    return [SupplementScan(item=items[i], requirement=None, file=file) for i, (_pk, file) in enumerate(files)]


# --- point 4: the supplement scanned at the counter ---------------------------------------------------


def test_receiving_officer_scans_the_supplement_into_the_dossier_with_its_round(world):
    dossier = awaiting_supplement(world)
    assert dossier.current_agency.code == "000.00.02.H53"  # held by Sở Tư pháp, not by the desk
    assert supplement_request_items(dossier) == ["Bản sao sổ hộ tịch", "Giấy xác nhận nơi cư trú"]
    before = dossier.documents.count()
    dossier = dossier_supplement_receive(
        dossier=dossier,
        officer=user("tiepnhan.tinh"),
        scans=scans((dossier.pk, pdf("so-ho-tich.pdf")), (dossier.pk, pdf("xac-nhan-cu-tru.pdf"))),
        at=local(2027, 3, 4, 9, 0),
    )
    assert dossier.state.code == "tham-dinh" and dossier.paused_at is None
    assert dossier.paused_seconds == 2 * 8 * 3600  # the clock resumed as with the button alone
    added = list(dossier.documents.order_by("pk")[before:])
    assert [(d.original_name, d.supplement_round, d.uploaded_by.username) for d in added] == [
        ("so-ho-tich.pdf", 1, "tiepnhan.tinh"),
        ("xac-nhan-cu-tru.pdf", 1, "tiepnhan.tinh"),
    ]
    step = dossier.events.filter(action="transition").latest("pk")
    assert step.actor.username == "tiepnhan.tinh" and step.data["effect"] == "supply_supplement"
    assert "Bản sao sổ hộ tịch" in step.comment
    added_events = dossier.events.filter(action="document_added", at=local(2027, 3, 4, 9, 0))
    assert [e.data["supplement_round"] for e in added_events] == [1, 1]
    assert [e.data["name"] for e in added_events] == ["Bản sao sổ hộ tịch", "Giấy xác nhận nơi cư trú"]


def test_an_infected_file_keeps_nothing_of_the_supplement(world, settings):
    dossier = awaiting_supplement(world)
    before = (dossier.documents.count(), dossier.state_id, dossier.lock_version)
    stored_before = _stored_files(settings)
    with pytest.raises(ValidationError) as refused:
        dossier_supplement_receive(
            dossier=dossier,
            officer=user("tiepnhan.tinh"),
            scans=scans((dossier.pk, pdf("tot.pdf")), (dossier.pk, ContentFile(b"%PDF-1.4\n" + EICAR, "x.pdf"))),
            at=local(2027, 3, 4, 9, 0),
        )
    assert "Giấy xác nhận nơi cư trú" in " ".join(refused.value.messages)
    # The virus is refused by the upload gate, and its audit row outlives the refusal.
    assert AuditEvent.objects.filter(action="virus_found").exists()
    dossier.refresh_from_db()
    assert (dossier.documents.count(), dossier.state_id, dossier.lock_version) == before
    assert _stored_files(settings) == stored_before


def test_supplement_needs_a_scan_and_the_receiving_desk(world):
    dossier = awaiting_supplement(world)
    with pytest.raises(ValidationError, match="Hãy quét ít nhất một giấy tờ"):
        dossier_supplement_receive(dossier=dossier, officer=user("tiepnhan.tinh"), scans=[], at=local(2027, 3, 4, 9))
    other_desk = ReceptionDesk.objects.exclude(pk=world["desk"].pk).filter(agency__code="000.00.31.H53").first()
    stranger = OfficialFactory(agency=other_desk.agency, roles=["receiving_officer"])
    stranger.desks.add(other_desk)
    with pytest.raises(PermissionDenied):
        dossier_supplement_receive(
            dossier=dossier, officer=stranger.user, scans=scans((dossier.pk, pdf())), at=local(2027, 3, 4, 9)
        )
    dossier.refresh_from_db()
    assert dossier.state.code == "cho-bo-sung"


def _stored_files(settings) -> set[str]:
    root = settings.MEDIA_ROOT
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


# --- point 5: corrections after receipt -----------------------------------------------------------------


def test_correction_changes_the_data_records_before_and_after_and_reissues_the_receipt(world):
    dossier = receive(world)
    dossier = dossier_correct_applicant(
        dossier=dossier,
        actor=user("tiepnhan.tinh"),
        changes={"full_name": "Lê Thị Hồng Nhung", "cccd": "072190004576", "phone": "0912345678"},
        reason="Ghi sai tên đệm và hai số cuối CCCD khi tiếp nhận.",
        at=local(2027, 3, 1, 10, 0),
    )
    dossier.refresh_from_db()
    assert (dossier.full_name, dossier.cccd) == ("Lê Thị Hồng Nhung", "072190004576")
    event = dossier.events.get(action="applicant_corrected")
    payload = payload_of(event)
    assert isinstance(payload, ApplicantCorrected)
    # The phone was sent unchanged: only what changed is recorded.
    assert payload.changes() == [
        ("Họ và tên", "Lê Thị Hồng", "Lê Thị Hồng Nhung"),
        ("Số CCCD", "072190004567", "072190004576"),
    ]
    assert event.comment == payload.reason == "Ghi sai tên đệm và hai số cuối CCCD khi tiếp nhận."
    audit = AuditEvent.objects.get(action="applicant_corrected", object_id=str(dossier.pk))
    assert audit.actor_repr == "tiepnhan.tinh" and audit.data["before"] == ["Lê Thị Hồng", "072190004567"]
    # Form 01 is issued again as of the correction.
    receipts = Task.objects.filter(kwargs__dossier_id=dossier.pk, kwargs__kind="receipt")
    assert sorted(task.kwargs["at"] for task in receipts) == [
        local(2027, 3, 1, 8, 0).isoformat(),
        local(2027, 3, 1, 10, 0).isoformat(),
    ]
    # The applicant reads it in their own timeline (the portal, the receipt's link).
    entry = citizen_timeline(dossier)[-1]
    assert (entry.text, entry.detail) == (
        "Bộ phận một cửa điều chỉnh thông tin người nộp hồ sơ",
        "Ghi sai tên đệm và hai số cuối CCCD khi tiếp nhận.",
    )
    # The search finds the dossier by the corrected given name, and by the corrected CCCD.
    assert Dossier.objects.search("nhung").filter(pk=dossier.pk).exists()
    assert Dossier.objects.search("072190004576").filter(pk=dossier.pk).exists()


BAD_CORRECTIONS = [
    ({"full_name": "Lê Thị Hồng Nhung"}, "  ", "Hãy nêu lý do điều chỉnh"),
    ({"full_name": "Lê Thị Hồng", "cccd": "072190004567"}, "Kiểm tra lại", "không có gì thay đổi"),
    ({"cccd": "07219000"}, "Ghi sai CCCD", "Số CCCD phải gồm đúng 12 chữ số."),
    ({"phone": "09-ABC"}, "Ghi sai số điện thoại", "Số điện thoại không hợp lệ"),
    ({"full_name": ""}, "Xóa tên", "Hãy nhập họ và tên người nộp hồ sơ."),
    ({"code": "X"}, "Sửa mã", "Không điều chỉnh được thông tin"),
]


def test_bad_correction_says_why_and_changes_nothing(world):
    dossier = receive(world)
    for changes, reason, message in BAD_CORRECTIONS:
        with pytest.raises(ValidationError) as refused:
            dossier_correct_applicant(
                dossier=dossier, actor=user("tiepnhan.tinh"), changes=changes, reason=reason, at=local(2027, 3, 1, 10)
            )
        assert message in " ".join(refused.value.messages), changes
        fresh = Dossier.objects.get(pk=dossier.pk)
        assert (fresh.full_name, fresh.cccd, fresh.phone, fresh.lock_version) == (
            "Lê Thị Hồng",
            "072190004567",
            "0912345678",
            dossier.lock_version,
        )
    assert not dossier.events.filter(action="applicant_corrected").exists()
    assert not AuditEvent.objects.filter(action="applicant_corrected").exists()


def test_only_the_receiving_agency_corrects_and_only_before_the_dossier_is_closed(world):
    dossier = receive(world)
    for username in ("chuyenvien.tuphap", "lanhdao.tuphap"):
        with pytest.raises(PermissionDenied):
            dossier_correct_applicant(
                dossier=dossier, actor=user(username), changes={"address": "Ấp 3"}, reason="x", at=local(2027, 3, 1, 10)
            )
    elsewhere = OfficialFactory(agency=Agency.objects.get(code="000.00.31.H53"), roles=["receiving_officer"]).user
    with pytest.raises(PermissionDenied, match="Chỉ cơ quan đã tiếp nhận hồ sơ"):
        dossier_correct_applicant(
            dossier=dossier, actor=elsewhere, changes={"address": "Ấp 3"}, reason="x", at=local(2027, 3, 1, 10)
        )
    dossier = act(dossier, "tiepnhan.tinh", "rut-tai-mot-cua", local(2027, 3, 1, 11, 0), comment="Công dân xin rút.")
    assert dossier.closed_at is not None
    with pytest.raises(ValidationError, match="chưa kết thúc"):
        dossier_correct_applicant(
            dossier=dossier, actor=user("tiepnhan.tinh"), changes={"address": "Ấp 3"}, reason="x", at=local(2027, 3, 2)
        )
