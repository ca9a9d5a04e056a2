"""Dossier-event handlers of the interconnect app (listed in core/subscriptions.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import services

if TYPE_CHECKING:
    from onestop_tayninh.dossiers.events import Payload
    from onestop_tayninh.dossiers.models import DossierEvent


def result_ready(event: DossierEvent, payload: Payload) -> None:
    """A dossier handed over to us reached a finished step (result or refusal): its result goes back."""
    services.result_queue(dossier_id=event.dossier_id)
