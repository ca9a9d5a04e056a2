"""Row-level rules of the payments app: money follows the collecting body, and is citizens' data."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from onestop_tayninh.core.rowlevel import AgencyScopedQuerySet

from .constants import RefundStatus, TransactionStatus

if TYPE_CHECKING:
    from .models import PaymentOrder, PaymentTransaction, Refund  # noqa: F401


class PaymentOrderQuerySet(AgencyScopedQuerySet[Any]):
    agency_lookup = "agency"
    citizen_data = True


class PaymentTransactionQuerySet(AgencyScopedQuerySet[Any]):
    agency_lookup = "order__agency"
    citizen_data = True

    def due_for_query(self, *, at: dt.datetime):
        """Online transactions still pending whose time to ask the provider has come."""
        return self.filter(status=TransactionStatus.PENDING, next_query_at__lte=at).exclude(provider="counter")


class RefundQuerySet(AgencyScopedQuerySet[Any]):
    agency_lookup = "order__agency"
    citizen_data = True

    def waiting(self):
        return self.filter(status=RefundStatus.REQUESTED)
