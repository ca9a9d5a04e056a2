"""Forms an official would sign (issue 16, point 12): what was handed in, the register book, the
place and date line, Form 02's number, the refusal after appraisal, the apology's bodies and the
control sheet's receivers. Each test renders the form from dossiers that went through the services.
"""

import re
import threading

import pytest

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from onestop_tayninh.core.models import Task
from onestop_tayninh.directory.models import Agency, ReceptionDesk, unit_place_name
from onestop_tayninh.dossiers.actions import dossier_apologise, dossier_transition
from onestop_tayninh.dossiers.applicants import Applicant
from onestop_tayninh.dossiers.models import DossierEvent
from onestop_tayninh.dossiers.results import outgoing_number_next
from onestop_tayninh.dossiers.services import (
    PaperCounts,
    dossier_accept,
    dossier_document_add,
    dossier_refuse,
    dossier_request_completion,
    dossier_start,
)
from onestop_tayninh.printing.form_contexts import form_context, render_form, signature_lines, vn_date_line
from onestop_tayninh.printing.models import OutgoingNumber
from onestop_tayninh.printing.selectors import control_sheet_rows, refused_at_desk
from onestop_tayninh.printing.services import document_generate
from onestop_tayninh.workflows.constants import StateKind
from onestop_tayninh.workflows.models import State
from tests.portal.conftest import citizen, filled_draft, online  # noqa: F401 - fixtures

from .conftest import local, pdf, receive_full, start, user

pytestmark = pytest.mark.django_db

JUSTICE = "000.00.02.H53"


def act(dossier, username, transition, at, **kwargs):
    return dossier_transition(dossier=dossier, actor=user(username), transition=transition, at=at, **kwargs)


def context_of(dossier, kind, at=None):
    return form_context(dossier=dossier, kind=kind, at=at)[1]


def apologise(dossier, *, at):
    """The justice department's head apologises for the department's delay, with a new appointment."""
    return dossier_apologise(
        dossier=dossier,
        actor=user("lanhdao.tuphap"),
        reason="Phải xác minh thông tin hộ tịch tại địa phương khác.",
        responsible_agency=Agency.objects.get(code=JUSTICE),
        new_due_at=local(2027, 3, 10, 17, 0),
        at=at,
    )


# --- 1. the receipt lists what was handed in ------------------------------------------------------


def _counted(world, counts, *, at=None):
    """A counter dossier whose components were handed in as `counts` (one PaperCounts per component)."""
    at = at or local(2027, 3, 1, 8, 0)
    clerk = user("tiepnhan.tinh")
    dossier = dossier_start(
        desk=world["desk"],
        officer=clerk,
        procedure_version=world["justice"],
        applicant=Applicant(full_name="Lê Thị Hồng", cccd="072190004567", phone="0912345678"),
        at=at,
    )
    for requirement, paper in zip(world["justice"].documents.all(), counts, strict=True):
        dossier_document_add(dossier=dossier, requirement=requirement, file=pdf(), officer=clerk, at=at, counts=paper)
    return dossier_accept(dossier=dossier, officer=clerk, at=at)


def test_receipt_lists_the_paper_handed_in_not_the_procedures_numbers(world, as_pdf):
    requirements = list(world["justice"].documents.all())
    counts = [PaperCounts(originals=0, certified_copies=2, photocopies=3)] + [
        PaperCounts(originals=1) for _ in requirements[1:]
    ]
    dossier = _counted(world, counts)
    documents = context_of(dossier, "receipt")["documents"]
    assert [(row["name"], row["originals"], row["certified"], row["copies"]) for row in documents] == [
        (requirement.name, paper.originals, paper.certified_copies, paper.photocopies)
        for requirement, paper in zip(requirements, counts, strict=True)
    ]
    # The procedure asks for one original of the first component: the receipt says what came.
    assert requirements[0].originals == 1
    text = as_pdf(render_form(dossier=dossier, kind="receipt")).flat_text()
    assert f"1 {requirements[0].name} 0 2 3" in text
    assert "Hình thức, số lượng đã nhận" in text


