"""Every form of both legal sets, rendered from dossiers that went through the real services.

Each test reads the PDF back with poppler (pdftotext, pdfinfo, pdffonts) and decodes the
QR code with zbar, and checks the fields docs/domain.md §6 lists for that form.
"""

import pytest

from django.core.exceptions import ValidationError

from onestop_tayninh.directory.models import Agency
from onestop_tayninh.dossiers.actions import dossier_apologise, dossier_transition
from onestop_tayninh.dossiers.services import dossier_refuse, dossier_request_completion
from onestop_tayninh.printing.form_contexts import render_form

from .conftest import A5, local, pdf, receive_full, start, user

pytestmark = pytest.mark.django_db

JUSTICE = "000.00.02.H53"
HOTLINE = "0276 3 822 123"  # sites/tayninh/site.yaml


def act(dossier, username, transition, at, **kwargs):
    return dossier_transition(dossier=dossier, actor=user(username), transition=transition, at=at, **kwargs)


def expected_qr(dossier, title, identifier="072190004567"):
    return "\n".join(
        [
            f"Mã hồ sơ: {dossier.code or ''}",
            f"Mã thủ tục: {dossier.procedure_version.procedure.code}",
            f"Số định danh: {identifier}",
            f"Tên giấy tờ: {title}",
        ]
    )


def assert_official_layout(doc, *, form_number, circular):
    text = doc.flat_text()
    assert doc.page_size() == pytest.approx(A5, abs=0.1)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert f"Mẫu số {form_number}" in text and circular in text
    assert "Trang 1/" in text
    fonts = doc.fonts()
    assert "Form-Serif" in fonts
    # Every font line of pdffonts says "yes" under "emb": the Vietnamese font travels with the file.
    font_lines = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert font_lines and all(" yes " in line for line in font_lines)
    return text


# --- Form 01 --------------------------------------------------------------------------------------


def test_receipt_shows_every_field_of_form_01(world, as_pdf):
    dossier = receive_full(world)
    doc = as_pdf(render_form(dossier=dossier, kind="receipt", at=local(2027, 3, 1, 8, 5)))
    text = assert_official_layout(doc, form_number="01", circular="Thông tư số 03/2025/TT-VPCP")
    assert doc.pages() == 1
    for value in [
        "Trung tâm Phục vụ hành chính công tỉnh Tây Ninh".upper(),  # issuing desk
        "Số: 0001/TNHS",  # number
        f"Mã hồ sơ: {dossier.code}",
        "Tây Ninh, ngày 01 tháng 3 năm 2027",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Lê Thị Hồng",
        "072190004567",
        "Số 12 đường Cách Mạng Tháng Tám, Phường 3, thành phố Tây Ninh",
        "0912345678",
        "le.thi.hong@example.vn",
        f"{dossier.procedure_version.name} (mã thủ tục {dossier.procedure_version.procedure.code})",
        "Bản chính",
        "Bản sao chứng thực",
        "Số lượng hồ sơ: 01 (bộ)",
        "5 ngày làm việc",
        "08 giờ 00 phút, ngày 01/03/2027",  # received
        "17 giờ 00 phút, ngày 08/03/2027",  # appointment
        "Đăng ký nhận kết quả tại: Trung tâm Phục vụ hành chính công tỉnh Tây Ninh, 83 Phạm Tung",
        "Vào Sổ theo dõi hồ sơ năm 2027, Quyển số: 01, Số thứ tự: 1",
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "Nguyễn Thị Lan",  # the receiving officer
        HOTLINE,
    ]:
        assert value in text, value
    for requirement in world["justice"].documents.all():
        assert requirement.name in text
    assert doc.qr() == expected_qr(dossier, "Giấy tiếp nhận hồ sơ và hẹn trả kết quả")


def test_receipt_entry_number_follows_the_desk_register(world, as_pdf):
    receive_full(world, at=local(2027, 3, 1, 8, 0))
    second = receive_full(world, at=local(2027, 3, 1, 9, 0), full_name="Trần Văn Bình", cccd="072190009999")
    text = as_pdf(render_form(dossier=second, kind="receipt")).flat_text()
    assert "Số: 0002/TNHS" in text and "Số thứ tự: 2" in text


def test_receipt_names_the_postal_address_when_the_result_goes_by_post(world, as_pdf):
    dossier = receive_full(world, return_method="post", return_address="Ấp Thạnh Hiệp, xã Thạnh Tây, huyện Tân Biên")
    text = as_pdf(render_form(dossier=dossier, kind="receipt")).flat_text()
    assert "Qua bưu chính công ích: Ấp Thạnh Hiệp, xã Thạnh Tây, huyện Tân Biên" in text


