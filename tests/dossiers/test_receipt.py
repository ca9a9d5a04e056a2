"""The receipt check at the one-stop desk: Form 01 (receive), Form 02 (complete it), Form 03 (refuse)."""

import datetime as dt

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile

from onestop_tayninh.dossiers.constants import DossierStatus, EventAction, FormsVersion
from onestop_tayninh.dossiers.models import Dossier, DossierDocument
from onestop_tayninh.dossiers.selectors import missing_requirements
from onestop_tayninh.dossiers.services import (
    dossier_accept,
    dossier_document_add,
    dossier_refuse,
    dossier_request_completion,
)
from tests.factories import DeskFactory, OfficialFactory, receiving_world

from .conftest import PDF_BYTES, PNG_BYTES, local, pdf
from .helpers import attach_all, complete_dossier, start

pytestmark = pytest.mark.django_db


def test_three_working_days_received_before_tet_are_due_after_tet(world):
    # Tết 2027: Thursday 4 to Wednesday 10 February are rest days.
    dossier = dossier_accept(dossier=complete_dossier(world), officer=world["officer"], at=local(2027, 2, 3, 10, 0))
    assert dossier.due_at == local(2027, 2, 15, 17, 0)
    assert dossier.status == DossierStatus.RECEIVED
    assert dossier.received_at == local(2027, 2, 3, 10, 0)
    assert dossier.received_by == world["officer"]


@pytest.mark.parametrize(
    ("channel", "due"),
    # At the counter on the Friday of Tết, a rest day: the receipt day is not counted and the
    # working days after it are, so the first is day one. Online, it counts from the next
    # opening, whose day is itself not counted: one day later.
    [("desk", (2027, 2, 15, 17, 0)), ("online", (2027, 2, 16, 17, 0))],
)
def test_received_on_the_friday_of_tet(world, channel, due):
    dossier = complete_dossier(world)
    Dossier.objects.filter(pk=dossier.pk).update(channel=channel)
    dossier.refresh_from_db()
    dossier = dossier_accept(dossier=dossier, officer=world["officer"], at=local(2027, 2, 5, 10, 0))
    assert dossier.due_at == local(*due)


@pytest.mark.parametrize(
    ("received", "due"),
    [((2027, 3, 5, 14, 30), (2027, 3, 5, 17, 0)), ((2027, 3, 5, 15, 30), (2027, 3, 8, 17, 0))],
    ids=["before-cutoff-same-day", "after-cutoff-next-working-day"],
)
def test_same_day_procedure_respects_its_cutoff(received, due):
    world = receiving_world(amount=0, same_day_cutoff=dt.time(15, 0))
    dossier = dossier_accept(dossier=complete_dossier(world), officer=world["officer"], at=local(*received))
    assert dossier.due_at == local(*due)


def test_forms_version_follows_the_receipt_date(world):
    before = dossier_accept(dossier=complete_dossier(world), officer=world["officer"], at=local(2025, 9, 12, 9, 0))
    after = dossier_accept(dossier=complete_dossier(world), officer=world["officer"], at=local(2025, 9, 15, 9, 0))
    assert before.forms_version == FormsVersion.CIRCULAR_01_2018
    assert after.forms_version == FormsVersion.CIRCULAR_03_2025


def test_accept_with_a_missing_required_document_is_refused_and_changes_nothing(world):
    dossier = start(world)
    form = world["version"].documents.get(name="Tờ khai")
    dossier_document_add(
        dossier=dossier, requirement=form, file=pdf(), officer=world["officer"], at=local(2027, 3, 3, 9)
    )
    assert [r.name for r in missing_requirements(dossier)] == ["Giấy chứng sinh"]
    with pytest.raises(ValidationError) as excinfo:
        dossier_accept(dossier=dossier, officer=world["officer"], at=local(2027, 3, 3, 9, 30))
    assert "Giấy chứng sinh" in excinfo.value.messages[0]
    assert "Tờ khai" not in excinfo.value.messages[0]
    dossier.refresh_from_db()
    assert (dossier.status, dossier.code, dossier.received_at, dossier.due_at) == (
        DossierStatus.TO_CHECK,
        None,
        None,
        None,
    )
    assert not dossier.events.filter(action=EventAction.ACCEPTED).exists()


