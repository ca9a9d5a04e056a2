"""The inbox's maintained counts (dossiers/tallies.py): after the desk's and the agencies' real actions, each
official's numbers equal a fresh count of the dossiers, the tallies equal a fresh GROUP BY, the access rows'
due times equal the dossiers', and `manage.py rebuild_inbox_tallies` gives back the same figures."""

import datetime as dt
import threading
from collections import Counter

import pytest

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.models import Q

from onestop_tayninh.dossiers.applicants import Applicant
from onestop_tayninh.dossiers.constants import DossierStatus
from onestop_tayninh.dossiers.models import Dossier, DossierAccess, InboxTally
from onestop_tayninh.dossiers.selectors import _bucket, due_soon_limit, inbox, inbox_counts
from onestop_tayninh.dossiers.services import (
    SupplementScan,
    dossier_accept,
    dossier_document_add,
    dossier_draft_cancel,
    dossier_refuse,
    dossier_request_completion,
    dossier_start,
    dossier_supplement_receive,
    dossier_withdraw,
)
from tests.factories import CitizenFactory
from tests.workflows import conftest as workflows
from tests.workflows.conftest import local, pdf, receive, user
from tests.workflows.test_paths import act

world = workflows.world

CLERK, HEAD, HANDLER, COORDINATOR = "tiepnhan.tinh", "lanhdao.tuphap", "chuyenvien.tuphap", "dieuphoi.tinh"
#: Every role of the demo province that has an inbox: the desk, two agencies' heads and handlers, a records
#: clerk, the coordinator.
OFFICIALS = [
    CLERK,
    HEAD,
    HANDLER,
    COORDINATOR,
    "vanthu.tuphap",
    "lanhdao.vpdkdd",
    "chuyenvien.vpdkdd",
    "lanhdao.xaydung",
]
AT = local(2027, 3, 1, 8, 0)  # Monday


def started(world, *, at=AT) -> Dossier:
    """A walk-in dossier begun at the provincial centre, its documents attached: waiting for the check."""
    clerk = user(CLERK)
    dossier = dossier_start(
        desk=world["desk"],
        officer=clerk,
        procedure_version=world["justice"],
        applicant=Applicant(full_name="Phạm Minh Tuấn", cccd="072090001234", phone="0912345678"),
        at=at,
    )
    for requirement in world["justice"].documents.all():
        dossier_document_add(dossier=dossier, requirement=requirement, file=pdf(), officer=clerk, at=at)
    return dossier


def assigned(world, *, at=AT) -> Dossier:
    dossier = act(receive(world, at=at), CLERK, "chuyen-xu-ly", at)
    return act(dossier, HEAD, "phan-cong", at, assignee=user(HANDLER))


def owned_by(dossier: Dossier, citizen) -> Dossier:
    dossier.applicant_account = citizen
    dossier.save(update_fields=["applicant_account"])
    return dossier


def a_mix_of_actions(world) -> None:
    """Receipts, hand-overs, assignments, submissions, a supplement asked and brought back, Form 02, Form 03,
    a cancelled draft, two withdrawals, a dossier sent back by the head, and a few waiting at every step."""
    citizen = CitizenFactory().user
    started(world)  # waiting for the check
    dossier_request_completion(
        dossier=started(world), officer=user(CLERK), items=["Bản sao CCCD"], reason="Thiếu giấy tờ.", at=AT
    )
    dossier_refuse(dossier=started(world), officer=user(CLERK), reason="Không thuộc thẩm quyền.", at=AT)
    dossier_draft_cancel(dossier=started(world), officer=user(CLERK), reason="Người nộp đã về.", at=AT)
    dossier_withdraw(dossier=owned_by(started(world), citizen), citizen=citizen, reason="Nộp nhầm.", at=AT)
    receive(world)  # at the desk's step
    receive(world, procedure="land")
    act(receive(world), CLERK, "chuyen-xu-ly", AT)  # waiting for assignment
    assigned(world)  # with the handler
    act(
        assigned(world), HANDLER, "trinh-duyet", AT, comment="Đủ điều kiện.", result_file=pdf("du-thao.pdf")
    )  # with the head
    sent_back = act(assigned(world), HANDLER, "trinh-duyet", AT, comment="Trình.", result_file=pdf("du-thao.pdf"))
    act(sent_back, HEAD, "tra-lai", AT, comment="Thẩm định lại.")
    asked = act(assigned(world), HANDLER, "yeu-cau-bo-sung", local(2027, 3, 2, 9, 0), comment="Bản sao sổ hộ tịch")
    dossier_supplement_receive(
        dossier=asked,
        officer=user(CLERK),
        scans=[SupplementScan(item="Bản sao sổ hộ tịch", requirement=None, file=pdf("so-ho-tich.pdf"))],
        at=local(2027, 3, 4, 9, 0),
    )
    act(assigned(world), HANDLER, "yeu-cau-bo-sung", local(2027, 3, 2, 9, 0), comment="Giấy xác nhận cư trú")
    dossier_withdraw(dossier=owned_by(assigned(world), citizen), citizen=citizen, reason="Không còn nhu cầu.", at=AT)


