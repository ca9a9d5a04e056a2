"""Queries the busiest writes may spend, the notices and printed forms they cause included.

Measured when the engine began publishing events: accepting a dossier took 36 queries before
and 33 after (the event no longer re-checks its own relations, nor the locked dossier its
foreign keys, and a task needs no savepoint); a hand-over took 37 before and after. Accepting
then took 35: the code's tail joins the search index (one INSERT) and the desk notices about
the check are marked read (one UPDATE). A change that adds queries here should say why.
The webhooks' subscriber (webhooks.subscribers) adds one per event: the systems subscribed to the
event's kind whose bodies may see the dossier (one SELECT; more only when one is).
"""

import pytest

from onestop_tayninh.dossiers.actions import dossier_transition
from onestop_tayninh.dossiers.services import dossier_accept
from tests.printing.conftest import start
from tests.workflows.conftest import local, user, world  # noqa: F401 - `world` is a fixture

pytestmark = pytest.mark.django_db

AT = local(2027, 3, 1, 8, 0)


def test_accepting_a_dossier_with_its_notice_and_receipt_task(world, django_assert_max_num_queries):  # noqa: F811
    dossier = start(world, at=AT)
    officer = user("tiepnhan.tinh")
    # 3 for the inbox's maintained counts (dossiers/tallies.py): the stored row read under lock, the
    # tallies' upsert, the agencies' rows' due time; 1 for the webhooks' subscribers; 2 for the national
    # sync's outbox message (the dossier's last number, the row).
    with django_assert_max_num_queries(41):
        dossier_accept(dossier=dossier, officer=officer, at=AT)


def test_handing_a_dossier_to_the_agency(world, django_assert_max_num_queries):  # noqa: F811
    officer = user("tiepnhan.tinh")
    dossier = dossier_accept(dossier=start(world, at=AT), officer=officer, at=AT)
    # 1 for the webhooks' subscribers, 2 for the national sync's outbox message (the dossier's last number, the row).
    with django_assert_max_num_queries(40):
        dossier_transition(dossier=dossier, actor=officer, transition="chuyen-xu-ly", at=local(2027, 3, 1, 9, 0))
