"""Each notification subscriber, run on a hand-built event: who is told, with what, and only once."""

import pytest

from onestop_tayninh.directory.models import Agency
from onestop_tayninh.dossiers.events import (
    Apologised,
    CompletionRequested,
    Refused,
    Resubmitted,
    SubmittedOnline,
    Transitioned,
)
from onestop_tayninh.dossiers.models import Consultation
from onestop_tayninh.notifications import subscribers
from onestop_tayninh.notifications.models import Message
from onestop_tayninh.notifications.rendering import message_render
from tests.factories import hand_built_event

from .conftest import assign, local, receive, user

pytestmark = pytest.mark.django_db

AT = local(2027, 3, 3, 10, 0)


def run(handler, dossier, payload, **event):
    built = hand_built_event(dossier, payload, at=AT, **event)
    first = handler(built, payload)
    again = handler(built, payload)  # a replayed event writes nothing more
    assert sorted(m.pk for m in again) == sorted(m.pk for m in first)
    return first


def to(messages):
    return sorted((m.user.username if m.user_id else m.address, m.channel) for m in messages)


@pytest.mark.parametrize(
    ("handler", "payload", "key"),
    [
        (subscribers.dossier_received, None, "dossier_received"),
        (subscribers.supplement_requested, Transitioned(effect="request_supplement"), "supplement_requested"),
        (subscribers.result_ready, Transitioned(effect="issue_result"), "result_ready"),
        (subscribers.rating_invitation, Transitioned(effect="return_result"), "rating_invitation"),
    ],
)
def test_the_applicant_is_told_at_their_contact(world, sent_ids, handler, payload, key):
    dossier = receive(world)
    dossier.email = "hong@example.vn"
    payload = payload or dossier.events.get(action="accepted")
    payload = (
        payload
        if not hasattr(payload, "action")
        else __import__("onestop_tayninh.dossiers.events", fromlist=["payload_of"]).payload_of(payload)
    )
    messages = run(handler, dossier, payload)
    assert to(messages) == [("0912345678", "sms"), ("hong@example.vn", "email")]
    assert {m.template_key for m in messages} == {key}
    assert all(m.dedupe_key.startswith("event:") for m in messages)


def test_two_supplement_requests_are_two_notices(world, sent_ids):
    dossier = receive(world)
    first = run(subscribers.supplement_requested, dossier, Transitioned(effect="request_supplement"))
    second = run(subscribers.supplement_requested, dossier, Transitioned(effect="request_supplement"))
    assert {m.pk for m in first}.isdisjoint(m.pk for m in second)


@pytest.mark.parametrize(
    ("handler", "payload", "key"),
    [
        (
            subscribers.completion_requested,
            CompletionRequested(items=("Tờ khai có chữ ký",), reason="Chưa ký."),
            "completion_requested",
        ),
        (subscribers.receipt_refused, Refused(reason="Không thuộc thẩm quyền."), "receipt_refused"),
    ],
)
def test_the_desks_forms_reach_only_an_applicant_not_at_the_counter(world, sent_ids, handler, payload, key):
    dossier = receive(world)
    assert run(handler, dossier, payload) == []  # a walk-in applicant is handed the form
    dossier.channel = "post"
    dossier.email = "hong@example.vn"
    messages = run(handler, dossier, payload)
    assert to(messages) == [("0912345678", "sms"), ("hong@example.vn", "email")]
    assert {m.template_key for m in messages} == {key}
    _subject, body = message_render(next(m for m in messages if m.channel == "email"))
    assert ("Tờ khai có chữ ký" if key == "completion_requested" else "Không thuộc thẩm quyền.") in body


def test_the_apology_carries_the_new_date(world, sent_ids):
    dossier = receive(world)
    payload = Apologised(original_due_at=dossier.due_at, new_due_at=local(2027, 3, 19, 17, 0), reason="Chờ xác minh")
    (sms,) = run(subscribers.apology, dossier, payload)
    assert "19/03/2027" in message_render(sms)[1]


def test_the_desk_hears_of_an_online_dossier_and_of_its_supplement(world, sent_ids):
    dossier = receive(world)
    arrived = run(subscribers.online_dossier_arrived, dossier, SubmittedOnline(files=2))
    assert ("tiepnhan.tinh", "desk") in to(arrived)
    assert {m.user.official.desks.filter(pk=dossier.receiving_desk_id).exists() for m in arrived} == {True}
    again = run(subscribers.online_dossier_arrived, dossier, Resubmitted(round=1))
    assert {m.context["resubmitted"] for m in again} == {1}


def test_the_assignee_is_told(world, sent_ids):
    dossier = receive(world)
    dossier.assigned_to = user("chuyenvien.tuphap")
    messages = run(subscribers.assigned, dossier, Transitioned(effect="assign"))
    assert to(messages) == [("chuyenvien.tuphap", "desk"), ("chuyenvien.tuphap", "email")]
    dossier.assigned_to = None
    assert run(subscribers.assigned, dossier, Transitioned(effect="assign")) == []


def test_the_heads_of_each_consulted_agency_are_asked(world, sent_ids):
    dossier = assign(receive(world))
    others = Agency.objects.exclude(pk=dossier.current_agency_id).filter(
        pk__in=user("lanhdao.tuphap")
        .__class__.objects.filter(groups__role__code="agency_head")
        .values("official__agency")
    )[:2]
    for agency in others:
        Consultation.objects.create(
            dossier=dossier, agency=agency, requested_by=user("lanhdao.tuphap"), requested_at=AT, due_at=AT
        )
    messages = run(subscribers.consultation_requested, dossier, Transitioned(effect="request_consultation"))
    heads = {m.user.official.agency_id for m in messages}
    assert heads == {agency.pk for agency in others} and len(heads) == 2


def test_step_waiting_tells_who_acts_next_but_not_the_actor_nor_on_assignment(world, sent_ids):
    dossier = assign(receive(world))  # at the handling officer's step
    officer = user("chuyenvien.tuphap")
    before = Message.objects.filter(template_key="step_waiting").count()
    assert run(subscribers.step_waiting, dossier, Transitioned(effect="assign")) == []
    by_officer = run(subscribers.step_waiting, dossier, Transitioned(effect="none"), actor=officer)
    assert "chuyenvien.tuphap" not in {name for name, _channel in to(by_officer)}
    by_head = run(subscribers.step_waiting, dossier, Transitioned(effect="none"), actor=user("lanhdao.tuphap"))
    assert ("chuyenvien.tuphap", "desk") in to(by_head)
    assert "lanhdao.tuphap" not in {name for name, _channel in to(by_head)}
    assert Message.objects.filter(template_key="step_waiting").count() == before + len(by_officer) + len(by_head)


def test_the_rating_invitation_carries_the_applicants_own_link(world, sent_ids):
    """A counter applicant has no account: the message at the return of the result links to the
    signed page where they rate (and download an electronic result), not to the portal's home."""
    from onestop_tayninh.dossiers.access import dossier_for_token

    dossier = receive(world)
    dossier.email = "hong@example.vn"
    messages = run(subscribers.rating_invitation, dossier, Transitioned(effect="return_result"))
    for message in messages:
        body = message_render(message)[1]
        token = body.split("/ho-so/", 1)[1].split("/", 1)[0]
        assert dossier_for_token(token) == dossier
