"""End-to-end paths through the closed loop, with fixed times (docs/domain.md §5)."""

import pytest

from django.core.exceptions import PermissionDenied, ValidationError

from onestop_tayninh.directory.models import Agency
from onestop_tayninh.dossiers.actions import StaleDossier, consultation_answer, dossier_apologise, dossier_transition
from onestop_tayninh.dossiers.models import Dossier
from tests.signing_support import draft_pdf

from .conftest import local, pdf, receive, user

pytestmark = pytest.mark.django_db

CENTRE, JUSTICE, LAND, TAX, TOWN = "000.01.01.H53", "000.00.02.H53", "000.01.05.H53", "000.00.21.H53", "000.01.31.H53"


def act(dossier, username, transition, at, **kwargs):
    return dossier_transition(dossier=dossier, actor=user(username), transition=transition, at=at, **kwargs)


def test_single_agency_path_from_desk_to_agency_and_back(world, signing_keys):
    signing_keys.issue(JUSTICE, "Sở Tư pháp tỉnh Tây Ninh")
    dossier = receive(world)
    assert (dossier.state.code, dossier.current_agency.code) == ("tiep-nhan", CENTRE)
    assert dossier.due_at == local(2027, 3, 8, 17, 0)  # 5 working days, the first day not counted

    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 0))
    assert (dossier.state.code, dossier.current_agency.code) == ("cho-phan-cong", JUSTICE)
    dossier = act(dossier, "lanhdao.tuphap", "phan-cong", local(2027, 3, 1, 10, 0), assignee=user("chuyenvien.tuphap"))
    assert dossier.assigned_to.username == "chuyenvien.tuphap"
    dossier = act(dossier, "chuyenvien.tuphap", "trinh-duyet", local(2027, 3, 2, 9, 0), result_file=draft_pdf())
    dossier = act(dossier, "lanhdao.tuphap", "phe-duyet", local(2027, 3, 3, 16, 0))
    assert (dossier.state.code, dossier.current_agency.code) == ("cho-van-thu", JUSTICE)
    dossier = act(dossier, "vanthu.tuphap", "phat-hanh", local(2027, 3, 3, 16, 30))
    assert (dossier.state.code, dossier.current_agency.code) == ("cho-tra-ket-qua", CENTRE)
    assert dossier.result_file and dossier.result_issued_at == local(2027, 3, 3, 16, 30)
    dossier = act(dossier, "tiepnhan.tinh", "tra-ket-qua", local(2027, 3, 4, 8, 30))
    assert dossier.state.kind == "result_returned" and dossier.closed_at == local(2027, 3, 4, 8, 30)

    handovers = list(dossier.events.filter(action="transition").select_related("from_agency", "to_agency"))
    assert [(e.from_agency.code, e.to_agency.code) for e in handovers] == [
        (CENTRE, JUSTICE),
        (JUSTICE, JUSTICE),
        (JUSTICE, JUSTICE),
        (JUSTICE, JUSTICE),
        (JUSTICE, CENTRE),
        (CENTRE, CENTRE),
    ]
    assert [e.at for e in handovers] == sorted(e.at for e in handovers)
    # Step budgets: 4 working hours at the desk (08:00–11:30, 13:30–14:00); handed over the same day: on time.
    assert handovers[0].step_due_at == local(2027, 3, 1, 14, 0) and handovers[0].outcome == "on_time"
    # Approval took from 2/3 09:00 to 3/3 16:00 against a 4-hour budget: late.
    assert handovers[3].outcome == "late"


def test_inter_agency_path_with_two_parallel_consultations(world):
    dossier = receive(world, procedure="land")
    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 0))
    dossier = act(dossier, "lanhdao.vpdkdd", "phan-cong", local(2027, 3, 1, 10, 0), assignee=user("chuyenvien.vpdkdd"))
    tax, town = Agency.objects.get(code=TAX), Agency.objects.get(code=TOWN)
    dossier = act(dossier, "chuyenvien.vpdkdd", "lay-y-kien", local(2027, 3, 2, 9, 0), consult_agencies=[tax, town])
    assert dossier.state.kind == "in_consultation" and dossier.consultations.count() == 2
    # Both consulted agencies now see the dossier.
    for username in ("chuyenvien.thue", "chuyenvien.tttanbien"):
        assert Dossier.objects.visible_to(user(username)).filter(pk=dossier.pk).exists()

    with pytest.raises(ValidationError, match="Còn cơ quan phối hợp chưa trả lời"):
        act(dossier, "chuyenvien.vpdkdd", "hoan-tat-phoi-hop", local(2027, 3, 3, 9, 0), result_file=pdf())
    tax_request = dossier.consultations.get(agency=tax)
    with pytest.raises(PermissionDenied, match="Chỉ cơ quan được lấy ý kiến"):
        consultation_answer(
            consultation=tax_request, actor=user("chuyenvien.xaydung"), answer="?", at=local(2027, 3, 3, 9)
        )
    consultation_answer(
        consultation=tax_request,
        actor=user("chuyenvien.thue"),
        answer="Nghĩa vụ tài chính: 2.500.000 đồng.",
        at=local(2027, 3, 3, 10, 0),
    )
    consultation_answer(
        consultation=dossier.consultations.get(agency=town),
        actor=user("lanhdao.tttanbien"),
        answer="Đất không tranh chấp.",
        at=local(2027, 3, 4, 10, 0),
    )
    dossier = act(dossier, "chuyenvien.vpdkdd", "hoan-tat-phoi-hop", local(2027, 3, 4, 14, 0), result_file=pdf())
    assert dossier.state.code == "cho-phe-duyet"
    answered = dossier.events.filter(action="consultation_answered").values_list("from_agency__code", flat=True)
    assert set(answered) == {TAX, TOWN}