def test_a_component_handed_in_twice_counts_what_came_with_its_last_file(world):
    at = local(2027, 3, 1, 8, 0)
    clerk = user("tiepnhan.tinh")
    dossier = start(world, at=at)  # every component with the procedure's numbers
    first = world["justice"].documents.first()
    dossier_document_add(
        dossier=dossier, requirement=first, file=pdf("lai.pdf"), officer=clerk, at=at, counts=PaperCounts(photocopies=2)
    )
    dossier = dossier_accept(dossier=dossier, officer=clerk, at=at)
    row = context_of(dossier, "receipt")["documents"][0]
    assert (row["originals"], row["certified"], row["copies"], row["electronic"]) == (0, 0, 2, False)
    assert row["files"] == ["tep.pdf", "lai.pdf"]


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        (PaperCounts(), "hãy ghi số bản chính, bản sao chứng thực hoặc bản chụp đã nhận (ít nhất một bản)"),
        (PaperCounts(originals=-1, photocopies=2), "số bản không được âm"),
        (PaperCounts(originals=100), "mỗi loại bản tối đa 99 bản"),
    ],
)
def test_a_component_without_paper_or_with_bad_counts_is_refused_and_nothing_kept(world, counts, message):
    dossier = start(world)
    before = dossier.documents.count()
    requirement = world["justice"].documents.first()
    with pytest.raises(ValidationError, match=re.escape(message)) as error:
        dossier_document_add(
            dossier=dossier,
            requirement=requirement,
            file=pdf(),
            officer=user("tiepnhan.tinh"),
            at=local(2027, 3, 1, 8, 5),
            counts=counts,
        )
    assert error.value.messages[0].startswith(requirement.name)
    assert dossier.documents.count() == before


def test_receipt_of_an_online_dossier_lists_its_electronic_files(online, citizen, as_pdf):  # noqa: F811
    from onestop_tayninh.portal.services import draft_submit

    at = local(2027, 3, 1, 8, 0)
    dossier = draft_submit(draft=filled_draft(online, citizen, at=at), citizen=citizen, at=at)
    dossier = dossier_accept(dossier=dossier, officer=user("tiepnhan.tinh"), at=local(2027, 3, 1, 9, 0))
    documents = context_of(dossier, "receipt")["documents"]
    requirements = list(online["online"].documents.all())
    assert [(row["name"], row["electronic"], row["files"]) for row in documents] == [
        (requirement.name, True, [f"{requirement.pk}.pdf"]) for requirement in requirements
    ]
    text = as_pdf(render_form(dossier=dossier, kind="receipt")).flat_text()
    assert text.count("Bản điện tử") == len(requirements)
    assert f"Tệp: {requirements[0].pk}.pdf" in text


# --- 2. the register book number ------------------------------------------------------------------


def test_receipt_prints_the_desks_register_book_number(world, as_pdf):
    ReceptionDesk.objects.filter(pk=world["desk"].pk).update(register_book="02/2027")
    text = as_pdf(render_form(dossier=receive_full(world), kind="receipt")).flat_text()
    assert "Vào Sổ theo dõi hồ sơ năm 2027, Quyển số: 02/2027, Số thứ tự: 1" in text


def test_receipt_leaves_the_book_number_to_the_pen_when_the_desk_has_none(world, as_pdf):
    ReceptionDesk.objects.filter(pk=world["desk"].pk).update(register_book="")
    text = as_pdf(render_form(dossier=receive_full(world), kind="receipt")).flat_text()
    assert "Quyển số: .........., Số thứ tự: 1" in text


def test_the_register_names_its_book(world, as_pdf):
    from onestop_tayninh.printing.register_book import register_pdf

    ReceptionDesk.objects.filter(pk=world["desk"].pk).update(register_book="02/2027")
    receive_full(world)
    desk = ReceptionDesk.objects.select_related("agency__unit", "agency__parent").get(pk=world["desk"].pk)
    day = local(2027, 3, 1).date()
    text = as_pdf(register_pdf(desk=desk, date_from=day, date_to=day)).flat_text()
    assert "quyển số 02/2027" in text and "Tây Ninh, ngày" in text


