"""Jobs of the interconnect app, run by the task outbox (core.models.Task): take ids, safe to run twice."""

from __future__ import annotations

from django.utils import timezone

from . import services


def handover_deliver(*, handover_id: int) -> None:
    """Post one hand-over's package to the installation it goes to."""
    services.handover_deliver(handover_id=handover_id, at=timezone.now())


def handover_result_send(*, received_id: int) -> None:
    """Post the result of a dossier handed over to us back to the installation that sent it."""
    services.handover_result_send(received_id=received_id, at=timezone.now())
