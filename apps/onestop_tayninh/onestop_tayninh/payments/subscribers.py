"""How the payments app reacts to dossier events (core/subscriptions.py): the engine never calls payments."""

from __future__ import annotations

from django.utils.translation import gettext as _

from onestop_tayninh.dossiers.events import Payload
from onestop_tayninh.dossiers.models import DossierEvent

from .constants import OrderStatus
from .services import order_cancel, order_for_submission, refund_request


def request_fees_online(event: DossierEvent, payload: Payload) -> None:
    """A level-4 dossier submitted online owes its fees at once: the order the applicant pays."""
    order_for_submission(dossier=event.dossier, at=event.at)


def settle_on_refusal(event: DossierEvent, payload: Payload) -> None:
    """Refused at receipt (Form 03) or withdrawn: nothing more is owed, and what was paid is asked back."""
    reason = _("Hồ sơ bị từ chối tiếp nhận hoặc được rút; hoàn trả phí, lệ phí đã nộp.")
    for order in event.dossier.payment_orders.filter(status__in=[OrderStatus.OPEN, OrderStatus.PAID]):
        if order.status == OrderStatus.OPEN:
            order_cancel(order=order, reason=_("Hồ sơ không tiếp tục giải quyết."), actor=None, at=event.at)
        else:
            refund_request(order=order, reason=reason, actor=None, at=event.at)


def cancel_unpaid(event: DossierEvent, payload: Payload) -> None:
    """Refused after appraisal or stopped: unpaid orders are no longer owed (paid ones stay paid)."""
    for order in event.dossier.payment_orders.filter(status=OrderStatus.OPEN):
        order_cancel(order=order, reason=_("Hồ sơ không tiếp tục giải quyết."), actor=None, at=event.at)
