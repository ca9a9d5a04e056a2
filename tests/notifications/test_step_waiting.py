"""A dossier that comes to someone's step tells them: the head when it is submitted for approval, the
receiving desk when the result comes back to be returned, never the official who just acted."""

import pytest

from onestop_tayninh.dossiers.actions import dossier_transition
from onestop_tayninh.notifications.models import Message
from onestop_tayninh.notifications.rendering import message_render
from tests.signing_support import draft_pdf

from .conftest import assign, local, receive, user

pytestmark = pytest.mark.django_db


def notices(dossier) -> dict[str, tuple[str, str]]:
    """{username: (subject, body)} of the step notices in the desk for this dossier's current step."""
    entered = dossier.events.filter(action="transition").order_by("-pk").first()
    rows = Message.objects.filter(
        template_key="step_waiting", channel="desk", dossier=dossier, dedupe_key__startswith=f"event:{entered.pk}:"
    )
    return {message.user.username: message_render(message) for message in rows}


def submitted_for_approval(dossier):
    """The handling officer submits the assigned dossier to the head of Sở Tư pháp."""
    return dossier_transition(
        dossier=dossier,
        actor=user("chuyenvien.tuphap"),
        transition="trinh-duyet",
        at=local(2027, 3, 2, 9, 0),
        comment="Đủ điều kiện cấp.",
        result_file=draft_pdf(),
    )


def test_submitted_for_approval_the_head_hears_of_it_and_not_the_officer(world, sent_ids):
    dossier = assign(receive(world))
    assert notices(dossier) == {}  # the assignee was told by the "assigned" notice, not twice
    dossier = submitted_for_approval(dossier)
    told = notices(dossier)
    assert set(told) == {"lanhdao.tuphap"}
    subject, body = told["lanhdao.tuphap"]
    assert subject == f"Hồ sơ {dossier.code} chờ đồng chí: {dossier.state.name}"
    assert dossier.procedure_version.name in body and "hẹn trả kết quả" in body
    # By e-mail too, as every official notice.
    assert Message.objects.filter(
        template_key="step_waiting", channel="email", user__username="lanhdao.tuphap"
    ).exists()


def test_the_result_back_at_the_desk_tells_its_receiving_officers(world, sent_ids, signing_keys):
    signing_keys.issue("000.00.02.H53", "Sở Tư pháp tỉnh Tây Ninh")
    dossier = submitted_for_approval(assign(receive(world)))
    dossier = dossier_transition(
        dossier=dossier, actor=user("lanhdao.tuphap"), transition="phe-duyet", at=local(2027, 3, 2, 10, 0)
    )
    dossier = dossier_transition(
        dossier=dossier, actor=user("vanthu.tuphap"), transition="phat-hanh", at=local(2027, 3, 2, 11, 0)
    )
    told = notices(dossier)
    # The provincial centre's two receiving officers; officials of other desks are not told.
    assert set(told) == {"tiepnhan.tinh", "tiepnhan.tinh2"}
    assert "lanhdao.tuphap" not in told and "vanthu.tuphap" not in told