# --- 3. the place and date line ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "place"),
    [
        ("Tỉnh Tây Ninh", "Tây Ninh"),
        ("Huyện Tân Biên", "Tân Biên"),
        ("Thành phố Tây Ninh", "Tây Ninh"),
        ("Thị xã Hòa Thành", "Hòa Thành"),
        ("Thị trấn Tân Biên", "Tân Biên"),
        ("Xã Bình Minh", "Bình Minh"),
        ("Phường Long Hoa", "Long Hoa"),
        # Named by a number: the full name (Nghị định 30/2020, Phụ lục I).
        ("Phường 1", "Phường 1"),
        ("Quận 10", "Quận 10"),
    ],
)
def test_a_units_place_name_drops_the_kind_word_except_for_numbered_units(name, place):
    from onestop_tayninh.directory.models import AdministrativeUnit

    assert unit_place_name(AdministrativeUnit(name=name)) == place


@pytest.mark.parametrize(
    ("moment", "line"),
    [
        (local(2027, 3, 5, 9, 0), "Tân Biên, ngày 05 tháng 3 năm 2027"),
        (local(2027, 1, 15, 9, 0), "Tân Biên, ngày 15 tháng 01 năm 2027"),
        (local(2027, 2, 1, 9, 0), "Tân Biên, ngày 01 tháng 02 năm 2027"),
        (local(2027, 12, 24, 9, 0), "Tân Biên, ngày 24 tháng 12 năm 2027"),
    ],
)
def test_date_line_pads_days_below_ten_and_only_january_and_february(moment, line):
    assert vn_date_line("Tân Biên", moment) == line


def _at_desk(world, desk_code, officer, *, at):
    """A dossier of the justice procedure received at another desk of the province."""
    desk = ReceptionDesk.objects.get(code=desk_code)
    world["justice"].receiving_desks.add(desk)
    return receive_full({**world, "desk": desk}, officer=officer, at=at)


def test_a_district_desks_receipt_is_dated_at_the_district(world, as_pdf):
    dossier = _at_desk(world, "bpmc-tanbien", "tiepnhan.tanbien", at=local(2027, 3, 1, 8, 0))
    text = as_pdf(render_form(dossier=dossier, kind="receipt")).flat_text()
    assert "Tân Biên, ngày 01 tháng 3 năm 2027" in text and "Tây Ninh, ngày" not in text


def test_a_commune_desks_form_is_dated_at_the_commune(world, as_pdf):
    desk = ReceptionDesk.objects.get(code="bpmc-hoathanh-longhoa")
    world["justice"].receiving_desks.add(desk)
    dossier = start({**world, "desk": desk}, officer="tiepnhan.longhoa")
    dossier = dossier_request_completion(
        dossier=dossier, officer=user("tiepnhan.longhoa"), items=["Tờ khai"], reason="", at=local(2027, 2, 3, 9, 0)
    )
    text = as_pdf(render_form(dossier=dossier, kind="supplement_request")).flat_text()
    assert "Long Hoa, ngày 03 tháng 02 năm 2027" in text


def test_an_agencys_own_place_name_wins_over_its_units(world, as_pdf):
    Agency.objects.filter(code="000.00.31.H53").update(place_name="Thị trấn Tân Biên")
    dossier = _at_desk(world, "bpmc-tanbien", "tiepnhan.tanbien", at=local(2027, 3, 1, 8, 0))
    assert context_of(dossier, "receipt")["date_line"] == "Thị trấn Tân Biên, ngày 01 tháng 3 năm 2027"


def test_the_desk_edits_the_place_name_and_the_register_book(client, world):
    from onestop_tayninh.accounts.models import User

    client.force_login(User.objects.create_superuser("quantri-test", "qt@example.vn", "Mat-khau-quan-tri-2026"))
    agency = Agency.objects.get(code="000.00.31.H53")
    page = client.get(f"/desk/directory/agency/{agency.pk}/change/").content.decode()
    assert 'name="place_name"' in page and "Địa danh trên văn bản" in page
    page = client.get(f"/desk/directory/receptiondesk/{world['desk'].pk}/change/").content.decode()
    assert 'name="register_book"' in page and "Quyển số sổ theo dõi hồ sơ" in page