def test_optional_documents_are_not_missing(world):
    world["version"].documents.filter(name="Giấy chứng sinh").update(requirement="optional")
    dossier = start(world)
    assert [r.name for r in missing_requirements(dossier)] == ["Tờ khai"]


@pytest.mark.parametrize("cccd", ["07209000123", "0720900012345", "07209000123a"])
def test_invalid_cccd_is_refused(world, cccd):
    with pytest.raises(ValidationError) as excinfo:
        start(world, cccd=cccd)
    assert "12 chữ số" in " ".join(excinfo.value.messages)
    assert not Dossier.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [("giay-chung-sinh.pdf", PNG_BYTES), ("giay-chung-sinh.pdf", b"Day khong phai PDF\n" * 20)],
    ids=["png-bytes-named-pdf", "text-bytes-named-pdf"],
)
def test_file_whose_content_is_not_an_accepted_type_is_refused(name, content):
    world = receiving_world(accepted_types=["pdf"])
    dossier = start(world)
    requirement = world["version"].documents.get(name="Giấy chứng sinh")
    with pytest.raises(ValidationError) as excinfo:
        dossier_document_add(
            dossier=dossier,
            requirement=requirement,
            file=ContentFile(content, name=name),
            officer=world["officer"],
            at=local(2027, 3, 3, 9),
        )
    assert "không đúng định dạng" in excinfo.value.messages[0]
    assert not DossierDocument.objects.exists()


def test_png_is_accepted_where_images_are_and_its_real_type_is_recorded(world):
    dossier = start(world)
    requirement = world["version"].documents.get(name="Giấy chứng sinh")
    document = dossier_document_add(
        dossier=dossier,
        requirement=requirement,
        file=ContentFile(PNG_BYTES, name="anh chup giấy.png"),
        officer=world["officer"],
        at=local(2027, 3, 3, 9),
        issuer="Bệnh viện Đa khoa Tây Ninh",
        number="123/GCS",
    )
    assert document.content_type == "image/png"
    assert document.original_name == "anh chup giấy.png"
    assert document.file.name.startswith("dossiers/") and document.file.name.endswith(".png")
    assert document.document_type == requirement.document_type


def test_oversize_file_is_refused(world, settings):
    settings.ONESTOP_MAX_UPLOAD_MB = 1
    dossier = start(world)
    requirement = world["version"].documents.get(name="Tờ khai")
    big = ContentFile(PDF_BYTES + b"0" * (1024 * 1024), name="to-khai.pdf")
    with pytest.raises(ValidationError) as excinfo:
        dossier_document_add(
            dossier=dossier, requirement=requirement, file=big, officer=world["officer"], at=local(2027, 3, 3, 9)
        )
    assert "quá lớn" in excinfo.value.messages[0] and "1,0\xa0MB" in excinfo.value.messages[0]
    assert not DossierDocument.objects.exists()


def test_request_completion_records_the_list_and_issues_no_code(world):
    dossier = start(world)
    dossier = dossier_request_completion(
        dossier=dossier,
        officer=world["officer"],
        items=["Tờ khai đăng ký khai sinh (bản chính)", "Giấy chứng sinh"],
        reason="Thiếu thành phần hồ sơ",
        at=local(2027, 3, 3, 9, 30),
    )
    assert dossier.status == DossierStatus.INCOMPLETE
    assert dossier.code is None
    event = dossier.events.get(action=EventAction.COMPLETION_REQUESTED)
    assert event.data["items"] == ["Tờ khai đăng ký khai sinh (bản chính)", "Giấy chứng sinh"]
    assert event.actor == world["officer"]
    with pytest.raises(ValidationError):
        dossier_accept(dossier=dossier, officer=world["officer"], at=local(2027, 3, 3, 10))