# --- Form 02 --------------------------------------------------------------------------------------


def test_supplement_request_lists_every_item_with_reason_and_contact(world, as_pdf):
    dossier = start(world)
    dossier = dossier_request_completion(
        dossier=dossier,
        officer=user("tiepnhan.tinh"),
        items=["Bản sao Giấy chứng nhận kết hôn của cha mẹ", "Tờ khai ghi thiếu ngày sinh của trẻ"],
        reason="Hồ sơ chưa đủ thành phần theo quy định.",
        at=local(2027, 3, 1, 8, 30),
    )
    doc = as_pdf(render_form(dossier=dossier, kind="supplement_request", at=local(2027, 3, 1, 8, 30)))
    text = assert_official_layout(doc, form_number="02", circular="Thông tư số 03/2025/TT-VPCP")
    for value in [
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "Lê Thị Hồng",
        dossier.procedure_version.name,
        "1. Bản sao Giấy chứng nhận kết hôn của cha mẹ",
        "2. Tờ khai ghi thiếu ngày sinh của trẻ",
        "Lý do: Hồ sơ chưa đủ thành phần theo quy định.",
        "Nguyễn Thị Lan",  # contact person and signing officer
        "0900000101",  # her phone (sites/tayninh/officials.yaml)
        "NGƯỜI HƯỚNG DẪN",
    ]:
        assert value in text, value
    # Not received: no dossier code yet, the QR carries an empty code.
    assert doc.qr() == expected_qr(dossier, "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")


def test_supplement_request_during_resolution_uses_the_officials_request(world, as_pdf):
    dossier = receive_full(world)
    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 0))
    dossier = act(dossier, "lanhdao.tuphap", "phan-cong", local(2027, 3, 1, 10, 0), assignee=user("chuyenvien.tuphap"))
    dossier = act(
        dossier, "chuyenvien.tuphap", "yeu-cau-bo-sung", local(2027, 3, 2, 9, 0), comment="Thiếu bản sao sổ hộ tịch."
    )
    text = as_pdf(render_form(dossier=dossier, kind="supplement_request")).flat_text()
    assert "1. Thiếu bản sao sổ hộ tịch." in text
    assert "SỞ TƯ PHÁP TỈNH TÂY NINH" in text


# --- Form 03 --------------------------------------------------------------------------------------


def test_refusal_states_the_specific_reason(world, as_pdf):
    dossier = start(world)
    dossier = dossier_refuse(
        dossier=dossier,
        officer=user("tiepnhan.tinh"),
        reason="Thủ tục không thuộc thẩm quyền tiếp nhận của Trung tâm.",
        at=local(2027, 3, 1, 8, 20),
    )
    doc = as_pdf(render_form(dossier=dossier, kind="refusal", at=local(2027, 3, 1, 8, 20)))
    text = assert_official_layout(doc, form_number="03", circular="Thông tư số 03/2025/TT-VPCP")
    for value in [
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        "Lê Thị Hồng",
        "072190004567",
        dossier.procedure_version.name,
        "Thủ tục không thuộc thẩm quyền tiếp nhận của Trung tâm.",
        "Nguyễn Thị Lan",
    ]:
        assert value in text, value
    assert doc.qr() == expected_qr(dossier, "Phiếu từ chối tiếp nhận giải quyết hồ sơ")


# --- Form 04 --------------------------------------------------------------------------------------


def _apologised(world, *, at):
    dossier = receive_full(world, at=at)
    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", at.replace(hour=9))
    return dossier_apologise(
        dossier=dossier,
        actor=user("lanhdao.tuphap"),
        reason="Phải xác minh thông tin hộ tịch tại địa phương khác.",
        responsible_agency=Agency.objects.get(code=JUSTICE),
        new_due_at=dossier.due_at.replace(day=dossier.due_at.day + 2),
        at=at.replace(day=at.day + 3),
    )


