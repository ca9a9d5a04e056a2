"""A desk notice is about one step of a dossier: once the dossier has moved past it, the notice is read."""

import pytest

from onestop_tayninh.dossiers.actions import dossier_transition
from onestop_tayninh.notifications.models import DeskNotification, Message
from onestop_tayninh.notifications.registry import channels
from tests.signing_support import draft_pdf

from .conftest import assign, local, receive, user

pytestmark = pytest.mark.django_db


def _deliver(message: Message) -> DeskNotification:
    channels.get("desk")().send(message)
    return DeskNotification.objects.get(message=message)


def _desk_message(dossier, template_key: str, username: str) -> Message:
    """The latest desk message of that kind to that official about the dossier."""
    messages = Message.objects.filter(dossier=dossier, channel="desk", template_key=template_key)
    return messages.filter(user__username=username).latest("pk")


def test_the_assignment_notice_is_read_once_the_dossier_is_submitted_and_the_new_one_is_not(world):
    dossier = assign(receive(world))
    assigned = _deliver(_desk_message(dossier, "assigned", "chuyenvien.tuphap"))
    assert assigned.read_at is None
    dossier = dossier_transition(
        dossier=dossier,
        actor=user("chuyenvien.tuphap"),
        transition="trinh-duyet",
        at=local(2027, 3, 2, 9, 0),
        comment="Đủ điều kiện cấp.",
        result_file=draft_pdf(),
    )
    assigned.refresh_from_db()
    assert assigned.read_at == local(2027, 3, 2, 9, 0)
    # The head's notice about the step the dossier has just entered waits to be read.
    waiting = _deliver(_desk_message(dossier, "step_waiting", "lanhdao.tuphap"))
    assert waiting.read_at is None


def test_a_notice_delivered_after_the_dossier_moved_on_arrives_read(world):
    dossier = assign(receive(world))
    message = _desk_message(dossier, "assigned", "chuyenvien.tuphap")
    dossier_transition(
        dossier=dossier,
        actor=user("chuyenvien.tuphap"),
        transition="trinh-duyet",
        at=local(2027, 3, 2, 9, 0),
        comment="Đủ điều kiện cấp.",
        result_file=draft_pdf(),
    )
    assert _deliver(message).read_at is not None
