"""The webhooks app's handler of dossier events (core.subscriptions lists it for every event)."""

from __future__ import annotations

from onestop_tayninh.dossiers.events import Payload
from onestop_tayninh.dossiers.models import DossierEvent

from .services import deliveries_write


def event_published(event: DossierEvent, payload: Payload) -> None:
    """Whatever happened, each subscribed system whose bodies may see the dossier gets one delivery."""
    deliveries_write(event=event)
