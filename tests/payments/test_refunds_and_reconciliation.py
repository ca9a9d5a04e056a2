"""Refunds end to end through the VNPay stand-in (asked, approved by the head, sent, recorded once), the
refusal that asks the money back by itself, and the day's reconciliation with the gateway's list."""

import pytest

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from onestop_tayninh.dossiers.constants import EventAction
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.services import dossier_refuse
from onestop_tayninh.notifications.models import Message
from onestop_tayninh.payments.constants import MismatchKind, OrderStatus, RefundStatus
from onestop_tayninh.payments.models import PaymentTransaction, Refund
from onestop_tayninh.payments.services import (
    mismatch_resolve,
    notification_handle,
    reconcile,
    refund_decide,
    refund_request,
    refund_send,
)
from onestop_tayninh.security.models import AuditEvent
from tests.factories import OfficialFactory
from tests.payments import support
from tests.payments.support import pay_at_gateway, start
from tests.portal import conftest as portal
from tests.workflows import conftest as workflows

pytestmark = pytest.mark.django_db

world = workflows.world
online = portal.online
gateway = support.gateway
vnpay = support.vnpay
order = support.order


def official(agency, role, *permissions):
    user = OfficialFactory(agency=agency, roles=[role]).user
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(content_type__app_label="payments", codename=codename))
    # Permissions are cached on the instance: read them again.
    return type(user).objects.get(pk=user.pk)


def paid(order):
    """Paid through the stand-in, its notification delivered: the order as the server knows it."""
    _txn, url = start(order)
    outcome = notification_handle(
        provider_code="vnpay", params=pay_at_gateway(url), client_ip="127.0.0.1", at=timezone.now()
    )
    assert outcome == "recorded"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    return order


def test_a_refund_goes_from_request_to_the_gateway_and_back_once(vnpay, order):
    paid(order)
    officer = official(order.agency, "receiving_officer")
    head = official(order.agency, "agency_head", "approve_refund")

    refund = refund_request(order=order, reason="Thu nhầm", actor=officer, at=timezone.now())
    assert refund.status == RefundStatus.REQUESTED
    with pytest.raises(PermissionDenied):
        refund_decide(refund=refund, head=officer, approve=True, at=timezone.now())

    refund_decide(refund=refund, head=head, approve=True, at=timezone.now())
    assert refund_send(refund_id=refund.pk, at=timezone.now()) == RefundStatus.DONE
    assert refund_send(refund_id=refund.pk, at=timezone.now()) == RefundStatus.DONE  # the job again: nothing more

    refund.refresh_from_db()
    order.refresh_from_db()
    assert refund.provider_transaction_no and order.status == OrderStatus.REFUNDED
    dossier = Dossier.objects.get(pk=order.dossier_id)
    assert dossier.events.filter(action=EventAction.PAYMENT_REFUNDED).count() == 1
    assert Message.objects.filter(dossier=dossier, template_key="payment_refunded").exists()
    assert {"payments.refund_requested", "payments.refund_approved", "payments.refunded"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )


def test_refusing_a_paid_online_dossier_at_receipt_asks_the_money_back_and_an_unpaid_one_owes_nothing(
    vnpay, online, message_templates
):
    paid_order = paid(support_order_for(online))
    unpaid = support_order_for(online)
    clerk = workflows.user("tiepnhan.tinh")
    for dossier in (paid_order.dossier, unpaid.dossier):
        dossier_refuse(dossier=dossier, officer=clerk, reason="Không thuộc thẩm quyền", at=timezone.now())

    refund = Refund.objects.get(order=paid_order)
    assert refund.status == RefundStatus.REQUESTED and refund.requested_by is None
    unpaid.refresh_from_db()
    assert unpaid.status == OrderStatus.CANCELLED
    assert Dossier.objects.get(pk=unpaid.dossier_id).fees_due == 0


def support_order_for(online):
    from onestop_tayninh.payments.models import PaymentOrder
    from tests.dossiers.test_online_first import submit_online

    return PaymentOrder.objects.get(dossier=submit_online(online, at=timezone.now()))


def test_the_reconciliation_lists_every_difference_and_a_resolution_is_audited(vnpay, online, message_templates):
    in_step = paid(support_order_for(online))
    lost = support_order_for(online)
    _txn, url = start(lost)
    pay_at_gateway(url, ipn="mat")  # paid at the gateway, never told: the gateway has it, we do not
    differs = paid(support_order_for(online))
    # Our record of one transaction says another amount than the gateway's.
    PaymentTransaction.objects.filter(order=differs).update(amount=9000)

    run = reconcile(provider_code="vnpay", day=timezone.localdate(), at=timezone.now())

    found = {(m.kind, m.txn_ref) for m in run.mismatches.all()}
    lost_ref = lost.transactions.get().txn_ref
    differs_ref = differs.transactions.get().txn_ref
    assert (MismatchKind.STATUS, lost_ref) in found
    assert (MismatchKind.AMOUNT, differs_ref) in found
    assert in_step.transactions.get().txn_ref not in {ref for _kind, ref in found}
    assert run.matched >= 1

    head = official(lost.agency, "agency_head", "resolve_mismatch")
    mismatch = run.mismatches.get(txn_ref=lost_ref)
    mismatch_resolve(mismatch=mismatch, official=head, resolution="Đã hỏi cổng, ghi nhận", at=timezone.now())
    assert AuditEvent.objects.filter(action="payments.mismatch_resolved").exists()

    # Run again: the resolved difference stays, the others are found again, nothing doubles.
    again = reconcile(provider_code="vnpay", day=timezone.localdate(), at=timezone.now())
    assert again.pk == run.pk
    assert again.mismatches.filter(txn_ref=lost_ref).count() == 1
    assert again.mismatches.get(txn_ref=lost_ref).resolved_at is not None
