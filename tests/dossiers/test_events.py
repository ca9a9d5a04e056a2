"""The dossier engine's events: every kind typed, one parser, and a subscription table that names real handlers."""

import dataclasses
import datetime as dt

import pytest

from django.utils.module_loading import import_string

from onestop_tayninh.core.subscriptions import EVERY_EVENT, SUBSCRIPTIONS, subscriptions_for
from onestop_tayninh.dossiers.constants import EventAction
from onestop_tayninh.dossiers.events import PAYLOADS, Accepted, Apologised, DocumentAdded, Transitioned, payload_of
from onestop_tayninh.dossiers.models import DossierEvent
from tests.workflows.conftest import local, receive, world  # noqa: F401 - `world` is a fixture

from ..notifications.conftest import assign


def test_every_event_kind_has_a_payload_type():
    assert set(PAYLOADS) == set(EventAction.values)
    for kind, payload_class in PAYLOADS.items():
        assert payload_class.kind == kind
        assert dataclasses.is_dataclass(payload_class)
        assert payload_class.__dataclass_params__.frozen
        payload_class()  # every field has a default: rows written before a field existed still parse


def test_a_payload_survives_the_row_and_comes_back_typed():
    due = local(2027, 3, 8, 8, 0)
    payloads = [
        Accepted(code="000.00.01.H53-270301-0001", due_at=due, forms_version="2018"),
        Transitioned(transition="xin-y-kien", effect="request_consultation", consulted=("A", "B"), new_due_at=due),
        Apologised(original_due_at=due, new_due_at=due + dt.timedelta(days=3), responsible_agency="X", reason="r"),
        DocumentAdded(document=3, name="Tờ khai", sha256="ab" * 32, reused=True),
    ]
    for payload in payloads:
        event = DossierEvent(action=payload.kind, data=payload.to_data())
        assert payload_of(event) == payload


def test_an_old_row_without_the_newer_fields_still_parses():
    event = DossierEvent(action="transition", data={"transition": "phan-cong", "label": "Phân công", "assignee": "A"})
    payload = payload_of(event)
    assert payload == Transitioned(transition="phan-cong", label="Phân công", assignee="A")


def test_every_subscription_names_a_handler_for_a_known_kind_and_real_fields():
    for subscription in SUBSCRIPTIONS:
        assert callable(import_string(subscription.handler)), subscription
        if subscription.event == EVERY_EVENT:
            # Hears every kind, so it can narrow by no payload's fields.
            assert subscription.when == {}, subscription
            continue
        assert subscription.event in PAYLOADS, subscription
        fields = {field.name for field in dataclasses.fields(PAYLOADS[subscription.event])}
        assert set(subscription.when) <= fields, subscription


def test_a_subscription_to_every_event_hears_each_kind_after_its_own_subscribers():
    for kind in PAYLOADS:
        subscriptions = subscriptions_for(kind)
        assert subscriptions[-1].event == EVERY_EVENT, kind


@pytest.mark.django_db
def test_the_history_is_written_only_through_record_and_reads_back_typed(world, sent_ids):  # noqa: F811
    dossier = assign(receive(world))
    kinds = list(dossier.events.order_by("pk").values_list("action", flat=True))
    assert kinds[0] == "started" and "accepted" in kinds and kinds[-1] == "transition"
    accepted = payload_of(dossier.events.get(action="accepted"))
    assert isinstance(accepted, Accepted) and accepted.code == dossier.code and accepted.due_at == dossier.due_at
    assigned = payload_of(dossier.events.filter(action="transition").latest("pk"))
    assert assigned.effect == "assign" and assigned.assignee_id == dossier.assigned_to_id


@pytest.fixture
def sent_ids(monkeypatch):
    from onestop_tayninh.notifications import services

    ids: list[int] = []
    monkeypatch.setattr(services, "_enqueue_send", lambda message_ids: ids.extend(message_ids))
    return ids


def test_history_rows_are_read_through_the_one_parser():
    """Readers go through payload_of(event); only the engine's writer and the desk's generic
    "details" column touch the stored dictionary."""
    import re
    from pathlib import Path

    import onestop_tayninh

    root = Path(onestop_tayninh.__file__).parent
    # The audit trail's export reads its own `AuditEvent.data`, not a dossier's history.
    allowed = {root / "dossiers" / "events.py", root / "dossiers" / "selectors.py", root / "security" / "admin.py"}
    pattern = re.compile(r"\bevent\.data\b|[\"']data__\w+")
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for path in root.rglob("*.py")
        if path not in allowed and "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