def test_apology_names_reason_agency_and_both_dates_2025(world, as_pdf):
    dossier = _apologised(world, at=local(2027, 3, 1, 8, 0))
    doc = as_pdf(render_form(dossier=dossier, kind="apology"))
    text = assert_official_layout(doc, form_number="04", circular="Thông tư số 03/2025/TT-VPCP")
    for value in [
        "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
        "Kính gửi: Lê Thị Hồng",
        "08 giờ 00 phút, ngày 01/03/2027",  # received
        dossier.code,
        dossier.procedure_version.name,
        "17 giờ 00 phút, ngày 08/03/2027",  # original appointment
        "Phải xác minh thông tin hộ tịch tại địa phương khác.",
        "Tuy nhiên đến nay, Sở Tư pháp tỉnh Tây Ninh (cơ quan, đơn vị để xảy ra chậm trễ)",
        "xin lỗi",
        "đề nghị được gia hạn",
        "17 giờ 00 phút, ngày 10/03/2027",  # new appointment
        "SỞ TƯ PHÁP TỈNH TÂY NINH",  # issued by the head's agency
    ]:
        assert value in text, value
    head = user("lanhdao.tuphap")
    assert head.full_name in text
    assert doc.qr() == expected_qr(dossier, "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết")


def test_apology_2018_is_form_04_with_a_new_date(world, as_pdf):
    dossier = _apologised(world, at=local(2025, 3, 3, 8, 0))
    assert dossier.forms_version == "2018"
    text = as_pdf(render_form(dossier=dossier, kind="apology")).flat_text()
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text and "Thông tư số 01/2018/TT-VPCP" in text
    assert "Mẫu số 04" in text and "gia hạn" not in text


# --- Form 05 (2025): stop processing --------------------------------------------------------------


def test_stop_notice_2025_gives_the_reason(world, as_pdf):
    dossier = receive_full(world)
    dossier = act(
        dossier,
        "tiepnhan.tinh",
        "rut-tai-mot-cua",
        local(2027, 3, 1, 10, 0),
        comment="Người nộp có đơn đề nghị rút hồ sơ.",
    )
    doc = as_pdf(render_form(dossier=dossier, kind="stop_notice"))
    text = assert_official_layout(doc, form_number="05", circular="Thông tư số 03/2025/TT-VPCP")
    for value in [
        "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
        "Lê Thị Hồng",
        dossier.code,
        dossier.procedure_version.name,
        "10 giờ 00 phút, ngày 01/03/2027",
        "Người nộp có đơn đề nghị rút hồ sơ.",
        "Vào lúc 08 giờ 00 phút, ngày 01/03/2027, Trung tâm Phục vụ hành chính công tỉnh Tây Ninh đã tiếp nhận",
        # The agency's head signs and seals; the officer who recorded the withdrawal drew it up.
        "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ",
        "(Ký, ghi rõ họ tên, đóng dấu)",
        "Người lập: Nguyễn Thị Lan",
        # Numbered from the register of the body that stopped the handling, when it was issued.
        "Số: 01/TB-DGQ",
    ]:
        assert value in text, value
    assert doc.qr() == expected_qr(dossier, "Thông báo dừng giải quyết hồ sơ")


def test_stop_notice_does_not_exist_in_the_2018_set(world):
    dossier = receive_full(world, at=local(2025, 3, 3, 8, 0))
    with pytest.raises(ValidationError, match="Thông tư số 01/2018/TT-VPCP không có “Thông báo dừng giải quyết hồ sơ”"):
        render_form(dossier=dossier, kind="stop_notice")


# --- Form 05 (2018) / 06 (2025): process control sheet --------------------------------------------


def _handled(world, at):
    dossier = receive_full(world, at=at)
    day = at.day
    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", at.replace(hour=9))
    dossier = act(dossier, "lanhdao.tuphap", "phan-cong", at.replace(hour=10), assignee=user("chuyenvien.tuphap"))
    dossier = act(
        dossier,
        "chuyenvien.tuphap",
        "trinh-duyet",
        at.replace(day=day + 1, hour=9),
        comment="Đủ điều kiện.",
        result_file=pdf("du-thao.pdf"),
    )
    return dossier


