"""Money recorded once when everything arrives at once: the gateway's notification replayed in parallel
while the settling job asks the gateway about the same payment, each on its own database connection,
as two web workers and an RQ worker would."""

import pytest

from django.contrib.auth.models import Permission
from django.utils import timezone

from onestop_tayninh.dossiers.constants import EventAction
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.payments import services
from onestop_tayninh.payments.constants import CounterMethod, NotificationOutcome, OrderStatus, TransactionStatus
from onestop_tayninh.payments.models import PaymentOrder, PaymentTransaction, Receipt
from tests.factories import CitizenFactory, DossierFactory, receiving_world
from tests.payments import support
from tests.payments.support import pay_at_gateway, start
from tests.support import at_once

pytestmark = pytest.mark.django_db(transaction=True)

gateway = support.gateway
vnpay = support.vnpay


@pytest.fixture
def order(db):
    """An open 25.000 đ order on a citizen's dossier, at a desk whose officer may take money."""
    world = receiving_world()
    dossier = DossierFactory(
        procedure_version=world["version"], receiving_desk=world["desk"], applicant_account=CitizenFactory().user
    )
    world["officer"].user_permissions.add(
        Permission.objects.get(content_type__app_label="payments", codename="collect_at_counter")
    )
    return services.order_open(
        dossier=dossier,
        agency=world["agency"],
        lines=[services.LineSpec(name="Lệ phí", kind="charge", unit_amount=25000)],
        reason="Lệ phí",
        requested_by=None,
        at=timezone.now(),
    )


def test_a_notification_replayed_in_parallel_with_the_settling_job_records_one_payment(vnpay, order):
    txn, url = start(order)
    params = pay_at_gateway(url, ipn="mat")  # paid at the gateway; we deliver its notification ourselves
    later = timezone.now() + services.SETTLE_DELAYS[0]

    def notify():
        return services.notification_handle(
            provider_code="vnpay", params=params, client_ip="127.0.0.1", at=timezone.now()
        )

    def settle():
        return services.transaction_settle(transaction_id=txn.pk, at=later)

    outcomes = at_once(notify, notify, notify, settle)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    notified = outcomes[:3]
    # Exactly one of the four recorded the money (a notification, or the job); the rest found it done.
    recorded = notified.count(NotificationOutcome.RECORDED)
    assert recorded <= 1 and set(notified) <= {NotificationOutcome.RECORDED, NotificationOutcome.ALREADY}
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert PaymentTransaction.objects.filter(order=order, status=TransactionStatus.SUCCEEDED).count() == 1
    assert Receipt.objects.filter(order=order).count() == 1
    dossier = Dossier.objects.get(pk=order.dossier_id)
    assert dossier.events.filter(action=EventAction.PAYMENT_RECEIVED).count() == 1
    assert dossier.fees_due == 0


def test_the_counter_and_an_online_payment_at_once_take_the_money_once_and_ask_the_rest_back(vnpay, order):
    _txn, url = start(order)
    params = pay_at_gateway(url, ipn="mat")
    officer = PaymentOrder.objects.get(pk=order.pk).agency.officials.first().user

    def counter():
        return services.counter_payment_record(
            order=order,
            officer=type(officer).objects.get(pk=officer.pk),
            method=CounterMethod.CASH,
            document_no="",
            at=timezone.now(),
        )

    def notify():
        return services.notification_handle(
            provider_code="vnpay", params=params, client_ip="127.0.0.1", at=timezone.now()
        )

    counter_result, notified = at_once(counter, notify)

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and Receipt.objects.filter(order=order).count() == 1
    # Both took money: the gateway's payment is recorded, not lost, and its refund is asked of the head.
    assert notified == NotificationOutcome.RECORDED
    paid = PaymentTransaction.objects.filter(order=order, status=TransactionStatus.SUCCEEDED)
    if isinstance(counter_result, Exception):  # the IPN came first: the counter was told it is paid
        assert "đã thanh toán" in str(counter_result) and paid.count() == 1
    else:
        assert paid.count() == 2 and order.refunds.count() == 1
