"""In a real browser, at 1366 px: the desk's own loop (issue #17, points 4, 5 and 6). The receiving officer
scans a supplement into the dossier, corrects the applicant's data after receipt, and cancels an
abandoned counter draft; each bad input is answered in Vietnamese and changes nothing."""

from pathlib import Path

import pytest

from django.utils import timezone

from onestop_tayninh.accounts.models import User
from onestop_tayninh.core.models import Task
from onestop_tayninh.dossiers.actions import dossier_transition
from onestop_tayninh.dossiers.applicants import Applicant
from onestop_tayninh.dossiers.constants import DossierStatus
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.services import dossier_accept, dossier_document_add, dossier_start
from onestop_tayninh.security.models import AuditEvent
from tests.factories import PASSWORD, receiving_world
from tests.support import tiny_pdf

from .test_closed_loop import province  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/shots/deskloop")
PDF = tiny_pdf()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def received(version, *, name="Phạm Thị Thu Hà") -> Dossier:
    """A walk-in dossier received at the provincial centre now (handed over to Sở Tư pháp on receipt)."""
    from django.core.files.base import ContentFile

    from onestop_tayninh.directory.models import ReceptionDesk

    clerk, now = User.objects.get(username="tiepnhan.tinh"), timezone.now()
    dossier = dossier_start(
        desk=ReceptionDesk.objects.get(code="ttphcc-tinh"),
        officer=clerk,
        procedure_version=version,
        applicant=Applicant(full_name=name, cccd="072195001122", phone="0987654321", address="Khu phố 1"),
        at=now,
    )
    for requirement in version.documents.all():
        dossier_document_add(
            dossier=dossier, requirement=requirement, file=ContentFile(PDF, "tep.pdf"), officer=clerk, at=now
        )
    return dossier_accept(dossier=dossier, officer=clerk, at=now)


def test_receiving_officer_scans_the_supplement_at_the_counter(live_server, official_login, province, tmp_path):  # noqa: F811
    dossier = received(province)
    head, handler = User.objects.get(username="lanhdao.tuphap"), User.objects.get(username="chuyenvien.tuphap")
    dossier = dossier_transition(
        dossier=dossier, actor=head, transition="phan-cong", at=timezone.now(), assignee=handler
    )
    dossier = dossier_transition(
        dossier=dossier,
        actor=handler,
        transition="yeu-cau-bo-sung",
        at=timezone.now(),
        comment="Bản sao sổ hộ tịch\nGiấy xác nhận nơi cư trú",
    )
    good, bad = tmp_path / "so-ho-tich.pdf", tmp_path / "cu-tru.pdf"
    good.write_bytes(PDF)
    bad.write_bytes(b"this is not a scan")
    before = dossier.documents.count()

    context, page = official_login("tiepnhan.tinh")
    page.goto(f"{live_server.url}/desk/dossiers/dossier/{dossier.pk}/change/")
    card = page.locator("#supplement-card")
    assert "Đã nhận hồ sơ bổ sung — lần bổ sung 1" in card.inner_text()
    # One bad scan: the officer is told which paper, and nothing of the supplement is kept.
    card.get_by_label("Bản sao sổ hộ tịch", exact=True).set_input_files(str(good))
    card.get_by_label("Giấy xác nhận nơi cư trú", exact=True).set_input_files(str(bad))
    card.get_by_role("button", name="Nhận hồ sơ bổ sung và lưu tệp").click()
    page.wait_for_selector(".messagelist .error")
    assert "Giấy xác nhận nơi cư trú:" in page.locator(".messagelist").inner_text()
    shot(page, "supplement-bad-file")
    assert dossier.documents.count() == before
    assert Dossier.objects.get(pk=dossier.pk).state.code == "cho-bo-sung"

    card.get_by_label("Bản sao sổ hộ tịch", exact=True).set_input_files(str(good))
    card.get_by_label("Giấy xác nhận nơi cư trú", exact=True).set_input_files(str(good))
    shot(page, "supplement-card-filled")
    card.get_by_role("button", name="Nhận hồ sơ bổ sung và lưu tệp").click()
    page.wait_for_selector("text=Đã nhận hồ sơ bổ sung (2 tệp)")
    shot(page, "supplement-received")
    assert page.locator("#supplement-card").count() == 0
    # The dossier's files: each paper under the item it answered, marked with its round.
    files = page.locator(".dossier-documents").inner_text()
    assert "Bản sao sổ hộ tịch bổ sung lần 1" in files and "Giấy xác nhận nơi cư trú bổ sung lần 1" in files
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.state.code == "tham-dinh" and dossier.paused_at is None
    assert list(dossier.documents.order_by("pk").values_list("supplement_round", flat=True)[before:]) == [1, 1]
    context.close()


