"""A correction of the applicant's data after receipt (issue #17, point 5): the receipt (Form 01) issued
again is marked as corrected, with the date and the reason; the register shows the correction on the line."""

import pytest

from onestop_tayninh.core.models import Task
from onestop_tayninh.dossiers.services import dossier_correct_applicant
from onestop_tayninh.printing.jobs import document_generate_job
from onestop_tayninh.printing.models import GeneratedDocument
from onestop_tayninh.printing.register_book import register_table

from .conftest import local, receive_full, user

pytestmark = pytest.mark.django_db

REASON = "Ghi sai tên đệm khi tiếp nhận."


def corrected(world):
    dossier = receive_full(world)
    return dossier_correct_applicant(
        dossier=dossier,
        actor=user("tiepnhan.tinh"),
        changes={"full_name": "Lê Thị Hồng Nhung", "address": "Ấp Long Hòa, xã Long Thành Bắc"},
        reason=REASON,
        at=local(2027, 3, 2, 10, 30),
    )


def test_the_receipt_is_issued_again_marked_as_corrected(world, as_pdf):
    dossier = corrected(world)
    (task,) = [
        task
        for task in Task.objects.filter(kwargs__dossier_id=dossier.pk, kwargs__kind="receipt")
        if task.kwargs["at"] == local(2027, 3, 2, 10, 30).isoformat()
    ]
    document = GeneratedDocument.objects.get(pk=document_generate_job(**task.kwargs))
    text = as_pdf(document.file.read()).flat_text()
    assert "ĐÃ ĐIỀU CHỈNH" in text
    assert "bản điều chỉnh ngày 02/03/2027" in text
    assert f"Lý do: {REASON}" in text
    assert "Họ và tên: “Lê Thị Hồng” thành “Lê Thị Hồng Nhung”" in text
    assert "Lê Thị Hồng Nhung" in text and dossier.code in text
    # The receipt as first issued (before the correction) carries no such mark.
    first = GeneratedDocument.objects.get(
        pk=document_generate_job(dossier.pk, "receipt", local(2027, 3, 1, 8).isoformat())
    )
    assert "ĐÃ ĐIỀU CHỈNH" not in as_pdf(first.file.read()).flat_text()


def test_the_register_shows_the_correction_on_the_dossiers_line(world):
    dossier = corrected(world)
    (row,) = [
        r
        for r in register_table(
            desk=world["desk"], date_from=local(2027, 3, 1).date(), date_to=local(2027, 3, 1).date()
        )
        if r[1] == dossier.code
    ]
    assert row[4] == "Lê Thị Hồng Nhung"
    assert row[-1] == f"Đã điều chỉnh thông tin người nộp ngày 02/03/2027 ({REASON})"
