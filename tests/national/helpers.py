"""Dossiers with a history for the national sync's tests."""

from __future__ import annotations

import datetime as dt

from onestop_tayninh.calendars.engine import VIETNAM_TZ
from onestop_tayninh.dossiers.events import ApplicantCorrected, Transitioned
from onestop_tayninh.dossiers.services import dossier_accept
from onestop_tayninh.national import subscribers
from onestop_tayninh.national.models import SyncMessage
from tests.dossiers.helpers import complete_dossier
from tests.factories import hand_built_event


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VIETNAM_TZ)


def received(world, *, at=None, **applicant):
    """A dossier received at the desk through the engine (its acceptance writes message 1)."""
    at = at or local(2027, 3, 3, 9, 30)
    return dossier_accept(
        dossier=complete_dossier(world, at=at - dt.timedelta(minutes=20), **applicant), officer=world["officer"], at=at
    )


def change(dossier, *, at=None, payload=None) -> SyncMessage:
    """One more change of the dossier, heard by the national sync's subscriber as the engine would call it."""
    payload = payload or ApplicantCorrected()
    event = hand_built_event(dossier, payload, at=at or local(2027, 3, 4, 9, 0))
    subscribers.dossier_changed(event, payload)
    return SyncMessage.objects.get(event=event)


def pause(dossier, *, at):
    return change(dossier, at=at, payload=Transitioned(effect="request_supplement", label="Yêu cầu bổ sung"))


def resume(dossier, *, at):
    return change(dossier, at=at, payload=Transitioned(effect="supply_supplement", label="Đã bổ sung"))
