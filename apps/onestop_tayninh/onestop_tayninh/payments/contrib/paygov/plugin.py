"""The national payment platform (Nền tảng thanh toán trên Cổng Dịch vụ công quốc gia): a port.

Its interface is given to a province when it connects, not published; this plugin keeps the place
and the settings (ONESTOP_PAYGOV_URL, _MERCHANT, _SECRET), and stays off until a deployment fills
them and writes the calls here. Until then every call says so, in words an official reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.payments.base import PaymentProvider, ProviderError, ProviderResult, RefundResult
from onestop_tayninh.payments.constants import NotificationOutcome
from onestop_tayninh.payments.registry import providers

NOT_BOUND = "Nền tảng thanh toán quốc gia chưa được kết nối với hệ thống này."


@providers.register
class PayGovProvider(PaymentProvider):
    code = "paygov"
    label = _("Nền tảng thanh toán quốc gia")

    @classmethod
    def is_enabled(cls) -> bool:
        return bool(settings.ONESTOP_PAYGOV_URL and settings.ONESTOP_PAYGOV_MERCHANT and settings.ONESTOP_PAYGOV_SECRET)

    def start(self, *, transaction, return_url: str, client_ip: str) -> str:
        raise ProviderError(NOT_BOUND)

    def parse_return(self, params: Mapping[str, str]) -> ProviderResult:
        raise ProviderError(NOT_BOUND)

    def parse_notification(self, params: Mapping[str, str]) -> ProviderResult:
        raise ProviderError(NOT_BOUND)

    def notification_answer(self, outcome: NotificationOutcome) -> HttpResponse:
        return HttpResponse(status=503)

    def query(self, transaction) -> ProviderResult:
        raise ProviderError(NOT_BOUND)

    def refund(self, refund) -> RefundResult:
        raise ProviderError(NOT_BOUND)

    def transactions(self, day: dt.date) -> list:
        raise ProviderError(NOT_BOUND)
