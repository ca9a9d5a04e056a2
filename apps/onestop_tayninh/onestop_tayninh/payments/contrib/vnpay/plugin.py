"""VNPay 2.1.0 as a payment provider: the protocol itself is in `protocol.py`, this binds it to our rows.

Settings: ONESTOP_VNPAY_TMN_CODE, _SECRET, _PAY_URL (the payment page), _API_URL (the merchant
web API: querydr, refund; the day's list beside it). `make run` points them at scripts/fake_vnpay.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.payments.base import (
    ListedTransaction,
    PaymentProvider,
    ProviderError,
    ProviderResult,
    RefundResult,
    SignatureError,
)
from onestop_tayninh.payments.constants import NotificationOutcome
from onestop_tayninh.payments.registry import providers

from . import protocol

ANSWERS = {
    NotificationOutcome.RECORDED: protocol.IpnCode.RECORDED,
    NotificationOutcome.ALREADY: protocol.IpnCode.ALREADY_CONFIRMED,
    NotificationOutcome.NOT_FOUND: protocol.IpnCode.ORDER_NOT_FOUND,
    NotificationOutcome.AMOUNT: protocol.IpnCode.INVALID_AMOUNT,
    NotificationOutcome.SIGNATURE: protocol.IpnCode.INVALID_SIGNATURE,
    NotificationOutcome.ERROR: protocol.IpnCode.OTHER_ERROR,
}
#: Our own address as VNPay's merchant API asks for it (the server's, not the citizen's).
SERVER_IP = "127.0.0.1"


def _order_info(txn) -> str:
    return protocol.plain_text(f"Thanh toan phi, le phi {txn.order.reference}")


@providers.register
class VNPayProvider(PaymentProvider):
    code = "vnpay"
    label = _("VNPay (thẻ ATM, thẻ quốc tế, mã QR)")
    # VNPay's published limits: from 5.000 đ to under 1 tỷ đ per payment [check with the merchant contract].
    min_amount = 5_000

    @classmethod
    def is_enabled(cls) -> bool:
        return bool(
            settings.ONESTOP_VNPAY_TMN_CODE
            and settings.ONESTOP_VNPAY_SECRET
            and settings.ONESTOP_VNPAY_PAY_URL
            and settings.ONESTOP_VNPAY_API_URL
        )

    @classmethod
    def page_origin(cls) -> str:
        url = urlsplit(settings.ONESTOP_VNPAY_PAY_URL)
        return f"{url.scheme}://{url.netloc}" if url.scheme and url.netloc else ""

    @property
    def secret(self) -> str:
        return settings.ONESTOP_VNPAY_SECRET

    def start(self, *, transaction, return_url: str, client_ip: str) -> str:
        return protocol.payment_url(
            settings.ONESTOP_VNPAY_PAY_URL,
            tmn_code=settings.ONESTOP_VNPAY_TMN_CODE,
            secret=self.secret,
            txn_ref=transaction.txn_ref,
            amount_dong=transaction.amount,
            order_info=_order_info(transaction),
            return_url=return_url,
            ip_addr=client_ip or SERVER_IP,
            created_at=transaction.created_at,
            expire_at=transaction.expires_at,
        )

    def _read(self, params: Mapping[str, str]) -> ProviderResult:
        try:
            result = protocol.read_result(params, self.secret)
        except protocol.SignatureError as exc:
            raise SignatureError(str(exc)) from exc
        except protocol.ProtocolError as exc:
            raise ProviderError(str(exc)) from exc
        if result.tmn_code and result.tmn_code != settings.ONESTOP_VNPAY_TMN_CODE:
            raise ProviderError("vnp_TmnCode is not ours")
        return ProviderResult(
            txn_ref=result.txn_ref,
            amount=result.amount_dong,
            succeeded=result.succeeded,
            final=True,
            transaction_no=result.transaction_no,
            bank_code=result.bank_code,
            paid_at=result.pay_date,
            code=result.response_code,
        )

    def parse_return(self, params: Mapping[str, str]) -> ProviderResult:
        return self._read(params)

    def parse_notification(self, params: Mapping[str, str]) -> ProviderResult:
        return self._read(params)

    def notification_answer(self, outcome: NotificationOutcome) -> HttpResponse:
        return JsonResponse(protocol.ipn_answer(ANSWERS[NotificationOutcome(outcome)]))

    def query(self, transaction) -> ProviderResult:
        try:
            answer = protocol.query(
                settings.ONESTOP_VNPAY_API_URL,
                tmn_code=settings.ONESTOP_VNPAY_TMN_CODE,
                secret=self.secret,
                txn_ref=transaction.txn_ref,
                transaction_date=transaction.created_at,
                ip_addr=SERVER_IP,
                order_info=_order_info(transaction),
            )
        except protocol.ProtocolError as exc:
            raise ProviderError(str(exc)) from exc
        pending = not answer.found or answer.transaction_status == protocol.TransactionStatus.PENDING
        return ProviderResult(
            txn_ref=transaction.txn_ref,
            amount=answer.amount_dong if answer.amount_dong is not None else transaction.amount,
            succeeded=answer.succeeded,
            final=not pending,
            transaction_no=answer.transaction_no,
            bank_code=answer.bank_code,
            paid_at=answer.pay_date,
            code=answer.transaction_status or answer.response_code,
        )

    def refund(self, refund) -> RefundResult:
        paid = refund.transaction
        try:
            answer = protocol.refund(
                settings.ONESTOP_VNPAY_API_URL,
                tmn_code=settings.ONESTOP_VNPAY_TMN_CODE,
                secret=self.secret,
                txn_ref=paid.txn_ref,
                amount_dong=refund.amount,
                transaction_no=paid.provider_transaction_no or "",
                transaction_date=paid.created_at,
                created_by=(refund.decided_by.get_username() if refund.decided_by_id else "onestop")[:250],
                ip_addr=SERVER_IP,
                order_info=protocol.plain_text(f"Hoan tra {refund.order.reference}"),
                full=refund.amount == paid.amount,
                # One request id per refund: a retry after a timeout is the same request.
                request_id=f"R{refund.pk:010d}",
            )
        except protocol.ProtocolError as exc:
            raise ProviderError(str(exc)) from exc
        return RefundResult(
            succeeded=answer.succeeded,
            transaction_no=answer.transaction_no,
            code=answer.response_code,
            message=answer.message,
        )

    def transactions(self, day: dt.date) -> list[ListedTransaction]:
        try:
            lines = protocol.transactions(
                settings.ONESTOP_VNPAY_API_URL,
                tmn_code=settings.ONESTOP_VNPAY_TMN_CODE,
                secret=self.secret,
                day=day,
            )
        except protocol.ProtocolError as exc:
            raise ProviderError(str(exc)) from exc
        return [
            ListedTransaction(
                txn_ref=line.txn_ref,
                amount=line.amount_dong,
                succeeded=line.succeeded,
                transaction_no=line.transaction_no,
                is_refund=line.kind == "refund",
            )
            for line in lines
        ]