def test_receiving_officer_corrects_the_applicants_data_with_a_reason(live_server, official_login, province):  # noqa: F811
    dossier = received(province, name="Phạm Thị Thu Hả")
    context, page = official_login("tiepnhan.tinh")
    page.goto(f"{live_server.url}/desk/dossiers/dossier/{dossier.pk}/change/")
    card = page.locator("#correction-card")
    card.get_by_text("Điều chỉnh thông tin người nộp").click()  # folded until opened
    card.get_by_label("Họ và tên").fill("Phạm Thị Thu Hà")
    # No reason: refused, nothing changed.
    card.get_by_role("button", name="Lưu điều chỉnh").click()
    page.wait_for_selector("text=Hãy nêu lý do điều chỉnh thông tin người nộp.")
    assert page.get_by_text("Thông tin người nộp chưa được điều chỉnh:").is_visible()
    assert Dossier.objects.get(pk=dossier.pk).full_name == "Phạm Thị Thu Hả"
    # A CCCD of the wrong shape: refused, nothing changed (the name typed with it neither).
    card = page.locator("#correction-card")
    card.get_by_label("Số CCCD").fill("07219500112")
    card.get_by_label("Lý do điều chỉnh").fill("Ghi sai dấu tên và số CCCD.")
    card.get_by_role("button", name="Lưu điều chỉnh").click()
    page.wait_for_selector("text=Số CCCD: Số CCCD phải gồm đúng 12 chữ số.")
    shot(page, "correction-bad-cccd")
    assert Dossier.objects.get(pk=dossier.pk).cccd == "072195001122"
    # The form comes back with what was typed: only the refused value is to fix.
    card = page.locator("#correction-card")
    assert card.get_by_label("Họ và tên").input_value() == "Phạm Thị Thu Hà"
    assert card.get_by_label("Số CCCD").input_value() == "07219500112"
    assert card.get_by_label("Lý do điều chỉnh").input_value() == "Ghi sai dấu tên và số CCCD."
    card.get_by_label("Số CCCD").fill("072195001123")
    card.get_by_label("Lý do điều chỉnh").fill("Ghi sai dấu tên và số CCCD khi tiếp nhận.")
    card.get_by_role("button", name="Lưu điều chỉnh").click()
    page.wait_for_selector("text=giấy tiếp nhận được cấp lại (bản điều chỉnh)")
    history = page.locator(".dossier-table.history").inner_text()
    assert "Điều chỉnh thông tin người nộp" in history
    assert "Họ và tên: “Phạm Thị Thu Hả” → “Phạm Thị Thu Hà”" in history
    assert "Số CCCD: “072195001122” → “072195001123”" in history
    shot(page, "correction-saved")
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert (dossier.full_name, dossier.cccd) == ("Phạm Thị Thu Hà", "072195001123")
    assert AuditEvent.objects.filter(action="applicant_corrected", object_id=str(dossier.pk)).count() == 1
    assert Task.objects.filter(kwargs__dossier_id=dossier.pk, kwargs__kind="receipt").count() == 2
    context.close()


def test_receiving_officer_cancels_an_abandoned_counter_draft(live_server, official_login):
    world = receiving_world()
    dossier = dossier_start(
        desk=world["desk"],
        officer=world["officer"],
        procedure_version=world["version"],
        applicant=Applicant(full_name="Nguyễn Văn Bỏ Dở", cccd="072090001234"),
        at=timezone.now(),
    )
    context, page = official_login(world["officer"].username, PASSWORD)
    page.goto(f"{live_server.url}/desk/dossiers/dossier/{dossier.pk}/change/")
    card = page.locator("#cancel-draft-card")
    card.get_by_role("button", name="Hủy hồ sơ nháp").click()
    page.wait_for_selector("text=Hãy nêu lý do hủy hồ sơ nháp.")
    shot(page, "draft-cancel-no-reason")
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.TO_CHECK

    page.locator("#cancel-draft-card").get_by_label("Lý do hủy").fill("Người nộp bỏ về, không quay lại.")
    page.locator("#cancel-draft-card").get_by_role("button", name="Hủy hồ sơ nháp").click()
    page.wait_for_selector(f"text=Đã hủy hồ sơ nháp #{dossier.pk}; không lập phiếu từ chối.")
    shot(page, "draft-cancelled-list")
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.status == DossierStatus.CANCELLED
    assert not dossier.events.filter(action="refused").exists()
    # Back in the desk's queue of dossiers to check, which the draft has left.
    assert "hop=tiep-nhan" in page.url and "Nguyễn Văn Bỏ Dở" not in page.content()
    context.close()
