"""The desk's inbox buckets: "Chờ tôi xử lý" holds only what the official can act on now, "Quá hạn"
holds the overdue dossiers the official can see, and each number on /desk/ is the length of its list."""

import datetime as dt
import re

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onestop_tayninh.directory.models import Agency
from onestop_tayninh.dossiers.applicants import Applicant
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.selectors import available_transitions, inbox, inbox_counts
from onestop_tayninh.dossiers.services import dossier_start
from tests.workflows import conftest as workflows
from tests.workflows.conftest import local, pdf, receive, user
from tests.workflows.test_paths import TAX, TOWN, act

pytestmark = pytest.mark.django_db

# The living province of the workflow tests (not the receiving world of tests/dossiers/conftest.py).
world = workflows.world

HANDLER, HEAD, CLERK, COORDINATOR = "chuyenvien.tuphap", "lanhdao.tuphap", "tiepnhan.tinh", "dieuphoi.tinh"
LAND = ("chuyenvien.vpdkdd", "lanhdao.vpdkdd")  # Văn phòng Đăng ký đất đai: the inter-agency workflow
CONSULTED = (TAX, TOWN)


def counts(username: str, at: dt.datetime) -> dict[str, int]:
    return {bucket.code: n for bucket, n in inbox_counts(user=user(username), at=at)}


def assigned(world, at: dt.datetime, *, procedure: str = "justice") -> Dossier:
    """Received, handed to the competent agency and assigned to its handling officer, all at `at`."""
    head, handler = {"justice": (HEAD, HANDLER), "land": ("lanhdao.vpdkdd", "chuyenvien.vpdkdd")}[procedure]
    dossier = act(receive(world, procedure=procedure, at=at), CLERK, "chuyen-xu-ly", at)
    return act(dossier, head, "phan-cong", at, assignee=user(handler))


def test_dossier_waiting_for_the_heads_approval_is_not_waiting_for_the_handler(world):
    at = local(2027, 3, 1, 9, 0)
    first, second = assigned(world, at), assigned(world, at)
    assert counts(HANDLER, at)["xu-ly"] == 2
    act(first, HANDLER, "trinh-duyet", at, comment="Đủ điều kiện.", result_file=pdf("du-thao.pdf"))
    assert list(inbox(user=user(HANDLER), bucket="xu-ly", at=at)) == [second]
    assert counts(HANDLER, at)["xu-ly"] == 1
    act(second, HANDLER, "trinh-duyet", at, comment="Đủ điều kiện.", result_file=pdf("du-thao.pdf"))
    assert counts(HANDLER, at)["xu-ly"] == 0
    assert counts(HEAD, at)["phe-duyet"] == 2


def test_dossier_sent_back_by_the_head_is_waiting_for_the_handler_again(world):
    at = local(2027, 3, 1, 9, 0)
    dossier = act(assigned(world, at), HANDLER, "trinh-duyet", at, comment="Trình.", result_file=pdf("du-thao.pdf"))
    assert counts(HANDLER, at)["xu-ly"] == 0
    act(dossier, HEAD, "tra-lai", at, comment="Bổ sung ý kiến thẩm định.")
    assert counts(HANDLER, at)["xu-ly"] == 1


@pytest.mark.parametrize(("procedure", "handler", "head"), [("justice", HANDLER, HEAD), ("land", *LAND)])
def test_handlers_bucket_agrees_with_the_buttons_on_the_dossier_page(world, procedure, handler, head):
    """Whatever the step, a dossier is in "Chờ tôi xử lý" exactly when its page offers the officer an action;
    a dossier waiting for the citizen's supplement waits for the citizen, not for the officer."""
    at = local(2027, 3, 1, 9, 0)
    appraisal = assigned(world, at, procedure=procedure)
    approval = act(
        assigned(world, at, procedure=procedure),
        handler,
        "trinh-duyet",
        at,
        comment="Trình.",
        result_file=pdf("du-thao.pdf"),
    )
    sent_back = act(
        act(
            assigned(world, at, procedure=procedure),
            handler,
            "trinh-duyet",
            at,
            comment="Trình.",
            result_file=pdf("du-thao.pdf"),
        ),
        head,
        "tra-lai",
        at,
        comment="Thẩm định lại.",
    )
    citizen = act(assigned(world, at, procedure=procedure), handler, "yeu-cau-bo-sung", at, comment="Thiếu giấy tờ.")
    expected = {appraisal, sent_back}
    if procedure == "land":
        others = list(Agency.objects.filter(code__in=CONSULTED))
        expected.add(act(assigned(world, at, procedure=procedure), handler, "lay-y-kien", at, consult_agencies=others))
    officer = user(handler)
    bucket = set(inbox(user=officer, bucket="xu-ly", at=at))
    assert bucket == expected
    assert approval not in bucket and citizen not in bucket
    for dossier in Dossier.objects.visible_to(officer):
        actionable = bool(available_transitions(dossier=dossier, user=officer))
        assert (dossier in bucket) == (actionable and dossier != citizen), dossier.state.code
    assert counts(handler, at)["xu-ly"] == len(expected)