@pytest.mark.parametrize(
    ("at", "number", "circular"),
    [
        (local(2027, 3, 1, 8, 0), "06", "Thông tư số 03/2025/TT-VPCP"),
        (local(2025, 3, 3, 8, 0), "05", "Thông tư số 01/2018/TT-VPCP"),
    ],
    ids=["2025", "2018"],
)
def test_control_sheet_has_one_row_per_hand_over_in_the_set_of_the_dossier(world, as_pdf, at, number, circular):
    dossier = _handled(world, at)
    doc = as_pdf(render_form(dossier=dossier, kind="control_sheet"))
    text = assert_official_layout(doc, form_number=number, circular=circular)
    for value in [
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        dossier.code,
        "Cơ quan, đơn vị chủ trì giải quyết: Sở Tư pháp tỉnh Tây Ninh",
        "Giao: Trung tâm Phục vụ hành chính công tỉnh Tây Ninh",
        "Nhận: Sở Tư pháp tỉnh Tây Ninh",
        "Người giao: Nguyễn Thị Lan",
        f"Người nhận: {user('chuyenvien.tuphap').full_name}",  # the assignee
        "Đúng hạn",
        "Đủ điều kiện.",
    ]:
        assert value in text, value
    # The receipt row plus three hand-overs.
    assert text.count("Người giao:") == 4
    assert doc.qr() == expected_qr(dossier, "Phiếu kiểm soát quá trình giải quyết hồ sơ")


def test_control_sheet_lists_the_coordinating_agencies(world, as_pdf):
    dossier = receive_full(world, procedure="land")
    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 0))
    dossier = act(dossier, "lanhdao.vpdkdd", "phan-cong", local(2027, 3, 1, 10, 0), assignee=user("chuyenvien.vpdkdd"))
    tax, town = Agency.objects.get(code="000.00.21.H53"), Agency.objects.get(code="000.01.31.H53")
    dossier = act(dossier, "chuyenvien.vpdkdd", "lay-y-kien", local(2027, 3, 2, 9, 0), consult_agencies=[tax, town])
    text = as_pdf(render_form(dossier=dossier, kind="control_sheet")).flat_text()
    assert tax.name in text and town.name in text


# --- which set, and what is missing ---------------------------------------------------------------


def test_forms_version_chooses_the_set(world, as_pdf):
    old = receive_full(world, at=local(2025, 9, 12, 8, 0))  # Friday before 15/9/2025
    new = receive_full(world, at=local(2025, 9, 15, 8, 0), cccd="072190001111")
    assert (old.forms_version, new.forms_version) == ("2018", "2025")
    assert "Thông tư số 01/2018/TT-VPCP" in as_pdf(render_form(dossier=old, kind="receipt")).flat_text()
    assert "Thông tư số 03/2025/TT-VPCP" in as_pdf(render_form(dossier=new, kind="receipt")).flat_text()


def test_receipt_without_code_names_the_missing_code(world):
    dossier = start(world)
    with pytest.raises(ValidationError) as error:
        render_form(dossier=dossier, kind="receipt")
    assert error.value.messages == ["Thiếu mã hồ sơ: chưa thể in Giấy tiếp nhận."]


def test_form_without_applicant_identifier_names_it(world):
    dossier = receive_full(world, cccd="")
    with pytest.raises(ValidationError) as error:
        render_form(dossier=dossier, kind="receipt")
    assert error.value.messages == ["Thiếu số CCCD của người nộp: chưa thể in Giấy tiếp nhận."]


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("apology", "Thiếu ngày hẹn mới (hồ sơ chưa được hẹn lại): chưa thể in Văn bản xin lỗi."),
        ("refusal", "Thiếu lý do từ chối (hồ sơ chưa bị từ chối): chưa thể in Phiếu từ chối."),
        ("stop_notice", "Thiếu lý do dừng giải quyết (hồ sơ chưa dừng giải quyết): chưa thể in Thông báo dừng"),
        ("supplement_request", "Thiếu yêu cầu bổ sung, hoàn thiện (hồ sơ chưa có yêu cầu bổ sung nào)"),
    ],
)
def test_forms_without_their_event_say_what_is_missing(world, kind, message):
    dossier = receive_full(world)
    with pytest.raises(ValidationError) as error:
        render_form(dossier=dossier, kind=kind)
    assert error.value.messages[0].startswith(message)


