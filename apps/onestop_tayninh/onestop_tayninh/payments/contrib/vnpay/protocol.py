"""The VNPay payment gateway's wire protocol, version 2.1.0, as pure functions.

Nothing here knows about our models or Django: it turns keyword arguments into signed URLs and
requests, and the gateway's signed answers into small frozen records, raising
:class:`ProtocolError` (a ``ValueError``) on anything it cannot trust. The plugin that records
payments builds on it; ``scripts/fake_vnpay.py`` speaks the same protocol without importing it,
so the two check each other.

The flows (VNPay's integration guide, sandbox.vnpayment.vn/apis/docs/):

* **Payment**: the citizen's browser goes to :func:`payment_url` (``GET /paymentv2/vpcpay.html``
  with ``vnp_*`` parameters and ``vnp_SecureHash``). Afterwards VNPay sends the same signed result
  twice: to the merchant's registered **IPN** URL, server to server (``GET``), which is the only one
  that may change a payment, answered with :func:`ipn_answer`; and to ``vnp_ReturnUrl`` through the
  browser, for display only. Both are read with :func:`read_result`.
* **querydr / refund**: ``POST`` JSON to ``/merchant_webapi/api/transaction``, each signed with a
  pipe-joined HMAC-SHA512 in a fixed field order (:data:`QUERYDR_REQUEST_FIELDS`, ...); the answers
  are signed the same way in their own orders. :func:`query` and :func:`refund` do the call.
* **Reconciliation**: :func:`transactions` reads a day's transactions from an endpoint of our own
  definition; see its docstring.

Amounts travel as đồng × 100 (no decimals); dates as ``yyyyMMddHHmmss`` in GMT+7.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any, Final, Literal
from urllib.parse import quote_plus, urlsplit, urlunsplit

import requests

VERSION: Final = "2.1.0"
CURRENCY: Final = "VND"
# Viet Nam has kept UTC+7 without daylight saving since 1975, so a fixed offset is exactly
# Asia/Ho_Chi_Minh and needs no time-zone database.
GMT7: Final = timezone(timedelta(hours=7), "GMT+7")
DATE_FORMAT: Final = "%Y%m%d%H%M%S"

PAYMENT_PATH: Final = "/paymentv2/vpcpay.html"
API_PATH: Final = "/merchant_webapi/api/transaction"
TRANSACTIONS_PATH: Final = "/merchant_webapi/transactions"

HASH_FIELD: Final = "vnp_SecureHash"
HASH_TYPE_FIELD: Final = "vnp_SecureHashType"

# The pipe-joined checksums of the merchant web API, in VNPay's documented orders. A field the
# answer leaves out is signed as an empty string, so the order matters even for absent fields
# (the querydr answer nearly always ends in two empty promotion fields: "...|OrderInfo||").
QUERYDR_REQUEST_FIELDS: Final = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
REFUND_REQUEST_FIELDS: Final = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TransactionType",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_TransactionNo",
    "vnp_TransactionDate",
    "vnp_CreateBy",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
REFUND_RESPONSE_FIELDS: Final = (
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
)
QUERYDR_RESPONSE_FIELDS: Final = (*REFUND_RESPONSE_FIELDS, "vnp_PromotionCode", "vnp_PromotionAmount")


class ProtocolError(ValueError):
    """The gateway's message (or our request to it) cannot be trusted or understood."""


class SignatureError(ProtocolError):
    """The message's checksum is missing or wrong: answer an IPN with ``IpnCode.INVALID_SIGNATURE``."""


class IpnCode(StrEnum):
    """``RspCode`` of our answer to an IPN; VNPay retries unless it is ``00`` or ``02``."""

    RECORDED = "00"
    ORDER_NOT_FOUND = "01"
    ALREADY_CONFIRMED = "02"
    INVALID_AMOUNT = "04"
    INVALID_SIGNATURE = "97"
    OTHER_ERROR = "99"

    @property
    def message(self) -> str:
        return IPN_MESSAGES[self]


# The English messages of VNPay's IPN examples; the gateway reads only RspCode.
IPN_MESSAGES: Final[Mapping[IpnCode, str]] = {
    IpnCode.RECORDED: "Confirm Success",
    IpnCode.ORDER_NOT_FOUND: "Order not found",
    IpnCode.ALREADY_CONFIRMED: "Order already confirmed",
    IpnCode.INVALID_AMOUNT: "Invalid amount",
    IpnCode.INVALID_SIGNATURE: "Invalid Checksum",
    IpnCode.OTHER_ERROR: "Unknown error",
}


