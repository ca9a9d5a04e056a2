"""A hand-over's lines as people read them: the desk's history, the citizen's timeline, Form 05."""

import html

import pytest

from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.services import dossier_handover_note
from onestop_tayninh.interconnect import services
from onestop_tayninh.portal.selectors import citizen_timeline
from onestop_tayninh.printing.selectors import control_sheet_rows
from tests.workflows.conftest import local, pdf, receive, user

from .test_send import _result

pytestmark = pytest.mark.django_db

PEER = "Hệ thống một cửa tỉnh Bình Dương"


def _handed_over_and_back(world, sender):
    """Sent, delivered (as the delivery job notes it once the peer answered), and its result back."""
    handover = services.handover_send(
        dossier=receive(world), peer=sender["peer"], officer=user("tiepnhan.tinh"), at=local(2027, 3, 1, 9)
    )
    dossier_handover_note(
        dossier=handover.dossier,
        kind="delivered",
        peer=PEER,
        label=f"{PEER} đã tiếp nhận hồ sơ liên thông",
        actor=None,
        at=local(2027, 3, 1, 9, 5),
    )
    answer = sender["api"].post(f"/api/v1/handovers/{handover.code}/result", _result(pdf("ket-qua.pdf").read()))
    assert answer.status_code == 200, answer.content
    return Dossier.objects.get(pk=handover.dossier_id)


def test_the_citizen_reads_where_the_dossier_went_and_that_its_result_came_back(world, sender):
    dossier = _handed_over_and_back(world, sender)
    timeline = [(entry.text, entry.detail) for entry in citizen_timeline(dossier)]
    # Sending (and a failed attempt) is the desk's business: the applicant hears when the other system has it.
    # (The result came through the API at the real time: the order of the lines is not the point here.)
    assert (f"Hồ sơ đã được chuyển liên thông đến {PEER} để giải quyết", "") in timeline
    assert ("Đã có kết quả giải quyết", f"Nhận kết quả liên thông từ {PEER}") in timeline
    assert not any("Gửi hồ sơ liên thông" in text for text, _detail in timeline)


def test_the_desk_history_shows_each_hand_over_line_in_words(world, sender, client):
    dossier = _handed_over_and_back(world, sender)
    client.force_login(user("tiepnhan.tinh"))
    page = html.unescape(client.get(f"/desk/dossiers/dossier/{dossier.pk}/change/").content.decode())
    history = page[page.index("Quá trình xử lý") :]
    for line in (
        f"Gửi hồ sơ liên thông đến {PEER}",
        f"{PEER} đã tiếp nhận hồ sơ liên thông",
        f"Nhận kết quả liên thông từ {PEER}",
    ):
        assert line in history
    # No internal codes: the kind and the stage are not shown as such.
    assert "handed_over" not in history and "delivered" not in history


def test_form_05_has_a_row_for_the_hand_over_received_when_the_other_system_took_it(world, sender):
    dossier = _handed_over_and_back(world, sender)
    (row,) = [row for row in control_sheet_rows(dossier) if row.receiver_agency == PEER]
    assert (row.at, row.received_at, row.receiver) == (local(2027, 3, 1, 9), local(2027, 3, 1, 9, 5), "")
    assert row.giver  # the official who sent it
    assert row.note == f"Gửi hồ sơ liên thông đến {PEER}"


def test_the_result_sent_back_is_a_line_for_the_citizen(world):
    dossier = receive(world)
    dossier_handover_note(
        dossier=dossier,
        kind="result_sent",
        peer=PEER,
        label=f"Đã gửi kết quả liên thông về {PEER}",
        actor=None,
        at=local(2027, 3, 5, 10),
    )
    line = dossier.events.get(action="handed_over")
    assert (line.data["stage"], line.data["peer"]) == ("result_sent", PEER)
    assert citizen_timeline(dossier)[-1].text == f"Kết quả giải quyết đã được gửi về {PEER}, nơi tiếp nhận hồ sơ"


def test_an_unknown_hand_over_kind_is_refused_and_writes_nothing(world):
    dossier = receive(world)
    events = dossier.events.count()
    with pytest.raises(ValueError, match="Unknown hand-over kind"):
        dossier_handover_note(dossier=dossier, kind="lost", peer=PEER, label="?", actor=None, at=local(2027, 3, 5))
    assert dossier.events.count() == events
