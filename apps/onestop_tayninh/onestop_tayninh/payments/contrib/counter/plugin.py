"""Cash or card at the desk: the officer records what was handed over; there is nothing to call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.payments.base import PaymentProvider, ProviderError, ProviderResult, RefundResult
from onestop_tayninh.payments.constants import NotificationOutcome, TransactionStatus
from onestop_tayninh.payments.registry import providers


@providers.register
class CounterProvider(PaymentProvider):
    code = "counter"
    label = _("Nộp tại quầy")
    online = False

    def start(self, *, transaction, return_url: str, client_ip: str) -> str:
        raise ProviderError("Nộp tại quầy không có trang thanh toán trực tuyến.")

    def parse_return(self, params: Mapping[str, str]) -> ProviderResult:
        raise ProviderError("Nộp tại quầy không có trang thanh toán trực tuyến.")

    def parse_notification(self, params: Mapping[str, str]) -> ProviderResult:
        raise ProviderError("Nộp tại quầy không có thông báo từ cổng thanh toán.")

    def notification_answer(self, outcome: NotificationOutcome) -> HttpResponse:
        return HttpResponse(status=404)

    def query(self, transaction) -> ProviderResult:
        # The officer's record is the truth.
        return ProviderResult(
            txn_ref=transaction.txn_ref,
            amount=transaction.amount,
            succeeded=transaction.status == TransactionStatus.SUCCEEDED,
            final=True,
            transaction_no=transaction.provider_transaction_no or "",
        )

    def refund(self, refund) -> RefundResult:
        # Handed back in cash at the desk by the officer who records the refund.
        return RefundResult(succeeded=True, message="Hoàn trả tại quầy")

    def transactions(self, day: dt.date) -> list:
        return []