def test_supplement_pauses_and_resumes_the_clock(world):
    dossier = receive(world)
    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 0))
    dossier = act(dossier, "lanhdao.tuphap", "phan-cong", local(2027, 3, 1, 10, 0), assignee=user("chuyenvien.tuphap"))
    due_before = dossier.due_at
    dossier = act(
        dossier, "chuyenvien.tuphap", "yeu-cau-bo-sung", local(2027, 3, 2, 9, 0), comment="Thiếu bản sao sổ hộ tịch."
    )
    assert dossier.paused_at == local(2027, 3, 2, 9, 0) and dossier.state.clock_runs is False
    # The citizen brings the document two working days later, at the same hour.
    dossier = act(dossier, "chuyenvien.tuphap", "da-bo-sung", local(2027, 3, 4, 9, 0))
    assert dossier.paused_at is None
    assert dossier.paused_seconds == 2 * 8 * 3600
    assert dossier.due_at == local(2027, 3, 10, 17, 0) and due_before == local(2027, 3, 8, 17, 0)
    assert not dossier.counted_late


def test_second_supplement_request_counts_late(world):
    dossier = receive(world)
    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 0))
    dossier = act(dossier, "lanhdao.tuphap", "phan-cong", local(2027, 3, 1, 10, 0), assignee=user("chuyenvien.tuphap"))
    for day in (2, 4):
        dossier = act(
            dossier, "chuyenvien.tuphap", "yeu-cau-bo-sung", local(2027, 3, day, 9, 0), comment="Thiếu giấy tờ."
        )
        dossier = act(dossier, "chuyenvien.tuphap", "da-bo-sung", local(2027, 3, day, 15, 0))
    assert dossier.supplement_count == 2 and dossier.counted_late is True


def test_refusal_proposal_needs_a_reason_and_goes_to_the_head(world):
    dossier = receive(world)
    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 0))
    dossier = act(dossier, "lanhdao.tuphap", "phan-cong", local(2027, 3, 1, 10, 0), assignee=user("chuyenvien.tuphap"))
    with pytest.raises(ValidationError, match="cần ghi ý kiến"):
        act(dossier, "chuyenvien.tuphap", "de-xuat-tu-choi", local(2027, 3, 2, 9, 0))
    dossier.refresh_from_db()
    assert dossier.state.code == "tham-dinh"
    dossier = act(
        dossier,
        "chuyenvien.tuphap",
        "de-xuat-tu-choi",
        local(2027, 3, 2, 9, 0),
        comment="Người yêu cầu không thuộc đối tượng được cấp.",
    )
    # Refused only once the head approves and the records clerk issues it (tests/workflows/test_results.py).
    assert (dossier.state.code, dossier.closed_at, dossier.current_agency.code) == ("cho-duyet-tu-choi", None, JUSTICE)


def test_late_dossier_gets_one_apology_with_a_new_date(world):
    dossier = receive(world)
    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 0))
    head, justice = user("lanhdao.tuphap"), Agency.objects.get(code=JUSTICE)
    with pytest.raises(ValidationError, match="phải sau ngày hẹn cũ"):
        dossier_apologise(
            dossier=dossier,
            actor=head,
            reason="Chờ xác minh",
            responsible_agency=justice,
            new_due_at=local(2027, 3, 5, 17, 0),
            at=local(2027, 3, 5, 9, 0),
        )
    dossier = dossier_apologise(
        dossier=dossier,
        actor=head,
        reason="Phải xác minh thông tin hộ tịch tại nơi đăng ký trước đây.",
        responsible_agency=justice,
        new_due_at=local(2027, 3, 12, 17, 0),
        at=local(2027, 3, 5, 9, 0),
    )
    assert dossier.original_due_at == local(2027, 3, 8, 17, 0) and dossier.due_at == local(2027, 3, 12, 17, 0)
    apology = dossier.events.get(action="apology")
    assert apology.from_agency == justice and apology.data["responsible_agency"] == JUSTICE
    with pytest.raises(ValidationError, match="một lần"):
        dossier_apologise(
            dossier=dossier,
            actor=head,
            reason="Lần nữa",
            responsible_agency=justice,
            new_due_at=local(2027, 3, 19, 17, 0),
            at=local(2027, 3, 11, 9, 0),
        )