def test_loading_the_site_again_keeps_the_edited_settings(world):
    from onestop_tayninh.core.site_config import load_site

    ReceptionDesk.objects.filter(pk=world["desk"].pk).update(register_book="05/2027")
    Agency.objects.filter(code=JUSTICE).update(place_name="Tây Ninh (trụ sở)")
    load_site("tayninh", only={"agencies.yaml", "desks.yaml"})
    assert ReceptionDesk.objects.get(pk=world["desk"].pk).register_book == "05/2027"
    assert Agency.objects.get(code=JUSTICE).place_name == "Tây Ninh (trụ sở)"


# --- 4. every form numbered from the issuing body's one register of outgoing documents -----------


def _completion(world, at, **applicant):
    dossier = start(world, at=at, **applicant)
    return dossier_request_completion(
        dossier=dossier, officer=user("tiepnhan.tinh"), items=["Bản sao giấy chứng sinh"], reason="", at=at
    )


def test_form_02_takes_the_desks_next_number_of_the_year(world, as_pdf):
    first = _completion(world, local(2027, 3, 1, 8, 30))
    second = _completion(world, local(2027, 3, 1, 9, 30), cccd="072190009999")
    assert "Số: 01/YCBS" in as_pdf(render_form(dossier=first, kind="supplement_request")).flat_text()
    assert "Số: 02/YCBS" in as_pdf(render_form(dossier=second, kind="supplement_request")).flat_text()
    # Printed again later, a form keeps its number.
    assert context_of(first, "supplement_request", at=local(2027, 3, 9, 8, 0))["number"] == "01/YCBS"
    # Numbers start again from 01 on 1 January.
    next_year = _completion(world, local(2028, 1, 4, 8, 0), cccd="072190008888")
    assert context_of(next_year, "supplement_request")["number"] == "01/YCBS"


def test_a_rolled_back_form_02_gives_its_number_back(world):
    dossier = start(world)
    with pytest.raises(RuntimeError), transaction.atomic():
        dossier_request_completion(
            dossier=dossier, officer=user("tiepnhan.tinh"), items=["Tờ khai"], reason="", at=local(2027, 3, 1, 9, 0)
        )
        raise RuntimeError("rollback")
    again = _completion(world, local(2027, 3, 1, 9, 30), cccd="072190009999")
    assert context_of(again, "supplement_request")["number"] == "01/YCBS"


@pytest.mark.django_db(transaction=True)
def test_two_officers_asking_at_once_get_two_numbers(world):
    dossiers = [start(world, cccd=f"07219000{i:04d}") for i in range(2)]
    officers = [user("tiepnhan.tinh"), user("tiepnhan.tinh2")]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def ask(dossier, officer):
        try:
            barrier.wait(timeout=30)
            dossier_request_completion(
                dossier=dossier, officer=officer, items=["Tờ khai"], reason="", at=local(2027, 3, 1, 9, 0)
            )
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=pair) for pair in zip(dossiers, officers, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(OutgoingNumber.objects.values_list("number", flat=True)) == [1, 2]


def test_the_handling_bodys_forms_and_its_clerks_results_share_one_register(world, as_pdf):
    justice = Agency.objects.get(code=JUSTICE)
    dossier = receive_full(world)
    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 0))
    dossier = act(dossier, "lanhdao.tuphap", "phan-cong", local(2027, 3, 1, 10, 0), assignee=user("chuyenvien.tuphap"))
    dossier = act(dossier, "chuyenvien.tuphap", "yeu-cau-bo-sung", local(2027, 3, 2, 9, 0), comment="Thiếu trích lục.")
    # Asked during handling, Form 02 is the department's: its register, not the desk's, numbers it.
    assert context_of(dossier, "supplement_request")["number"] == "01/YCBS"
    assert OutgoingNumber.objects.get().agency == justice
    dossier = apologise(dossier, at=local(2027, 3, 4, 8, 0))
    assert "Số: 02/XL" in as_pdf(render_form(dossier=dossier, kind="apology")).flat_text()
    # The records clerk's next signed result continues the same sequence of the year.
    with transaction.atomic():
        assert outgoing_number_next(agency=justice, year=2027) == 3
    # The desk's own forms are its body's, which keeps a sequence of its own.
    desk_form = _completion(world, local(2027, 3, 5, 8, 0), cccd="072190009999")
    assert context_of(desk_form, "supplement_request")["number"] == "01/YCBS"
    assert OutgoingNumber.objects.get(event__dossier=desk_form).agency == world["desk"].agency