# --- the heading block --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("desk_code", "governing", "issuer"),
    [
        # The provincial centre is an agency of its own, under the provincial People's Committee's office.
        ("ttphcc-tinh", "VĂN PHÒNG ỦY BAN NHÂN DÂN TỈNH TÂY NINH", "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH TÂY NINH"),
        # A district or commune desk is a part of its People's Committee, which heads the form.
        ("bpmc-hoathanh", "ỦY BAN NHÂN DÂN THỊ XÃ HÒA THÀNH", "BỘ PHẬN MỘT CỬA THỊ XÃ HÒA THÀNH"),
        ("bpmc-hoathanh-longhoa", "ỦY BAN NHÂN DÂN PHƯỜNG LONG HOA", "BỘ PHẬN MỘT CỬA PHƯỜNG LONG HOA"),
    ],
)
def test_a_desks_forms_are_headed_by_the_body_it_belongs_to(world, desk_code, governing, issuer):
    from onestop_tayninh.directory.models import ReceptionDesk
    from onestop_tayninh.printing.form_contexts import heading_for as _heading

    desk = ReceptionDesk.objects.select_related("agency__parent").get(code=desk_code)
    heading = _heading(desk.agency, desk.name)
    assert {key: value.replace("\u00a0", " ") for key, value in heading.items()} == {
        "parent": governing,
        "name": issuer,
    }
    # The place name keeps together: the column wraps before "PHƯỜNG LONG HOA", never inside it.
    unit = {"ttphcc-tinh": "TỈNH TÂY NINH", "bpmc-hoathanh": "THỊ XÃ HÒA THÀNH"}.get(desk_code, "PHƯỜNG LONG HOA")
    assert heading["name"].endswith(unit.replace(" ", "\u00a0")) and heading["parent"].count("\u00a0") >= 1


def test_an_agency_issuing_in_its_own_name_is_headed_by_its_parent(world):
    from onestop_tayninh.printing.form_contexts import heading_for as _heading

    def plain(agency):
        return {key: value.replace("\u00a0", " ") for key, value in _heading(agency).items()}

    justice = Agency.objects.get(code="000.00.02.H53")
    assert plain(justice) == {"parent": "ỦY BAN NHÂN DÂN TỈNH TÂY NINH", "name": "SỞ TƯ PHÁP TỈNH TÂY NINH"}
    # A People's Committee has no line above its own name.
    committee = Agency.objects.get(code="000.00.35.H53")
    assert plain(committee) == {"parent": "", "name": "ỦY BAN NHÂN DÂN THỊ XÃ HÒA THÀNH"}


def test_a_same_day_procedure_prints_its_time_as_the_portal_says_it():
    import datetime as dt
    from decimal import Decimal

    from onestop_tayninh.catalog.models import ProcedureVersion
    from onestop_tayninh.printing.form_contexts import _processing_time

    same_day = ProcedureVersion(processing_amount=Decimal(0), same_day_cutoff=dt.time(15, 0))
    assert _processing_time(same_day) == "Trong ngày (nhận sau 15:00 trả vào ngày làm việc tiếp theo)"
    five_days = ProcedureVersion(processing_amount=Decimal(5))  # working days by default
    assert _processing_time(five_days) == "5 ngày làm việc"


def test_a_form_printed_later_is_dated_the_day_it_was_issued(world, as_pdf):
    dossier = receive_full(world)  # received 01/03/2027
    text = as_pdf(render_form(dossier=dossier, kind="receipt", at=local(2027, 3, 9, 10, 0))).flat_text()
    assert "Tây Ninh, ngày 01 tháng 3 năm 2027" in text and "ngày 09 tháng 3" not in text
    # The control sheet shows the history as of printing, and is dated so.
    sheet = as_pdf(render_form(dossier=dossier, kind="control_sheet", at=local(2027, 3, 9, 10, 0))).flat_text()
    assert "Tây Ninh, ngày 09 tháng 3 năm 2027" in sheet


def test_a_long_receipt_takes_the_appointment_to_the_signatures_page(world, as_pdf):
    """Six long document names fill page 1: page 2 then starts with the appointment, not with the
    signatures alone."""
    from onestop_tayninh.catalog.models import DocumentRequirement
    from onestop_tayninh.catalog.services import procedure_version_publish
    from tests.factories import ProcedureVersionFactory, make_publishable

    version = ProcedureVersionFactory(
        complete=True, level=2, processing_amount=5, competent_agency=Agency.objects.get(code="000.00.02.H53")
    )
    for position in range(2, 8):
        DocumentRequirement.objects.create(
            version=version,
            position=position,
            name=f"Bản sao có chứng thực giấy tờ số {position} chứng minh quyền sử dụng đất, quyền sở hữu nhà ở "
            "và tài sản khác gắn liền với đất theo quy định của pháp luật về đất đai",
            requirement="required",
        )
    make_publishable(version)
    version.receiving_desks.set([world["desk"]])
    dossier = receive_full({**world, "long": procedure_version_publish(version=version)}, procedure="long")
    doc = as_pdf(render_form(dossier=dossier, kind="receipt"))
    assert doc.pages() == 2
    last = doc.flat_text(page=2)
    assert "NGƯỜI NỘP HỒ SƠ" in last and "5. Thời gian trả kết quả giải quyết hồ sơ" in last
