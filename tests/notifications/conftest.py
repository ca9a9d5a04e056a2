"""The demo province of the workflow tests, plus helpers to drive a dossier to a deadline."""

import pytest

from onestop_tayninh.dossiers.actions import dossier_transition
from tests.workflows.conftest import local, receive, user, world  # noqa: F401 - `world` is a fixture

__all__ = ["assign", "local", "receive", "user"]


def assign(dossier, *, at=None):
    """Hand the justice dossier to Sở Tư pháp and assign it to its handling officer."""
    at = at or local(2027, 3, 1, 9, 0)
    dossier = dossier_transition(dossier=dossier, actor=user("tiepnhan.tinh"), transition="chuyen-xu-ly", at=at)
    return dossier_transition(
        dossier=dossier,
        actor=user("lanhdao.tuphap"),
        transition="phan-cong",
        at=at.replace(hour=at.hour + 1),
        assignee=user("chuyenvien.tuphap"),
    )


@pytest.fixture
def sent_ids(monkeypatch):
    """Ids handed to RQ after commit (instead of a real queue)."""
    from onestop_tayninh.notifications import services

    ids: list[int] = []
    monkeypatch.setattr(services, "_enqueue_send", lambda message_ids: ids.extend(message_ids))
    return ids
