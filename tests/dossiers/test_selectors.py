"""The engine's shared reads: one answer per question, the same for the desk, the portal and printing."""

import pytest

from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.selectors import completion_items, is_overdue
from onestop_tayninh.dossiers.services import dossier_accept

from .conftest import local
from .helpers import complete_dossier, start

pytestmark = pytest.mark.django_db


def _overdue_in_list(dossier, at):
    return Dossier.objects.filter(pk=dossier.pk).overdue(at=at).exists()


def test_a_dossier_page_says_overdue_exactly_when_the_overdue_list_holds_it(world):
    dossier = dossier_accept(dossier=complete_dossier(world), officer=world["officer"], at=local(2027, 3, 3, 9, 30))
    before, after = local(2027, 3, 4, 9), local(2027, 3, 20, 9)
    assert (is_overdue(dossier, at=before), _overdue_in_list(dossier, before)) == (False, False)
    assert (is_overdue(dossier, at=after), _overdue_in_list(dossier, after)) == (True, True)
    # Waiting for the applicant's supplement stops the clock: neither says overdue.
    Dossier.objects.filter(pk=dossier.pk).update(paused_at=local(2027, 3, 5, 9))
    dossier.refresh_from_db()
    assert (is_overdue(dossier, at=after), _overdue_in_list(dossier, after)) == (False, False)


def test_a_dossier_still_at_the_check_is_never_overdue(world):
    assert not is_overdue(start(world), at=local(2030, 1, 1, 9))


def test_form_02_lists_the_officers_lines_or_else_every_missing_required_component(world):
    dossier = start(world)
    assert completion_items(dossier, ["  Bản sao giấy tờ ", ""]) == ["Bản sao giấy tờ"]
    assert completion_items(dossier) == ["Tờ khai", "Giấy chứng sinh"]