def test_the_forms_page_shows_each_issued_forms_number_and_what_waits_for_the_clerk(world, client):
    dossier = _appraised(world)
    dossier = apologise(dossier, at=local(2027, 3, 2, 8, 0))
    dossier = act(dossier, "chuyenvien.tuphap", "de-xuat-tu-choi", local(2027, 3, 2, 9, 0), comment=REASON)
    apology = dossier.events.get(action="apology")
    document_generate(dossier=dossier, kind="apology", at=apology.at)
    document_generate(dossier=dossier, kind="refusal_notice", at=local(2027, 3, 2, 9, 0))
    client.force_login(user("lanhdao.tuphap"))
    html = client.get(f"/desk/in/ho-so/{dossier.pk}/").content.decode()
    assert "<strong>01/XL</strong>" in html
    # The refusal notice is the head's draft until the records clerk numbers and signs it.
    assert "Dự thảo, văn thư cấp số khi phát hành" in html


# --- 5. a refusal after appraisal is the competent body's notice ------------------------------------


def _appraised(world, at=None):
    at = at or local(2027, 3, 1, 8, 0)
    dossier = receive_full(world, at=at)
    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", at.replace(hour=9))
    return act(dossier, "lanhdao.tuphap", "phan-cong", at.replace(hour=10), assignee=user("chuyenvien.tuphap"))


REASON = "Người yêu cầu không thuộc trường hợp được đăng ký lại khai sinh theo Điều 24 Nghị định 123/2015/NĐ-CP."


def test_refusal_proposed_after_appraisal_is_the_departments_notice_signed_by_its_head(world, as_pdf):
    dossier = _appraised(world)
    dossier = act(dossier, "chuyenvien.tuphap", "de-xuat-tu-choi", local(2027, 3, 2, 9, 0), comment=REASON)
    # The notice is drawn at once as the draft the head approves (dossiers.results), never the desk's Form 03.
    assert dossier.result_drafts.get().file
    kinds = [task.kwargs["kind"] for task in Task.objects.filter(kwargs__dossier_id=dossier.pk)]
    assert "refusal" not in kinds
    text = as_pdf(render_form(dossier=dossier, kind="refusal_notice")).flat_text()
    for value in [
        "ỦY BAN NHÂN DÂN TỈNH TÂY NINH SỞ TƯ PHÁP TỈNH TÂY NINH",  # the competent body's heading
        "Tây Ninh, ngày 02 tháng 3 năm 2027",
        "THÔNG BÁO Về việc không giải quyết hồ sơ thủ tục hành chính",
        f"Mã hồ sơ: {dossier.code}",
        "Kính gửi: Lê Thị Hồng",
        "Trung tâm Phục vụ hành chính công tỉnh Tây Ninh đã tiếp nhận hồ sơ",
        "Sở Tư pháp tỉnh Tây Ninh không giải quyết hồ sơ nêu trên với lý do như sau:",
        REASON,
        # A deputy signs on the director's behalf (Nghị định 30/2020).
        "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC (Ký, ghi rõ họ tên và đóng dấu) Nguyễn Văn Hùng",
        "Nơi nhận:",
    ]:
        assert value in text, value
    assert "PHIẾU TỪ CHỐI" not in text and "Mẫu số" not in text
    with pytest.raises(ValidationError, match="chỉ dùng khi từ chối ngay tại bộ phận một cửa"):
        render_form(dossier=dossier, kind="refusal")
    # The applicant finds it with the dossier's other documents on the portal.
    from onestop_tayninh.portal.selectors import CITIZEN_DOCUMENT_KINDS

    assert "refusal_notice" in CITIZEN_DOCUMENT_KINDS


