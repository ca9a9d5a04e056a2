"""The national sync's handler of dossier events (core.subscriptions lists it, for every event)."""

from __future__ import annotations

from onestop_tayninh.dossiers.events import Payload
from onestop_tayninh.dossiers.models import DossierEvent

from .services import message_record


def dossier_changed(event: DossierEvent, payload: Payload) -> None:
    """Whatever happened to a received dossier, the national portal gets a message about it."""
    message_record(event=event)
