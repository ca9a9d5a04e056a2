"""Row-level rules of the payments app: money follows the collecting body, and is citizens' data."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import F, Q

from onestop_tayninh.core.rowlevel import AgencyScopedQuerySet

from .constants import RefundStatus, TransactionStatus

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User

    from .models import Mismatch, PaymentOrder, PaymentTransaction, Refund  # noqa: F401


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


class MismatchQuerySet(AgencyScopedQuerySet[Any]):
    """A reconciliation difference belongs to the agency that collected the transaction; one the
    provider has and we never recorded belongs to no agency yet, and is seen by every official who
    settles differences (it carries a reference and an amount, nobody's name)."""

    agency_lookup = "agency"
    citizen_data = True

    def rows_at(self, agency_ids, user: User) -> Q:
        return Q(agency__in=agency_ids) | Q(agency__isnull=True)

    def unresolved_first(self):
        return self.order_by(F("resolved_at").asc(nulls_first=True), "-pk")