def ipn_answer(code: IpnCode) -> dict[str, str]:
    """The JSON body of our answer to an IPN: ``{"RspCode": "00", "Message": "Confirm Success"}``."""
    return {"RspCode": code.value, "Message": code.message}


class ResponseCode(StrEnum):
    """``vnp_ResponseCode`` of a payment result (return URL, IPN); the usual ones of VNPay's table."""

    SUCCESS = "00"
    SUSPECTED_FRAUD = "07"  # money taken but held as suspicious
    NOT_REGISTERED = "09"  # card or account not registered for internet banking
    AUTHENTICATION_FAILED = "10"  # card or account details wrong more than three times
    EXPIRED = "11"  # the payment page's waiting time ran out
    CARD_LOCKED = "12"
    WRONG_OTP = "13"
    CUSTOMER_CANCELLED = "24"
    INSUFFICIENT_FUNDS = "51"
    DAILY_LIMIT = "65"
    BANK_MAINTENANCE = "75"
    TOO_MANY_PASSWORD_ATTEMPTS = "79"
    OTHER = "99"


class TransactionStatus(StrEnum):
    """``vnp_TransactionStatus``: the state of the transaction at VNPay."""

    SUCCESS = "00"
    PENDING = "01"  # not finished yet
    FAILED = "02"
    REVERSED = "04"  # money taken at the bank but the transaction failed at VNPay
    REFUND_PROCESSING = "05"  # VNPay is handling a refund
    REFUND_SENT_TO_BANK = "06"
    SUSPECTED_FRAUD = "07"
    REFUND_REFUSED = "09"


class TransactionType(StrEnum):
    """``vnp_TransactionType`` of the merchant web API."""

    PAYMENT = "01"
    FULL_REFUND = "02"
    PARTIAL_REFUND = "03"


class QueryCode(StrEnum):
    """``vnp_ResponseCode`` of a querydr answer (about the request, not the payment)."""

    SUCCESS = "00"
    INVALID_MERCHANT = "02"
    INVALID_DATA = "03"
    NOT_FOUND = "91"
    DUPLICATE_REQUEST = "94"  # the same request again within the API's limit (5 minutes)
    INVALID_CHECKSUM = "97"
    OTHER = "99"


class RefundCode(StrEnum):
    """``vnp_ResponseCode`` of a refund answer; the same digits can mean other things than in querydr."""

    SUCCESS = "00"
    EXCEEDS_ORIGINAL = "02"  # the refunds together would exceed the payment
    INVALID_DATA = "03"
    FULL_AFTER_PARTIAL = "04"  # a full refund is refused once part was refunded
    PARTIAL_ONLY = "13"
    NOT_FOUND = "91"
    INVALID_AMOUNT = "93"  # more than the payment
    DUPLICATE_REQUEST = "94"
    NOT_REFUNDABLE = "95"  # the payment did not succeed at VNPay
    INVALID_CHECKSUM = "97"
    TIMEOUT = "98"
    OTHER = "99"


# --- dates, amounts, text ---------------------------------------------------------------------

_DIGITS = re.compile(r"[0-9]+")
_DATE = re.compile(r"[0-9]{14}")
_CODE = re.compile(r"[0-9]{2}")


