"""The dossier in the desk: each official's inbox, the dossier page's buttons, acting through the desk."""

import re

import pytest

from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.selectors import inbox, inbox_counts

from .conftest import local, pdf, receive, user
from .test_paths import act

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(world):
    dossier = receive(world)
    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 0))
    return act(dossier, "lanhdao.tuphap", "phan-cong", local(2027, 3, 1, 10, 0), assignee=user("chuyenvien.tuphap"))


def test_inbox_buckets_follow_the_dossier(world):
    dossier = receive(world)
    at = local(2027, 3, 1, 9, 0)
    assert list(inbox(user=user("tiepnhan.tinh"), bucket="phan-cong", at=at)) == []
    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", at)
    assert list(inbox(user=user("lanhdao.tuphap"), bucket="phan-cong", at=at)) == [dossier]
    assert list(inbox(user=user("chuyenvien.tuphap"), bucket="phan-cong", at=at)) == []
    dossier = act(dossier, "lanhdao.tuphap", "phan-cong", at, assignee=user("chuyenvien.tuphap"))
    assert list(inbox(user=user("chuyenvien.tuphap"), bucket="xu-ly", at=at)) == [dossier]
    # Overdue once the appointment has passed; not in another agency's inbox.
    late = local(2027, 3, 9, 8, 0)
    assert list(inbox(user=user("lanhdao.tuphap"), bucket="qua-han", at=late)) == [dossier]
    assert list(inbox(user=user("lanhdao.xaydung"), bucket="qua-han", at=late)) == []
    assert list(inbox(user=user("lanhdao.tuphap"), bucket="sap-den-han", at=local(2027, 3, 4, 9, 0))) == [dossier]


def test_inbox_counts_use_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    for _ in range(3):
        receive(world)
    head = user("lanhdao.tuphap")
    with django_assert_max_num_queries(20):
        counts = dict((bucket.code, n) for bucket, n in inbox_counts(user=head, at=local(2027, 3, 1, 9, 0)))
    # An agency head sees the buckets of the head's work, not the desk's or the officer's.
    assert set(counts) == {"phan-cong", "phe-duyet", "phoi-hop", "sap-den-han", "qua-han"}
    clerk = {b.code for b, _ in inbox_counts(user=user("tiepnhan.tinh"), at=local(2027, 3, 1, 9, 0))}
    assert clerk == {"tiep-nhan", "tra-ket-qua", "sap-den-han", "qua-han"}


def test_desk_list_page_queries_are_bounded(client, world, django_assert_max_num_queries):
    for _ in range(5):
        receive(world)
    client.force_login(user("tiepnhan.tinh"))
    with django_assert_max_num_queries(25):
        page = client.get("/desk/dossiers/dossier/", {"hop": "tiep-nhan"})
    assert page.status_code == 200


def test_the_dossier_page_reads_the_dossiers_own_relations_with_it(client, assigned):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(user("chuyenvien.tuphap"))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/desk/dossiers/dossier/{assigned.pk}/change/")
    assert page.status_code == 200
    # Each of these was a SELECT of its own by id after the dossier's (DossierAdmin.page_select_related).
    by_id = re.compile(r"FROM `(catalog_procedureversion|directory_receptiondesk|workflows_state)` WHERE `\1`.`id` = ")
    assert [q["sql"][:120] for q in queries.captured_queries if by_id.search(q["sql"])] == []


def action_buttons(client, dossier) -> set[str]:
    html = client.get(f"/desk/dossiers/dossier/{dossier.pk}/change/").content.decode()
    return set(re.findall(r'<button type="submit" class="button[^"]*">([^<]+)</button>', html))


def test_dossier_page_shows_exactly_the_users_actions(client, assigned):
    client.force_login(user("chuyenvien.tuphap"))
    assert action_buttons(client, assigned) == {
        "Trình lãnh đạo phê duyệt",
        "Xác minh, lấy ý kiến cơ quan liên quan",  # the single-agency workflow's consultation (§5.5)
        "Yêu cầu công dân bổ sung",
        "Đề xuất từ chối giải quyết",
        "Rút hồ sơ theo yêu cầu",
    }
    client.force_login(user("lanhdao.tuphap"))
    assert action_buttons(client, assigned) == {
        "Yêu cầu công dân bổ sung",
        "Rút hồ sơ theo yêu cầu",
        "Lập phiếu xin lỗi",
    }
    client.force_login(user("tiepnhan.tinh"))
    # The receiving desk may also correct the applicant's data of a dossier it received (issue #17).
    assert action_buttons(client, assigned) == {"Lập phiếu xin lỗi", "Lưu điều chỉnh"}


def test_acting_through_the_desk_and_a_stale_second_post(client, assigned):
    client.force_login(user("chuyenvien.tuphap"))
    form = {"comment": "Hồ sơ hợp lệ.", "lock_version": assigned.lock_version, "result_file": pdf("du-thao.pdf")}
    url = f"/desk/dossiers/dossier/{assigned.pk}/act/trinh-duyet/"
    client.post(url, form)
    assert Dossier.objects.get(pk=assigned.pk).state.code == "cho-phe-duyet"
    form["result_file"] = pdf("du-thao.pdf")
    page = client.post(url, form, follow=True).content.decode()
    assert "tải lại trang" in page
    assert Dossier.objects.get(pk=assigned.pk).events.filter(action="transition").count() == 3


def test_missing_draft_is_refused_in_the_desk_and_the_head_reads_the_one_submitted(client, assigned):
    client.force_login(user("chuyenvien.tuphap"))
    url = f"/desk/dossiers/dossier/{assigned.pk}/act/trinh-duyet/"
    page = client.post(url, {"lock_version": assigned.lock_version}, follow=True).content.decode()
    assert "Hãy đính kèm dự thảo kết quả (tệp PDF) để trình lãnh đạo phê duyệt." in page
    assert Dossier.objects.get(pk=assigned.pk).state.code == "tham-dinh"
    client.post(url, {"lock_version": assigned.lock_version, "result_file": pdf("du-thao.pdf")})
    dossier = Dossier.objects.get(pk=assigned.pk)
    assert dossier.state.code == "cho-phe-duyet"
    client.force_login(user("lanhdao.tuphap"))
    page = client.get(f"/desk/dossiers/dossier/{assigned.pk}/change/").content.decode()
    draft = dossier.result_drafts.get()
    assert "Dự thảo lần 1: Kết quả giải quyết" in page and f"/desk/dossiers/dossier/draft/{draft.pk}/" in page
    response = client.get(f"/desk/dossiers/dossier/draft/{draft.pk}/")
    assert response.status_code == 200 and response.getvalue().startswith(b"%PDF")
    client.post(f"/desk/dossiers/dossier/{assigned.pk}/act/phe-duyet/", {"lock_version": dossier.lock_version})
    assert Dossier.objects.get(pk=assigned.pk).state.code == "cho-van-thu"