def test_request_completion_needs_the_list(world):
    with pytest.raises(ValidationError):
        dossier_request_completion(
            dossier=start(world), officer=world["officer"], items=[" "], reason="", at=local(2027, 3, 3, 9)
        )


def test_refuse_requires_a_reason_records_it_and_issues_no_code(world):
    dossier = start(world)
    with pytest.raises(ValidationError):
        dossier_refuse(dossier=dossier, officer=world["officer"], reason="  ", at=local(2027, 3, 3, 9, 30))
    dossier = dossier_refuse(
        dossier=dossier, officer=world["officer"], reason="Không thuộc thẩm quyền", at=local(2027, 3, 3, 9, 30)
    )
    assert dossier.status == DossierStatus.REFUSED
    assert dossier.code is None
    assert dossier.events.get(action=EventAction.REFUSED).comment == "Không thuộc thẩm quyền"


def test_accept_records_an_event_with_the_code(world):
    dossier = dossier_accept(dossier=complete_dossier(world), officer=world["officer"], at=local(2027, 3, 3, 9, 30))
    event = dossier.events.get(action=EventAction.ACCEPTED)
    assert event.data["code"] == dossier.code
    assert event.at == local(2027, 3, 3, 9, 30)


def test_officer_of_another_desk_may_not_receive(world):
    elsewhere = OfficialFactory(agency=world["agency"], roles=["receiving_officer"])
    elsewhere.desks.add(DeskFactory(agency=world["agency"]))
    dossier = complete_dossier(world)
    with pytest.raises(PermissionDenied) as excinfo:
        dossier_accept(dossier=dossier, officer=elsewhere.user, at=local(2027, 3, 3, 9, 30))
    assert "không làm việc tại" in str(excinfo.value)


def test_official_without_the_receiving_role_may_not_receive(world):
    head = OfficialFactory(agency=world["agency"], roles=["agency_head"])
    head.desks.add(world["desk"])
    with pytest.raises(PermissionDenied):
        dossier_accept(dossier=complete_dossier(world), officer=head.user, at=local(2027, 3, 3, 9, 30))


def test_procedure_not_received_at_this_desk_is_refused_at_start(world):
    other = receiving_world()
    with pytest.raises(ValidationError) as excinfo:
        start({**world, "version": other["version"]})
    assert "không được tiếp nhận tại" in excinfo.value.messages[0]


def test_search_finds_by_name_with_or_without_diacritics_and_by_cccd(world):
    dossier = start(world, full_name="Lê Thị Đào", cccd="072190005678")
    start(world, full_name="Phạm Văn Hùng", cccd="072090009999")
    for text in ["Lê Thị Đào", "le thi dao", "LE THI D", "ĐÀO", "dao", "072190005678"]:
        assert list(Dossier.objects.search(text)) == [dossier], text
    assert list(Dossier.objects.search("thi")) == [dossier]  # any word of the name, the middle name too


@pytest.mark.parametrize(
    ("channel", "due"),
    [
        # Received at the counter at 17:30 on Wednesday: that day is the receipt day (not counted),
        # so three working days end on Monday.
        ("desk", (2027, 3, 8, 17, 0)),
        ("post", (2027, 3, 8, 17, 0)),
        # Sent online at the same hour: it counts from Thursday's opening, so one day later.
        ("online", (2027, 3, 9, 17, 0)),
    ],
)
def test_after_hours_only_an_online_dossier_counts_from_the_next_opening(world, channel, due):
    dossier = attach_all(world, start(world, at=local(2027, 3, 3, 17, 20)))
    Dossier.objects.filter(pk=dossier.pk).update(channel=channel)  # an online dossier arrives by the portal
    dossier.refresh_from_db()
    accepted = dossier_accept(dossier=dossier, officer=world["officer"], at=local(2027, 3, 3, 17, 30))
    assert accepted.due_at == local(*due)