def test_inbox_counts_take_the_same_few_queries_however_many_dossiers(world):
    at = local(2027, 3, 1, 9, 0)
    handler = user(HANDLER)
    assigned(world, at)
    inbox_counts(user=handler, at=at)  # the roles are then cached on the user, as within a request
    with CaptureQueriesContext(connection) as one:
        inbox_counts(user=handler, at=at)
    for _ in range(3):
        assigned(world, at)
    with CaptureQueriesContext(connection) as four:
        assert dict((b.code, n) for b, n in inbox_counts(user=handler, at=at))["xu-ly"] == 4
    assert len(four) == len(one) <= 8


def test_coordinator_and_receiving_officer_count_the_overdue_dossiers_they_can_see(world):
    at = local(2027, 3, 1, 8, 0)
    at_desk = receive(world, at=at)  # still at the provincial centre
    at_agency = assigned(world, at)  # now held by Sở Tư pháp, received at the centre
    late = local(2027, 3, 9, 8, 0)  # both appointments (5 working days) have passed
    for username in (COORDINATOR, CLERK):
        overdue = set(inbox(user=user(username), bucket="qua-han", at=late))
        assert overdue == {at_desk, at_agency}, username
        assert counts(username, late)["qua-han"] == 2, username
    # The head of Sở Tư pháp sees the one that came to the department; another department sees none.
    assert set(inbox(user=user(HEAD), bucket="qua-han", at=late)) == {at_agency}
    assert counts("lanhdao.xaydung", late)["qua-han"] == 0
    # Before the appointment has passed: not counted.
    assert counts(COORDINATOR, local(2027, 3, 8, 12, 0))["qua-han"] == 0


LINK = re.compile(r'<a href="([^"]*\?hop=([a-z-]+))"><span class="n">(\d+)</span>')


@pytest.mark.parametrize("username", [HANDLER, HEAD, CLERK, COORDINATOR])
def test_each_number_on_the_desk_home_is_the_number_of_rows_its_link_lists(client, world, username):
    # Real time: the desk's home and list pages count at "now", so the dossiers are dated before it.
    long_ago = timezone.now() - dt.timedelta(days=40)
    receive(world, at=long_ago)  # overdue at the centre
    act(receive(world, at=long_ago), CLERK, "chuyen-xu-ly", long_ago)  # overdue, waiting for assignment
    assigned(world, long_ago)  # overdue, with the handling officer
    act(
        assigned(world, long_ago), HANDLER, "trinh-duyet", long_ago, comment="Trình.", result_file=pdf("du-thao.pdf")
    )  # with the head
    receive(world, at=timezone.now() - dt.timedelta(minutes=5))  # fresh, not overdue
    dossier_start(
        desk=world["desk"],
        officer=user(CLERK),
        procedure_version=world["justice"],
        applicant=Applicant(full_name="Trần Văn Bình", cccd="072090007654"),
        at=timezone.now(),
    )  # waiting for the receipt check
    client.force_login(user(username))
    home = client.get("/desk/").content.decode()
    links = LINK.findall(home)
    assert links, home
    shown = {code: int(n) for _, code, n in links}
    assert shown["qua-han"] > 0
    if username == HANDLER:
        assert shown["xu-ly"] == 1  # the other assigned dossier is with the head
    for url, code, number in links:
        listing = client.get(url.replace("&amp;", "&"))
        assert listing.status_code == 200
        assert listing.context["cl"].result_count == int(number), (username, code)