def test_the_desk_prints_the_refusal_notice_of_a_dossier(world, client):
    dossier = _appraised(world)
    dossier = act(dossier, "chuyenvien.tuphap", "de-xuat-tu-choi", local(2027, 3, 2, 9, 0), comment=REASON)
    client.force_login(user("tiepnhan.tinh"))
    listing = client.get(f"/desk/in/ho-so/{dossier.pk}/").content.decode()
    assert (
        f"/desk/in/ho-so/{dossier.pk}/mau/refusal_notice/" in listing and "Thông báo không giải quyết hồ sơ" in listing
    )
    response = client.get(f"/desk/in/ho-so/{dossier.pk}/mau/refusal_notice/")
    assert response.status_code == 200 and response.getvalue().startswith(b"%PDF-")


def test_refusal_by_the_handling_officer_is_signed_by_the_head_and_drawn_up_by_the_officer(world, as_pdf):
    dossier = _appraised(world)
    dossier = act(dossier, "chuyenvien.tuphap", "de-xuat-tu-choi", local(2027, 3, 2, 9, 0), comment=REASON)
    context = context_of(dossier, "refusal_notice")
    assert (context["signer"], context["drawn_up_by"]) == (
        user("lanhdao.tuphap").full_name,
        user("chuyenvien.tuphap").full_name,
    )
    text = as_pdf(render_form(dossier=dossier, kind="refusal_notice")).flat_text()
    assert f"Người lập: {user('chuyenvien.tuphap').full_name}" in text


def test_a_refusal_at_the_counter_is_still_form_03(world):
    dossier = dossier_refuse(
        dossier=start(world),
        officer=user("tiepnhan.tinh"),
        reason="Không thuộc thẩm quyền.",
        at=local(2027, 3, 1, 8, 20),
    )
    assert [task.kwargs["kind"] for task in Task.objects.filter(kwargs__dossier_id=dossier.pk)] == ["refusal"]
    assert context_of(dossier, "refusal")["form"].number == "03"
    with pytest.raises(ValidationError, match="in Phiếu từ chối tiếp nhận giải quyết hồ sơ"):
        render_form(dossier=dossier, kind="refusal_notice")


def test_a_workflow_refusal_from_the_desks_step_counts_as_at_the_desk():
    desk_step, agency_step = State(kind=StateKind.AT_DESK), State(kind=StateKind.AT_AGENCY)
    assert refused_at_desk(DossierEvent(action="refused"))
    assert refused_at_desk(DossierEvent(action="transition", from_state=desk_step))
    assert not refused_at_desk(DossierEvent(action="transition", from_state=agency_step))


@pytest.mark.parametrize(
    ("kind", "position", "lines"),
    [
        ("department", "Phó Giám đốc Sở", ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]),
        ("department", "Giám đốc", ["GIÁM ĐỐC"]),
        ("people_committee", "Phó Chủ tịch UBND huyện", ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]),
        ("people_committee", "Chủ tịch UBND thị trấn", ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]),
        ("people_committee", "", ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]),
        ("department", "", ["THỦ TRƯỞNG CƠ QUAN"]),
    ],
)
def test_signature_lines_follow_decree_30(kind, position, lines):
    assert signature_lines(Agency(kind=kind), position) == lines


# --- 6. the apology names the body that received the dossier ---------------------------------------


def test_apology_names_the_receiving_centre_and_the_agency_that_was_late(world, as_pdf):
    at = local(2027, 3, 1, 8, 0)
    dossier = receive_full(world, at=at)
    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", at.replace(hour=9))
    dossier = apologise(dossier, at=local(2027, 3, 4, 8, 0))
    text = as_pdf(render_form(dossier=dossier, kind="apology")).flat_text()
    assert (
        "Vào lúc 08 giờ 00 phút, ngày 01/03/2027, Trung tâm Phục vụ hành chính công tỉnh Tây Ninh đã tiếp nhận" in text
    )
    assert "Sở Tư pháp tỉnh Tây Ninh đã tiếp nhận" not in text
    assert "Tuy nhiên đến nay, Sở Tư pháp tỉnh Tây Ninh (cơ quan, đơn vị để xảy ra chậm trễ) chưa trả kết quả" in text
    assert "Tây Ninh, ngày 04 tháng 3 năm 2027" in text
    assert "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC" in text


