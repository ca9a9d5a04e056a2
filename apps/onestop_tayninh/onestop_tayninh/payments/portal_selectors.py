"""What the citizen's payment pages read: the citizen's own orders and transactions, and what a page shows of them.

Ownership goes through `portal.selectors.own_dossiers`, the one rule of the citizen's pages, so
another citizen's order is simply not found (a 404), never a refusal that tells it exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet

from onestop_tayninh.portal.selectors import own_dossiers

from .base import PaymentProvider
from .constants import OrderStatus, RefundStatus, TransactionStatus
from .models import PaymentOrder, PaymentTransaction, Receipt, Refund
from .registry import online_providers

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User
    from onestop_tayninh.dossiers.models import Dossier

#: How long after a transaction's own expiry the return page keeps asking the server again.
REFRESH_GRACE = dt.timedelta(minutes=5)
#: The return page reloads itself this often (seconds) while the provider's notification has not come.
REFRESH_SECONDS = 3


def own_orders(user: User) -> QuerySet[PaymentOrder]:
    return PaymentOrder.objects.filter(dossier__in=own_dossiers(user).values("pk"))


def own_order(user: User, reference: str) -> PaymentOrder | None:
    return (
        own_orders(user)
        .select_related("dossier__procedure_version", "dossier__receiving_desk", "agency")
        .prefetch_related("lines")
        .filter(reference=reference)
        .first()
    )


def own_transaction(user: User, *, provider: str, txn_ref: str) -> PaymentTransaction | None:
    return (
        PaymentTransaction.objects.filter(provider=provider, txn_ref=txn_ref, order__in=own_orders(user).values("pk"))
        .select_related("order__dossier__procedure_version", "order__dossier__receiving_desk")
        .first()
    )


def receipt_of(order: PaymentOrder) -> Receipt | None:
    return Receipt.objects.filter(order=order).first()


def open_refund(order: PaymentOrder) -> Refund | None:
    return order.refunds.exclude(status=RefundStatus.REJECTED).order_by("-requested_at", "-pk").first()


@dataclass(frozen=True)
class PayPage:
    """The pay page's facts: what is owed, how it can be paid, and what happened to it."""

    order: PaymentOrder
    providers: list[type[PaymentProvider]]
    receipt: Receipt | None
    refund: Refund | None
    #: The order can still be paid online (open, and some provider takes the amount).
    payable: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "payable", self.order.status == OrderStatus.OPEN and bool(self.providers))


def pay_page(order: PaymentOrder) -> PayPage:
    providers = online_providers(order.amount) if order.status == OrderStatus.OPEN else []
    return PayPage(
        order=order,
        providers=providers,
        receipt=receipt_of(order) if order.status != OrderStatus.OPEN else None,
        refund=open_refund(order) if order.status != OrderStatus.OPEN else None,
    )


@dataclass(frozen=True)
class ReturnPage:
    """The return page's answer, as the server knows it (never what the browser brought back)."""

    transaction: PaymentTransaction
    order: PaymentOrder
    #: paid | pending | failed | refund (money came for an order no longer owed) | closed
    outcome: str
    receipt: Receipt | None
    refresh: bool


def return_page(txn: PaymentTransaction, *, at: dt.datetime) -> ReturnPage:
    order = txn.order
    if order.status in (OrderStatus.PAID, OrderStatus.REFUNDED) and (
        order.paid_transaction_id == txn.pk or txn.status != TransactionStatus.SUCCEEDED
    ):
        # Paid, by this transaction or by another one (a second tab, the counter).
        outcome = "paid"
    elif txn.status == TransactionStatus.SUCCEEDED:
        outcome = "refund"
    elif txn.status == TransactionStatus.PENDING:
        outcome = "pending"
    elif order.status == OrderStatus.OPEN:
        outcome = "failed"
    else:
        outcome = "closed"
    refresh = outcome == "pending" and (txn.expires_at is None or at < txn.expires_at + REFRESH_GRACE)
    return ReturnPage(
        transaction=txn,
        order=order,
        outcome=outcome,
        receipt=receipt_of(order) if outcome == "paid" else None,
        refresh=refresh,
    )


@dataclass(frozen=True)
class DossierOrder:
    order: PaymentOrder
    receipt: Receipt | None
    refund: Refund | None


def dossier_orders(dossier: Dossier) -> list[DossierOrder]:
    """The dossier's orders for the citizen's dossier page, newest first, each with its receipt and refund."""
    orders = (
        PaymentOrder.objects.filter(dossier=dossier)
        .select_related("receipt")
        .prefetch_related(
            Prefetch(
                "refunds",
                queryset=Refund.objects.exclude(status=RefundStatus.REJECTED).order_by("-requested_at", "-pk"),
                to_attr="live_refunds",
            )
        )
        .order_by("-created_at", "-pk")
    )
    rows = []
    for order in orders:
        try:
            receipt: Receipt | None = order.receipt
        except Receipt.DoesNotExist:
            receipt = None
        refunds = order.live_refunds  # type: ignore[attr-defined]
        rows.append(DossierOrder(order=order, receipt=receipt, refund=refunds[0] if refunds else None))
    return rows
