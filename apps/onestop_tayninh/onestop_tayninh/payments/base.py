"""The payment provider contract (core.plugins): start, verify the return, handle the notification,
query a transaction, refund, list a day's transactions.

A provider verifies its own inbound data: `parse_return` and `parse_notification` raise
`SignatureError` for a bad signature and `ProviderError` for anything unreadable; the services
never trust a parameter a provider has not vouched for. Amounts cross this boundary in whole đồng.
"""

from __future__ import annotations

import datetime as dt
from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from django.http import HttpResponse

from onestop_tayninh.core.plugins import Plugin, UnknownPluginError

from .constants import NotificationOutcome

if TYPE_CHECKING:
    from .models import PaymentTransaction, Refund


class ProviderError(Exception):
    """The provider could not be reached, or answered something we cannot read."""


class SignatureError(ProviderError):
    """Data said to come from the provider carries no valid signature."""


class UnknownProviderError(UnknownPluginError):
    pass


@dataclass(frozen=True)
class ProviderResult:
    """What the provider says about one transaction."""

    txn_ref: str
    amount: int
    #: The money was taken.
    succeeded: bool
    #: The outcome is final (paid, cancelled, failed); False while the payer has not finished.
    final: bool
    transaction_no: str = ""
    bank_code: str = ""
    paid_at: dt.datetime | None = None
    code: str = ""


@dataclass(frozen=True)
class RefundResult:
    succeeded: bool
    transaction_no: str = ""
    code: str = ""
    message: str = ""


@dataclass(frozen=True)
class ListedTransaction:
    """One line of the provider's list of a day's transactions (for reconciliation)."""

    txn_ref: str
    amount: int
    succeeded: bool
    transaction_no: str = ""
    is_refund: bool = False


class PaymentProvider(Plugin):
    #: Paid online through the provider's pages (False: recorded by an officer at the counter).
    online: ClassVar[bool] = True
    #: The smallest amount the provider takes (VNPay refuses less than 5.000 đ); less is paid at the counter.
    min_amount: ClassVar[int] = 1

    @classmethod
    def page_origin(cls) -> str:
        """The origin of the provider's payment page ("https://pay.example.vn"), which the pay page's
        Content-Security-Policy lets its form lead to (form-action also covers the redirect); "" if none."""
        return ""

    @abstractmethod
    def start(self, *, transaction: PaymentTransaction, return_url: str, client_ip: str) -> str:
        """The address of the provider's payment page for this transaction."""

    @abstractmethod
    def parse_return(self, params: Mapping[str, str]) -> ProviderResult:
        """The payer's browser came back: what the signed parameters say (display only)."""

    @abstractmethod
    def parse_notification(self, params: Mapping[str, str]) -> ProviderResult:
        """The provider's server-to-server notification, verified."""

    @abstractmethod
    def notification_answer(self, outcome: NotificationOutcome) -> HttpResponse:
        """The answer the provider expects for what we did with its notification."""

    @abstractmethod
    def query(self, transaction: PaymentTransaction) -> ProviderResult:
        """Ask the provider about a transaction (settling one whose notification never came)."""

    @abstractmethod
    def refund(self, refund: Refund) -> RefundResult:
        """Send the money of a paid transaction back to the payer."""

    @abstractmethod
    def transactions(self, day: dt.date) -> list[ListedTransaction]:
        """The provider's list of the day's transactions (Vietnam time)."""