def format_date(moment: datetime) -> str:
    """``yyyyMMddHHmmss`` in GMT+7; a naive datetime is refused rather than guessed."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("VNPay dates need an aware datetime")
    return moment.astimezone(GMT7).strftime(DATE_FORMAT)


def parse_date(text: str) -> datetime:
    """An aware datetime (GMT+7) from ``yyyyMMddHHmmss``."""
    if not isinstance(text, str) or not _DATE.fullmatch(text):
        raise ProtocolError(f"not a VNPay date: {text!r}")
    try:
        return datetime.strptime(text, DATE_FORMAT).replace(tzinfo=GMT7)
    except ValueError as error:
        raise ProtocolError(f"not a VNPay date: {text!r}") from error


def amount_field(amount_dong: int) -> str:
    """``vnp_Amount`` for an amount in đồng: the amount × 100, digits only."""
    if isinstance(amount_dong, bool) or not isinstance(amount_dong, int) or amount_dong <= 0:
        raise ValueError(f"an amount must be a positive whole number of đồng, not {amount_dong!r}")
    return str(amount_dong * 100)


def parse_amount(text: object) -> int:
    """Đồng from ``vnp_Amount``; anything but a non-negative multiple of 100 is refused."""
    raw = _text(text)
    if not _DIGITS.fullmatch(raw):
        raise ProtocolError(f"not a VNPay amount: {raw!r}")
    hundredths = int(raw)
    if hundredths % 100:
        raise ProtocolError(f"a VNPay amount is đồng × 100, {raw!r} is not")
    return hundredths // 100


def plain_text(text: str) -> str:
    """``text`` without Vietnamese diacritics: VNPay asks for ``vnp_OrderInfo`` in unaccented text.

    The signature works either way (values are UTF-8 and percent-encoded); some banks' pages
    show accented text badly, so callers pass order descriptions through this.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _text(value: object) -> str:
    """A JSON value as the text VNPay signs: strings as they are, whole numbers in digits."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ProtocolError(f"unexpected value in a VNPay message: {value!r}")


def _hmac(secret: str, data: str) -> str:
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def _same_digest(expected: str, received: object) -> bool:
    # Hex is case-insensitive (some of VNPay's samples send it in capitals); compare in constant time.
    if not isinstance(received, str) or not received:
        return False
    return hmac.compare_digest(expected.lower().encode(), received.strip().lower().encode())


# --- payment URL, return URL and IPN ---------------------------------------------------------


def hash_data(params: Mapping[str, str]) -> str:
    """The text that ``vnp_SecureHash`` signs: the non-empty ``vnp_*`` parameters but the hash
    fields, sorted by name, each ``name=quote_plus(value)``, joined by ``&``.

    It is also the query string of the payment URL and of the IPN, so a value travels exactly as
    it was signed (``+`` for a space, ``%C3%A0`` for ``à``).
    """
    pairs = sorted(
        (key, value)
        for key, value in params.items()
        if key.startswith("vnp_") and key not in (HASH_FIELD, HASH_TYPE_FIELD) and value
    )
    return "&".join(f"{key}={quote_plus(value)}" for key, value in pairs)


def secure_hash(params: Mapping[str, str], secret: str) -> str:
    """``vnp_SecureHash`` of the parameters: hex HMAC-SHA512 of :func:`hash_data` under ``secret``."""
    return _hmac(secret, hash_data(params))


def signed_query(params: Mapping[str, str], secret: str) -> str:
    """A query string of the parameters with ``vnp_SecureHash`` last, as VNPay sends and expects."""
    return f"{hash_data(params)}&{HASH_FIELD}={secure_hash(params, secret)}"


def verify(params: Mapping[str, str], secret: str) -> bool:
    """Whether ``params`` (decoded query parameters) carry a valid ``vnp_SecureHash``."""
    return _same_digest(secure_hash(params, secret), params.get(HASH_FIELD))


def payment_url(
    base_url: str,
    *,
    tmn_code: str,
    secret: str,
    txn_ref: str,
    amount_dong: int,
    order_info: str,
    return_url: str,
    ip_addr: str,
    created_at: datetime,
    expire_at: datetime,
    locale: str = "vn",
    bank_code: str = "",
    order_type: str = "other",
) -> str:
    """The signed address of VNPay's payment page for one payment attempt.

    ``base_url`` is the page itself (``https://sandbox.vnpayment.vn/paymentv2/vpcpay.html``).
    ``txn_ref`` must be unique per merchant and day: one per attempt, not one per dossier.
    ``created_at`` is remembered, since querydr and refund ask for it as the transaction date.
    ``bank_code`` empty lets the citizen choose the bank on VNPay's page.
    """
    if expire_at <= created_at:
        raise ValueError("a payment must expire after it is created")
    params = {
        "vnp_Version": VERSION,
        "vnp_Command": "pay",
        "vnp_TmnCode": tmn_code,
        "vnp_Amount": amount_field(amount_dong),
        "vnp_CurrCode": CURRENCY,
        "vnp_TxnRef": txn_ref,
        "vnp_OrderInfo": order_info,
        "vnp_OrderType": order_type,
        "vnp_Locale": locale,
        "vnp_ReturnUrl": return_url,
        "vnp_IpAddr": ip_addr,
        "vnp_CreateDate": format_date(created_at),
        "vnp_ExpireDate": format_date(expire_at),
        "vnp_BankCode": bank_code,
    }
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}{signed_query(params, secret)}"


@dataclass(frozen=True)
class PaymentResult:
    """A payment's result as VNPay sends it to the return URL and the IPN."""

    txn_ref: str
    amount_dong: int
    response_code: str
    transaction_status: str
    transaction_no: str = ""
    bank_code: str = ""
    pay_date: datetime | None = None
    tmn_code: str = ""
    order_info: str = ""
    bank_tran_no: str = ""
    card_type: str = ""

    @property
    def succeeded(self) -> bool:
        return self.response_code == ResponseCode.SUCCESS and self.transaction_status == TransactionStatus.SUCCESS


def _code(params: Mapping[str, object], field: str) -> str:
    value = _text(params.get(field))
    if not _CODE.fullmatch(value):
        raise ProtocolError(f"{field} is missing or not a two-digit code: {value!r}")
    return value


def _required(params: Mapping[str, object], field: str) -> str:
    value = _text(params.get(field)).strip()
    if not value:
        raise ProtocolError(f"{field} is missing")
    return value


def _optional_date(params: Mapping[str, object], field: str) -> datetime | None:
    value = _text(params.get(field))
    return parse_date(value) if value else None


def parse_result(params: Mapping[str, str]) -> PaymentResult:
    """Read a return-URL or IPN result without checking its signature (see :func:`read_result`)."""
    return PaymentResult(
        txn_ref=_required(params, "vnp_TxnRef"),
        amount_dong=parse_amount(params.get("vnp_Amount")),
        response_code=_code(params, "vnp_ResponseCode"),
        transaction_status=_code(params, "vnp_TransactionStatus"),
        transaction_no=_text(params.get("vnp_TransactionNo")),
        bank_code=_text(params.get("vnp_BankCode")),
        pay_date=_optional_date(params, "vnp_PayDate"),
        tmn_code=_text(params.get("vnp_TmnCode")),
        order_info=_text(params.get("vnp_OrderInfo")),
        bank_tran_no=_text(params.get("vnp_BankTranNo")),
        card_type=_text(params.get("vnp_CardType")),
    )


def read_result(params: Mapping[str, str], secret: str) -> PaymentResult:
    """Check the signature, then read the result: :class:`SignatureError` or :class:`ProtocolError`."""
    if not verify(params, secret):
        raise SignatureError("the result's vnp_SecureHash does not match")
    return parse_result(params)


# --- querydr and refund (merchant web API) ----------------------------------------------------


def checksum(values: Mapping[str, object], fields: Sequence[str], secret: str) -> str:
    """Hex HMAC-SHA512 of the ``fields`` of ``values`` joined by ``|`` in that order (absent = empty)."""
    return _hmac(secret, "|".join(_text(values.get(field)) for field in fields))


def verify_checksum(values: Mapping[str, object], fields: Sequence[str], secret: str) -> bool:
    """Whether ``values`` carry a valid ``vnp_SecureHash`` over ``fields``."""
    try:
        expected = checksum(values, fields, secret)
    except ProtocolError:
        return False
    return _same_digest(expected, values.get(HASH_FIELD))


def _transaction_date(value: datetime | str) -> str:
    # The original payment's vnp_CreateDate: a datetime, or the text we sent then.
    if isinstance(value, datetime):
        return format_date(value)
    parse_date(value)
    return value


def _request_id(request_id: str | None) -> str:
    # Unique per request within a day, alphanumeric, at most 32 characters.
    return request_id or secrets.token_hex(16)


def querydr_request(
    *,
    tmn_code: str,
    secret: str,
    txn_ref: str,
    transaction_date: datetime | str,
    ip_addr: str,
    order_info: str,
    request_id: str | None = None,
    now: datetime | None = None,
) -> dict[str, str]:
    """The signed JSON body asking VNPay for the state of payment ``txn_ref``.

    ``transaction_date`` is the payment's ``vnp_CreateDate``; ``ip_addr`` our server's address.
    """
    body = {
        "vnp_RequestId": _request_id(request_id),
        "vnp_Version": VERSION,
        "vnp_Command": "querydr",
        "vnp_TmnCode": tmn_code,
        "vnp_TxnRef": txn_ref,
        "vnp_OrderInfo": order_info,
        "vnp_TransactionDate": _transaction_date(transaction_date),
        "vnp_CreateDate": format_date(now or datetime.now(GMT7)),
        "vnp_IpAddr": ip_addr,
    }
    body[HASH_FIELD] = checksum(body, QUERYDR_REQUEST_FIELDS, secret)
    return body


def refund_request(
    *,
    tmn_code: str,
    secret: str,
    txn_ref: str,
    amount_dong: int,
    transaction_no: str,
    transaction_date: datetime | str,
    created_by: str,
    ip_addr: str,
    order_info: str,
    full: bool = True,
    request_id: str | None = None,
    now: datetime | None = None,
) -> dict[str, str]:
    """The signed JSON body asking VNPay to refund ``amount_dong`` of payment ``txn_ref``.

    ``full`` refunds the whole payment (type 02), otherwise part of it (03); ``transaction_no`` is
    VNPay's number for the payment; ``created_by`` names the official who asked for it.
    """
    body = {
        "vnp_RequestId": _request_id(request_id),
        "vnp_Version": VERSION,
        "vnp_Command": "refund",
        "vnp_TmnCode": tmn_code,
        "vnp_TransactionType": TransactionType.FULL_REFUND if full else TransactionType.PARTIAL_REFUND,
        "vnp_TxnRef": txn_ref,
        "vnp_Amount": amount_field(amount_dong),
        "vnp_TransactionNo": transaction_no,
        "vnp_TransactionDate": _transaction_date(transaction_date),
        "vnp_CreateBy": created_by,
        "vnp_CreateDate": format_date(now or datetime.now(GMT7)),
        "vnp_IpAddr": ip_addr,
        "vnp_OrderInfo": order_info,
    }
    body[HASH_FIELD] = checksum(body, REFUND_REQUEST_FIELDS, secret)
    return {key: str(value) for key, value in body.items()}


@dataclass(frozen=True)
class QueryResult:
    """VNPay's answer to querydr. ``found`` is about the request; ``succeeded`` about the payment."""

    response_code: str
    message: str = ""
    txn_ref: str = ""
    amount_dong: int | None = None
    transaction_no: str = ""
    transaction_status: str = ""
    transaction_type: str = ""
    bank_code: str = ""
    pay_date: datetime | None = None

    @property
    def found(self) -> bool:
        return self.response_code == QueryCode.SUCCESS

    @property
    def succeeded(self) -> bool:
        return self.found and self.transaction_status == TransactionStatus.SUCCESS


@dataclass(frozen=True)
class RefundResult:
    """VNPay's answer to a refund; ``transaction_no`` is the refund's own number."""

    response_code: str
    message: str = ""
    txn_ref: str = ""
    amount_dong: int | None = None
    transaction_no: str = ""
    transaction_status: str = ""
    transaction_type: str = ""

    @property
    def succeeded(self) -> bool:
        return self.response_code == RefundCode.SUCCESS


def _signed_answer(body: object, fields: Sequence[str], secret: str, command: str) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise ProtocolError("VNPay's answer is not a JSON object")
    if not body.get(HASH_FIELD):
        raise SignatureError("VNPay's answer is not signed")
    if not verify_checksum(body, fields, secret):
        raise SignatureError("VNPay's answer has a wrong vnp_SecureHash")
    if _text(body.get("vnp_Command")) not in ("", command):
        raise ProtocolError(f"VNPay answered another command: {body.get('vnp_Command')!r}")
    return body


def _same_txn_ref(body: Mapping[str, Any], txn_ref: str | None) -> str:
    answered = _text(body.get("vnp_TxnRef"))
    if txn_ref is not None and answered and answered != txn_ref:
        raise ProtocolError(f"VNPay answered about {answered!r}, not {txn_ref!r}")
    return answered


def parse_query_response(body: object, secret: str, *, txn_ref: str | None = None) -> QueryResult:
    """Check and read a querydr answer (``txn_ref``, when given, must be the one answered about)."""
    answer = _signed_answer(body, QUERYDR_RESPONSE_FIELDS, secret, "querydr")
    code = _code(answer, "vnp_ResponseCode")
    answered_ref = _same_txn_ref(answer, txn_ref)
    if code != QueryCode.SUCCESS:
        return QueryResult(response_code=code, message=_text(answer.get("vnp_Message")), txn_ref=answered_ref)
    return QueryResult(
        response_code=code,
        message=_text(answer.get("vnp_Message")),
        txn_ref=answered_ref,
        amount_dong=parse_amount(answer.get("vnp_Amount")),
        transaction_no=_text(answer.get("vnp_TransactionNo")),
        transaction_status=_code(answer, "vnp_TransactionStatus"),
        transaction_type=_text(answer.get("vnp_TransactionType")),
        bank_code=_text(answer.get("vnp_BankCode")),
        pay_date=_optional_date(answer, "vnp_PayDate"),
    )


def parse_refund_response(body: object, secret: str, *, txn_ref: str | None = None) -> RefundResult:
    """Check and read a refund answer."""
    answer = _signed_answer(body, REFUND_RESPONSE_FIELDS, secret, "refund")
    code = _code(answer, "vnp_ResponseCode")
    answered_ref = _same_txn_ref(answer, txn_ref)
    amount = _text(answer.get("vnp_Amount"))
    status = _text(answer.get("vnp_TransactionStatus"))
    if code == RefundCode.SUCCESS and not _text(answer.get("vnp_TransactionNo")):
        raise ProtocolError("a successful refund answer without vnp_TransactionNo")
    return RefundResult(
        response_code=code,
        message=_text(answer.get("vnp_Message")),
        txn_ref=answered_ref,
        amount_dong=parse_amount(amount) if amount else None,
        transaction_no=_text(answer.get("vnp_TransactionNo")),
        transaction_status=_code(answer, "vnp_TransactionStatus") if status else "",
        transaction_type=_text(answer.get("vnp_TransactionType")),
    )


def _call(method: str, url: str, *, timeout: float, **kwargs: Any) -> Any:
    try:
        response = requests.request(method, url, timeout=timeout, **kwargs)
    except requests.Timeout as error:
        raise ProtocolError(f"VNPay did not answer within {timeout} s") from error
    except requests.RequestException as error:
        raise ProtocolError(f"VNPay could not be reached: {error}") from error
    if response.status_code != 200:
        raise ProtocolError(f"VNPay answered HTTP {response.status_code}")
    try:
        return response.json()
    except ValueError as error:
        raise ProtocolError("VNPay's answer is not JSON") from error


def query(
    api_url: str,
    *,
    tmn_code: str,
    secret: str,
    txn_ref: str,
    transaction_date: datetime | str,
    ip_addr: str,
    order_info: str,
    request_id: str | None = None,
    timeout: float = 10,
    now: datetime | None = None,
) -> QueryResult:
    """Ask VNPay (``POST api_url``) for the state of payment ``txn_ref``; :class:`ProtocolError`
    on a timeout, an unreachable gateway, or an answer that is not signed JSON."""
    body = querydr_request(
        tmn_code=tmn_code,
        secret=secret,
        txn_ref=txn_ref,
        transaction_date=transaction_date,
        ip_addr=ip_addr,
        order_info=order_info,
        request_id=request_id,
        now=now,
    )
    return parse_query_response(_call("POST", api_url, json=body, timeout=timeout), secret, txn_ref=txn_ref)


def refund(
    api_url: str,
    *,
    tmn_code: str,
    secret: str,
    txn_ref: str,
    amount_dong: int,
    transaction_no: str,
    transaction_date: datetime | str,
    created_by: str,
    ip_addr: str,
    order_info: str,
    full: bool = True,
    request_id: str | None = None,
    timeout: float = 10,
    now: datetime | None = None,
) -> RefundResult:
    """Ask VNPay (``POST api_url``) to refund part or all of a payment; errors as :func:`query`.

    Pass the same ``request_id`` when retrying after a timeout: VNPay answers 94 to a duplicate
    request within five minutes [check: that it never refunds twice on a repeated request id].
    """
    body = refund_request(
        tmn_code=tmn_code,
        secret=secret,
        txn_ref=txn_ref,
        amount_dong=amount_dong,
        transaction_no=transaction_no,
        transaction_date=transaction_date,
        created_by=created_by,
        ip_addr=ip_addr,
        order_info=order_info,
        full=full,
        request_id=request_id,
        now=now,
    )
    return parse_refund_response(_call("POST", api_url, json=body, timeout=timeout), secret, txn_ref=txn_ref)


# --- reconciliation (our own stand-in endpoint) -----------------------------------------------


@dataclass(frozen=True)
class Transaction:
    """One line of a day's reconciliation list: a payment attempt's result or a refund."""

    txn_ref: str
    amount_dong: int
    transaction_no: str
    response_code: str
    transaction_status: str
    pay_date: datetime | None
    bank_code: str
    kind: Literal["pay", "refund"]

    @property
    def succeeded(self) -> bool:
        return self.response_code == ResponseCode.SUCCESS and self.transaction_status == TransactionStatus.SUCCESS


def canonical_json(value: object) -> str:
    """The one text of a JSON value that the reconciliation list's signature covers: keys sorted,
    no spaces, UTF-8 characters as they are."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def transactions_request_hash(tmn_code: str, day: date, secret: str) -> str:
    """``vnp_SecureHash`` of a reconciliation request: HMAC-SHA512 of ``"<tmn code>|<yyyyMMdd>"``."""
    return _hmac(secret, f"{tmn_code}|{day:%Y%m%d}")


def transactions_list_hash(items: object, secret: str) -> str:
    """``vnp_SecureHash`` of a reconciliation answer: HMAC-SHA512 of the list's canonical JSON."""
    return _hmac(secret, canonical_json(items))


def transactions_url(api_url: str) -> str:
    """The reconciliation endpoint beside the merchant web API (``api_url`` or the gateway's root)."""
    parts = urlsplit(api_url)
    root = parts.path.removesuffix(API_PATH).rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, root + TRANSACTIONS_PATH, "", ""))


