"""Receipt numbers (payments.services.receipt_issue): consecutive within the collecting body's book for the
year, none given twice when many payments land at once, none burnt by a payment that rolls back."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from django.contrib.auth.models import Permission
from django.db import connection, transaction

from onestop_tayninh.accounts.models import User
from onestop_tayninh.payments import services
from onestop_tayninh.payments.constants import CounterMethod, OrderStatus
from onestop_tayninh.payments.models import PaymentOrder, Receipt, ReceiptBook
from tests.factories import DossierFactory, receiving_world
from tests.workflows.conftest import local

pytestmark = pytest.mark.django_db(transaction=True)

AT = local(2027, 3, 3, 9, 30)


def counter_world(orders: int):
    """A desk's receiving officer allowed to take money, and `orders` unpaid orders of 25.000 đ, one per dossier."""
    world = receiving_world()
    officer = world["officer"]
    officer.user_permissions.add(
        Permission.objects.get(content_type__app_label="payments", codename="collect_at_counter")
    )
    world["officer"] = User.objects.get(pk=officer.pk)  # a fresh instance: no stale permission cache
    world["orders"] = [
        services.order_open(
            dossier=DossierFactory(procedure_version=world["version"], receiving_desk=world["desk"]),
            agency=world["agency"],
            lines=[services.LineSpec(name="Lệ phí", kind="charge", unit_amount=25000)],
            reason="Lệ phí nộp tại quầy",
            requested_by=None,
            at=AT,
        )
        for _ in range(orders)
    ]
    return world


def pay(world, order: PaymentOrder, document_no: str) -> None:
    services.counter_payment_record(
        order=order, officer=world["officer"], method=CounterMethod.CASH, document_no=document_no, at=AT
    )


def test_fifty_orders_paid_at_once_get_receipt_numbers_one_to_fifty():
    world = counter_world(50)
    errors: list[BaseException] = []

    def pay_one(index: int, order: PaymentOrder) -> None:
        try:
            pay(world, order, f"PT-{index:03d}")
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connection.close()  # each worker thread has its own connection

    # Eight at a time: enough to queue on the book's row, not more than two cores can take.
    with ThreadPoolExecutor(max_workers=8) as pool:
        for index, order in enumerate(world["orders"]):
            pool.submit(pay_one, index, order)

    assert errors == []
    numbers = sorted(Receipt.objects.filter(agency=world["agency"]).values_list("number", flat=True))
    assert numbers == list(range(1, 51))
    book = ReceiptBook.objects.get(agency=world["agency"], year=2027)
    assert book.last_number == 50
    assert set(Receipt.objects.values_list("series", flat=True)) == {book.series}
    assert PaymentOrder.objects.filter(status=OrderStatus.PAID).count() == 50


def test_a_payment_that_rolls_back_gives_its_number_back():
    world = counter_world(3)
    first, lost, next_one = world["orders"]
    pay(world, first, "PT-001")

    with pytest.raises(RuntimeError), transaction.atomic():
        pay(world, lost, "PT-002")
        assert Receipt.objects.get(order=lost).number == 2
        raise RuntimeError("the caller's transaction fails after the receipt was numbered")

    assert not Receipt.objects.filter(order=lost).exists()
    assert PaymentOrder.objects.get(pk=lost.pk).status == OrderStatus.OPEN
    pay(world, next_one, "PT-003")
    assert Receipt.objects.get(order=next_one).number == 2
    assert ReceiptBook.objects.get(agency=world["agency"], year=2027).last_number == 2
