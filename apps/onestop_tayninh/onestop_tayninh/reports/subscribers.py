"""The reports app's handlers of dossier events (core.subscriptions lists them)."""

from __future__ import annotations

from onestop_tayninh.dossiers.events import Payload
from onestop_tayninh.dossiers.models import DossierEvent

from .services import refresh_after_commit


def dossier_changed(event: DossierEvent, payload: Payload) -> None:
    """Whatever happened to the dossier, its fact is derived again when the transaction commits: the
    service that recorded the event may still change the dossier after recording it."""
    refresh_after_commit(event.dossier_id)