# --- 7. the control sheet names the receiver of every hand-over -------------------------------------


def test_control_sheet_names_who_received_each_hand_over_and_when(world, as_pdf):
    dossier = _appraised(world)
    dossier = act(
        dossier,
        "chuyenvien.tuphap",
        "trinh-duyet",
        local(2027, 3, 2, 9, 0),
        comment="Đủ điều kiện.",
        result_file=pdf("du-thao.pdf"),
    )
    rows = control_sheet_rows(dossier)
    head, officer, clerk = (user(name).full_name for name in ("lanhdao.tuphap", "chuyenvien.tuphap", "tiepnhan.tinh"))
    assert [(row.giver, row.receiver, row.received_at) for row in rows] == [
        ("Lê Thị Hồng", clerk, local(2027, 3, 1, 8, 0)),  # the receipt
        (clerk, head, local(2027, 3, 1, 10, 0)),  # transferred: taken up by the head, who assigned it
        (head, officer, local(2027, 3, 1, 10, 0)),  # assigned by name
        (officer, "", None),  # submitted for approval: nobody has acted on it yet
    ]
    text = as_pdf(render_form(dossier=dossier, kind="control_sheet", at=local(2027, 3, 2, 10, 0))).flat_text()
    assert f"Người giao: {clerk} Nhận: 10:00 ngày 01/03/2027 Người nhận: {head}" in text
    assert "Người nhận: chưa nhận" in text
    dossier = act(dossier, "lanhdao.tuphap", "tra-lai", local(2027, 3, 2, 15, 0), comment="Bổ sung căn cứ.")
    rows = control_sheet_rows(dossier)
    assert (rows[3].receiver, rows[3].received_at) == (head, local(2027, 3, 2, 15, 0))
    # Sent back for another appraisal: nobody has taken it up yet.
    assert rows[4].giver == head and (rows[4].receiver, rows[4].received_at) == ("", None)


def test_control_sheet_gives_the_supplement_request_to_the_applicant(world):
    dossier = _appraised(world)
    dossier = act(dossier, "chuyenvien.tuphap", "yeu-cau-bo-sung", local(2027, 3, 2, 9, 0), comment="Thiếu trích lục.")
    last = control_sheet_rows(dossier)[-1]
    assert (last.receiver, last.received_at) == ("Lê Thị Hồng", local(2027, 3, 2, 9, 0))


def test_control_sheet_names_the_consulted_bodies_and_who_answered(world):
    from onestop_tayninh.dossiers.actions import consultation_answer

    dossier = receive_full(world, procedure="land")
    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 0))
    dossier = act(dossier, "lanhdao.vpdkdd", "phan-cong", local(2027, 3, 1, 10, 0), assignee=user("chuyenvien.vpdkdd"))
    tax = Agency.objects.get(code="000.00.21.H53")
    dossier = act(dossier, "chuyenvien.vpdkdd", "lay-y-kien", local(2027, 3, 2, 9, 0), consult_agencies=[tax])
    consultation = dossier.consultations.get()
    consultation_answer(
        consultation=consultation, actor=user("chuyenvien.thue"), answer="Đã nộp thuế.", at=local(2027, 3, 3, 9, 0)
    )
    rows = control_sheet_rows(dossier)
    asked, answered = rows[-2], rows[-1]
    answerer = user("chuyenvien.thue").full_name
    assert (asked.receiver_agency, asked.receiver, asked.received_at) == (
        tax.name,
        f"{answerer} ({tax.name})",
        local(2027, 3, 3, 9, 0),
    )
    assert (answered.giver, answered.receiver) == (answerer, user("chuyenvien.vpdkdd").full_name)