def fresh_counts(username: str, at: dt.datetime) -> dict[str, int]:
    """Each bucket counted on the dossiers themselves, as before the tallies: a COUNT per bucket, the
    time-based ones by the row-level rule written out."""
    official = user(username)
    visible = Dossier.objects.visible_to(official)
    counts = {}
    for bucket, _n in inbox_counts(user=official, at=at):
        if bucket.code == "qua-han":
            counts[bucket.code] = visible.overdue(at=at).count()
        elif bucket.code == "sap-den-han":
            held = visible.filter(Q(current_agency_id=official.official.agency_id) | Q(assigned_to=official))
            soon = held.open().filter(due_at__gte=at, due_at__lte=due_soon_limit(at), paused_at__isnull=True)
            counts[bucket.code] = soon.count()
        else:
            counts[bucket.code] = _bucket(user=official, bucket=bucket.code, at=at).count()
    return counts


def maintained_counts(username: str, at: dt.datetime) -> dict[str, int]:
    return {bucket.code: n for bucket, n in inbox_counts(user=user(username), at=at)}


def tallies() -> Counter:
    return Counter({(t.agency, t.status, t.desk, t.state, t.assignee): t.n for t in InboxTally.objects.all() if t.n})


def fresh_tallies() -> Counter:
    """The tallies as a GROUP BY of the dossiers would give them, written out from the buckets' rule."""
    counted: Counter = Counter()
    for d in Dossier.objects.filter(status=DossierStatus.TO_CHECK):
        counted[(d.receiving_agency_id, DossierStatus.TO_CHECK, d.receiving_desk_id, 0, 0)] += 1
    for d in Dossier.objects.open():
        counted[(d.current_agency_id, DossierStatus.RECEIVED, 0, d.state_id or 0, d.assigned_to_id or 0)] += 1
    return counted


def assert_maintained_equal_fresh() -> None:
    assert tallies() == fresh_tallies()
    for access in DossierAccess.objects.select_related("dossier"):
        dossier = access.dossier
        running = dossier.status == DossierStatus.RECEIVED and dossier.closed_at is None and dossier.paused_at is None
        assert access.open_due_at == (dossier.due_at if running else None), dossier
    for at in (AT, local(2027, 3, 5, 9, 0), local(2027, 4, 1, 9, 0)):  # before, near and past the appointments
        for username in OFFICIALS:
            assert maintained_counts(username, at) == fresh_counts(username, at), (username, at)


@pytest.mark.django_db
def test_maintained_counts_equal_a_fresh_count_for_every_bucket_and_role_after_a_mix_of_actions(world):
    assert_maintained_equal_fresh()  # nothing yet
    a_mix_of_actions(world)
    assert sum(tallies().values()) == 9  # 1 waiting for the check, 8 open (the closed and the others: none)
    # Every bucket has something to count for someone, overdue included.
    late = local(2027, 4, 1, 9, 0)
    assert maintained_counts(CLERK, late)["tiep-nhan"] == 1
    assert maintained_counts(HEAD, late)["phan-cong"] == 1
    assert maintained_counts(HEAD, late)["phe-duyet"] == 1
    assert maintained_counts(HANDLER, late)["xu-ly"] == 3  # with the handler, sent back, supplement brought
    assert maintained_counts(COORDINATOR, late)["qua-han"] > 0
    assert_maintained_equal_fresh()
    # And the list behind each number holds as many rows.
    for username in OFFICIALS:
        for code, n in maintained_counts(username, late).items():
            assert inbox(user=user(username), bucket=code, at=late).count() == n, (username, code)


@pytest.mark.django_db
def test_rebuild_command_gives_back_the_same_figures(world):
    a_mix_of_actions(world)
    kept = tallies()
    # Figures gone wrong (a restored database, SQL by hand): the command writes them again from the dossiers.
    InboxTally.objects.all().delete()
    InboxTally.objects.create(agency=999, status=DossierStatus.RECEIVED, desk=0, state=0, assignee=0, n=7)
    DossierAccess.objects.update(open_due_at=None)
    call_command("rebuild_inbox_tallies", verbosity=0)
    assert tallies() == kept
    assert_maintained_equal_fresh()


@pytest.mark.django_db
def test_a_save_of_some_fields_moves_the_dossier_only_by_what_it_writes(world):
    dossier = assigned(world)
    stale = Dossier.objects.get(pk=dossier.pk)
    # Written elsewhere meanwhile (the head takes the dossier back): the stored row, read under lock, counts.
    act(dossier, HANDLER, "trinh-duyet", AT, comment="Trình.", result_file=pdf("du-thao.pdf"))
    stale.phone = "0987654321"
    stale.save(update_fields=["phone"])  # writes no key field: no tally moves
    assert tallies() == fresh_tallies()
    stale.assigned_to = None
    stale.save(update_fields=["assigned_to"])  # only the assignee is written; the step stays the stored one
    assert tallies() == fresh_tallies()


@pytest.mark.django_db(transaction=True)
def test_two_officers_accepting_at_once_lose_no_count(world):
    """Two receiving officers accept two dossiers of the same desk at the same moment (the same two tally
    rows change), and both try the same third one: every figure still equals a fresh count."""
    first, second, same = started(world), started(world), started(world)
    barrier = threading.Barrier(4)
    errors: list[Exception] = []

    def accept(dossier):
        try:
            barrier.wait(timeout=10)
            dossier_accept(dossier=Dossier.objects.get(pk=dossier.pk), officer=user(CLERK), at=AT)
        except ValidationError:
            errors.append(dossier.pk)  # the second acceptance of `same` finds it received already
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(d,)) for d in (first, second, same, same)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == [same.pk]
    assert Dossier.objects.filter(status=DossierStatus.RECEIVED).count() == 3
    assert tallies() == fresh_tallies()
    assert maintained_counts(CLERK, AT) == fresh_counts(CLERK, AT)
