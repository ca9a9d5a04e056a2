"""The payment notification (IPN) is the only truth: each answer code, exactly once, in any order with
the browser's return, and every refusal kept and audited. The signed parameters come from the VNPay
stand-in (scripts/fake_vnpay.py) over real HTTP, as the gateway would send them."""

import datetime as dt
from urllib.parse import urlencode

import pytest

from django.utils import timezone

from onestop_tayninh.dossiers.constants import EventAction
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.notifications.models import Message
from onestop_tayninh.payments.constants import NotificationOutcome, OrderStatus, RefundStatus, TransactionStatus
from onestop_tayninh.payments.contrib.vnpay import protocol
from onestop_tayninh.payments.models import PaymentTransaction, ProviderNotification, Receipt
from onestop_tayninh.payments.services import order_cancel
from onestop_tayninh.security.models import AuditEvent
from tests.payments import support
from tests.payments.support import SECRET, pay_at_gateway, start

pytestmark = pytest.mark.django_db

gateway = support.gateway
vnpay = support.vnpay
order = support.light_order

IPN = "/thanh-toan/ipn/vnpay/"


def deliver(client, params):
    """The gateway's server calls our IPN address with the signed parameters (VNPay: GET)."""
    response = client.get(f"{IPN}?{urlencode(params)}")
    assert response.status_code == 200
    return response.json()["RspCode"]


def resign(params, **changes):
    """Parameters changed and signed again with the merchant's secret (a forgery that knows the key)."""
    changed = {key: value for key, value in {**params, **changes}.items() if key != "vnp_SecureHash"}
    return {**changed, "vnp_SecureHash": protocol.secure_hash(changed, SECRET)}


def test_a_paid_notification_is_recorded_once_and_a_replay_is_answered_already_confirmed(client, vnpay, order):
    txn, url = start(order)
    params = pay_at_gateway(url)

    assert deliver(client, params) == "00"
    assert deliver(client, params) == "02"

    order.refresh_from_db()
    txn.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.paid_transaction == txn
    assert txn.status == TransactionStatus.SUCCEEDED and txn.provider_transaction_no == params["vnp_TransactionNo"]
    assert Receipt.objects.filter(order=order).count() == 1
    dossier = Dossier.objects.get(pk=order.dossier_id)
    assert dossier.fees_due == 0
    paid = dossier.events.filter(action=EventAction.PAYMENT_RECEIVED)
    assert paid.count() == 1 and paid.get().data["transaction_no"] == params["vnp_TransactionNo"]
    # The applicant is told once, by each channel they gave.
    assert Message.objects.filter(dossier=dossier, template_key="payment_received").count() >= 1
    assert list(ProviderNotification.objects.values_list("outcome", flat=True).order_by("pk")) == [
        NotificationOutcome.RECORDED,
        NotificationOutcome.ALREADY,
    ]


def test_a_bad_signature_is_answered_97_and_changes_nothing(client, vnpay, order):
    _txn, url = start(order)
    params = pay_at_gateway(url)
    tampered = {**params, "vnp_Amount": "100"}  # signed for 8.000 đ, claims 1 đ

    assert deliver(client, tampered) == "97"

    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN
    assert AuditEvent.objects.filter(action="payments.notification_refused").exists()
    assert ProviderNotification.objects.get().outcome == NotificationOutcome.SIGNATURE


def test_an_unknown_order_is_answered_01(client, vnpay, order):
    _txn, url = start(order)
    params = pay_at_gateway(url)

    assert deliver(client, resign(params, vnp_TxnRef="TT26KHONGCO01")) == "01"
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN


def test_an_amount_that_differs_is_answered_04(client, vnpay, order):
    _txn, url = start(order)
    params = pay_at_gateway(url)

    assert deliver(client, resign(params, vnp_Amount=str(5000 * 100))) == "04"
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN and not Receipt.objects.exists()


def test_garbage_is_answered_99_and_kept(client, vnpay, order):
    assert deliver(client, resign({"vnp_TxnRef": "x", "vnp_Amount": "abc"})) == "99"
    assert ProviderNotification.objects.get().outcome == NotificationOutcome.ERROR


def test_a_cancelled_payment_leaves_the_order_open_for_another_try(client, vnpay, order):
    txn, url = start(order)
    params = pay_at_gateway(url, action="cancel")

    assert deliver(client, params) == "00"
    txn.refresh_from_db()
    order.refresh_from_db()
    assert txn.status == TransactionStatus.FAILED and txn.response_code == "24"
    assert order.status == OrderStatus.OPEN
    again, _url = start(order)
    assert again.pk != txn.pk


def test_a_double_click_on_pay_gives_one_transaction(vnpay, order):
    first, url_one = start(order)
    second, url_two = start(order)
    assert first.pk == second.pk and url_one == url_two
    assert PaymentTransaction.objects.filter(order=order).count() == 1


def test_money_for_a_cancelled_order_is_recorded_and_asked_back(client, vnpay, order):
    _txn, url = start(order)
    params = pay_at_gateway(url)
    order_cancel(order=order, reason="Hồ sơ bị từ chối", actor=None, at=timezone.now())

    assert deliver(client, params) == "00"

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    refund = order.refunds.get()
    assert refund.status == RefundStatus.REQUESTED and refund.amount == 8000
    assert AuditEvent.objects.filter(action="payments.unexpected_payment").exists()


def test_a_notification_after_the_transaction_expired_still_records_the_money(client, vnpay, order):
    txn, url = start(order)
    params = pay_at_gateway(url)
    PaymentTransaction.objects.filter(pk=txn.pk).update(status=TransactionStatus.EXPIRED)

    assert deliver(client, params) == "00"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_a_lost_notification_is_settled_by_asking_the_gateway(vnpay, order):
    from onestop_tayninh.payments.services import pending_settle

    txn, url = start(order)
    pay_at_gateway(url, ipn="mat")  # paid at the gateway; its notification never arrives

    assert pending_settle(at=timezone.now()) == 0  # not yet due: 15 minutes after the start
    assert pending_settle(at=timezone.now() + dt.timedelta(minutes=16)) == 1

    txn.refresh_from_db()
    order.refresh_from_db()
    assert txn.status == TransactionStatus.SUCCEEDED and order.status == OrderStatus.PAID
    assert Receipt.objects.filter(order=order).count() == 1


def test_an_abandoned_payment_is_asked_about_on_a_back_off_then_expired(vnpay, order):
    from onestop_tayninh.payments.constants import SETTLE_DELAYS
    from onestop_tayninh.payments.services import pending_settle

    txn, _url = start(order)  # the citizen never pays
    moment = timezone.now()
    for _ in SETTLE_DELAYS:
        moment += dt.timedelta(days=2)
        pending_settle(at=moment)
    txn.refresh_from_db()
    assert txn.status == TransactionStatus.EXPIRED and txn.queries == len(SETTLE_DELAYS)
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN


def test_a_gateway_that_does_not_answer_leaves_the_transaction_pending(settings, vnpay, order):
    from onestop_tayninh.payments.services import pending_settle

    txn, _url = start(order)
    settings.ONESTOP_VNPAY_API_URL = "http://127.0.0.1:9/merchant_webapi/api/transaction"  # nobody there
    pending_settle(at=timezone.now() + dt.timedelta(minutes=16))
    txn.refresh_from_db()
    assert txn.status == TransactionStatus.PENDING and txn.next_query_at > timezone.now()