def _transaction(item: object) -> Transaction:
    if not isinstance(item, Mapping):
        raise ProtocolError("a reconciliation line is not a JSON object")
    kind = _text(item.get("kind"))
    if kind not in ("pay", "refund"):
        raise ProtocolError(f"a reconciliation line of unknown kind {kind!r}")
    return Transaction(
        txn_ref=_required(item, "txn_ref"),
        amount_dong=parse_amount(item.get("amount")),
        transaction_no=_text(item.get("transaction_no")),
        response_code=_code(item, "response_code"),
        transaction_status=_code(item, "transaction_status"),
        pay_date=_optional_date(item, "pay_date"),
        bank_code=_text(item.get("bank_code")),
        kind="pay" if kind == "pay" else "refund",
    )


def parse_transactions(body: object, secret: str, *, tmn_code: str, day: date) -> list[Transaction]:
    """Check and read a reconciliation answer for merchant ``tmn_code`` and ``day``."""
    if not isinstance(body, Mapping):
        raise ProtocolError("the reconciliation answer is not a JSON object")
    items = body.get("transactions")
    if not isinstance(items, list):
        raise ProtocolError("the reconciliation answer has no list of transactions")
    if not _same_digest(transactions_list_hash(items, secret), body.get(HASH_FIELD)):
        raise SignatureError("the reconciliation answer has a missing or wrong vnp_SecureHash")
    if body.get("vnp_TmnCode") != tmn_code or body.get("vnp_Date") != f"{day:%Y%m%d}":
        raise ProtocolError("the reconciliation answer is about another merchant or day")
    return [_transaction(item) for item in items]


def transactions(api_url: str, *, tmn_code: str, secret: str, day: date, timeout: float = 30) -> list[Transaction]:
    """The payments and refunds of ``day`` (GMT+7) as the gateway recorded them, checked.

    [check] VNPay has no public API for this: merchants download a daily reconciliation (đối
    soát) file from the merchant portal. This reads our own stand-in endpoint,
    ``GET {root}/merchant_webapi/transactions?vnp_TmnCode=..&vnp_Date=yyyyMMdd&vnp_SecureHash=..``
    (answer ``{"vnp_TmnCode", "vnp_Date", "transactions": [{txn_ref, amount (×100),
    transaction_no, response_code, transaction_status, pay_date, bank_code, kind}],
    "vnp_SecureHash"}``), served by scripts/fake_vnpay.py. Against the real gateway, an adapter
    must turn the bank's file into these records; check its columns against a real file.
    """
    params = {
        "vnp_TmnCode": tmn_code,
        "vnp_Date": f"{day:%Y%m%d}",
        HASH_FIELD: transactions_request_hash(tmn_code, day, secret),
    }
    body = _call("GET", transactions_url(api_url), params=params, timeout=timeout)
    return parse_transactions(body, secret, tmn_code=tmn_code, day=day)