def test_send_back_from_approval_returns_to_appraisal(world):
    dossier = receive(world)
    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 0))
    dossier = act(dossier, "lanhdao.tuphap", "phan-cong", local(2027, 3, 1, 10, 0), assignee=user("chuyenvien.tuphap"))
    dossier = act(dossier, "chuyenvien.tuphap", "trinh-duyet", local(2027, 3, 2, 9, 0), result_file=pdf())
    dossier = act(dossier, "lanhdao.tuphap", "tra-lai", local(2027, 3, 2, 10, 0), comment="Kiểm tra lại ngày sinh.")
    assert dossier.state.code == "tham-dinh" and dossier.assigned_to.username == "chuyenvien.tuphap"
    assert dossier.events.filter(action="transition").last().comment == "Kiểm tra lại ngày sinh."


def test_stale_form_posted_twice_changes_nothing(world):
    dossier = receive(world)
    seen_version = dossier.lock_version
    act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 0), expected_version=seen_version)
    with pytest.raises(StaleDossier, match="tải lại trang"):
        act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 1), expected_version=seen_version)
    assert Dossier.objects.get(pk=dossier.pk).events.filter(action="transition").count() == 1


def test_handling_officer_acts_only_on_dossiers_assigned_to_them(world):
    from tests.factories import OfficialFactory

    dossier = receive(world)
    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 0))
    dossier = act(dossier, "lanhdao.tuphap", "phan-cong", local(2027, 3, 1, 10, 0), assignee=user("chuyenvien.tuphap"))
    colleague = OfficialFactory(agency=Agency.objects.get(code=JUSTICE), roles=["handling_officer"]).user
    with pytest.raises(PermissionDenied):
        dossier_transition(
            dossier=dossier,
            actor=colleague,
            transition="trinh-duyet",
            at=local(2027, 3, 2, 9, 0),
            comment="Không phải hồ sơ của tôi.",
        )


def test_form_04_wants_a_future_working_day_after_the_old_date(world):
    dossier = act(receive(world), "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 0))
    head, justice = user("lanhdao.tuphap"), Agency.objects.get(code=JUSTICE)

    def apologise(new_due_at, at):
        return dossier_apologise(
            dossier=dossier, actor=head, reason="Chờ xác minh", responsible_agency=justice, new_due_at=new_due_at, at=at
        )

    with pytest.raises(ValidationError, match="sắp tới, không phải đã qua"):
        apologise(local(2027, 3, 10, 17, 0), at=local(2027, 3, 11, 9, 0))
    with pytest.raises(ValidationError, match="13/03/2027 là ngày nghỉ; hãy hẹn vào một ngày làm việc"):
        apologise(local(2027, 3, 13, 17, 0), at=local(2027, 3, 5, 9, 0))  # a Saturday
    with pytest.raises(ValidationError, match="30/04/2027 là ngày nghỉ"):
        apologise(local(2027, 4, 30, 17, 0), at=local(2027, 3, 5, 9, 0))  # Reunification Day
    dossier.refresh_from_db()
    assert dossier.apology_count == 0 and dossier.due_at == local(2027, 3, 8, 17, 0)
    assert not dossier.events.filter(action="apology").exists()

    on_time = apologise(local(2027, 3, 12, 17, 0), at=local(2027, 3, 5, 9, 0))
    event = on_time.events.get(action="apology")
    assert (event.outcome, event.data["late"], on_time.counted_late) == ("on_time", False, False)


def test_an_apology_after_the_old_date_is_issued_but_recorded_late(world):
    dossier = act(receive(world), "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 0))
    dossier = dossier_apologise(
        dossier=dossier,
        actor=user("lanhdao.tuphap"),
        reason="Chờ kết quả xác minh của Công an xã",
        responsible_agency=Agency.objects.get(code=JUSTICE),
        new_due_at=local(2027, 3, 15, 17, 0),
        at=local(2027, 3, 9, 8, 30),  # the old appointment was 17:00 on 8/3
    )
    event = dossier.events.get(action="apology")
    assert (event.outcome, event.data["late"], event.step_due_at) == ("late", True, local(2027, 3, 8, 17, 0))
    assert dossier.counted_late and dossier.due_at == local(2027, 3, 15, 17, 0)
