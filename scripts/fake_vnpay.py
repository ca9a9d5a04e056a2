#!/usr/bin/env python3
"""A stand-in VNPay payment gateway (version 2.1.0) for development and tests, on HTTP.

    .venv/bin/python scripts/fake_vnpay.py [--host 127.0.0.1] [--port 1028] [--tmn-code ONESTOP1]
        [--secret dev-vnpay-secret] [--ipn-url http://127.0.0.1:8000/.../ipn/] [--dir var/vnpay]
        [--ipn-retry-delays 2,10,60] [--ipn-timeout 10]

It speaks VNPay's real protocol (sandbox.vnpayment.vn/apis/docs/) and imports nothing from the
project, so that the project's own implementation is checked against a second one:

    GET  /paymentv2/vpcpay.html?vnp_...    checks the request (merchant, signature, version, command,
                                           amount, dates) and shows a payment page, or an error page
                                           with VNPay's code (70 "Sai chữ ký", ...)
    POST /paymentv2/vpcpay.html            the page's form: pays (00/00, a new 8-digit
                                           vnp_TransactionNo) or cancels (24/02), sends the IPN to
                                           --ipn-url and redirects (302) to vnp_ReturnUrl with the
                                           same signed result; field "ipn": "ngay" (IPN before the
                                           redirect), "sau" (2 s after it), "mat" (never: a lost IPN)
    POST /merchant_webapi/api/transaction  JSON querydr and refund, checksums in VNPay's orders
    GET  /merchant_webapi/transactions     a day's reconciliation list: our own definition, since
                                           VNPay gives merchants a file in its portal instead
                                           (?vnp_TmnCode&vnp_Date=yyyyMMdd&vnp_SecureHash=HMAC("tmn|date"))
    GET  /                                 recent transactions, in Vietnamese
    GET  /ipn-log                          every IPN attempt and the merchant's answer (JSON)
    POST /_control/resend-ipn?vnp_TxnRef=  sends a transaction's IPN again (a replay)

Like the real gateway, an IPN is retried after each of --ipn-retry-delays seconds until the
merchant answers RspCode 00 or 02. Transactions are appended to <dir>/transactions.jsonl and read
back at start; the IPN log lives in memory. Codes marked [check] below are our best reading of
VNPay's documents, not confirmed against the live sandbox.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import html
import json
import secrets
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote_plus, urlsplit

import requests

VERSION = "2.1.0"
GMT7 = timezone(timedelta(hours=7), "GMT+7")  # Viet Nam: UTC+7, no daylight saving
DATE_FORMAT = "%Y%m%d%H%M%S"
PAYMENT_PATH = "/paymentv2/vpcpay.html"
API_PATH = "/merchant_webapi/api/transaction"
TRANSACTIONS_PATH = "/merchant_webapi/transactions"
IPN_LATER_SECONDS = 2.0
# VNPay's limits for one payment: from 5 000 đ to under 1 000 000 000 đ [check].
MIN_AMOUNT_DONG = 5_000
MAX_AMOUNT_DONG = 1_000_000_000
BANKS = [
    ("NCB", "Ngân hàng Quốc Dân (NCB)"),
    ("VIETCOMBANK", "Vietcombank"),
    ("BIDV", "BIDV"),
    ("VIETINBANK", "VietinBank"),
    ("AGRIBANK", "Agribank"),
    ("ACB", "ACB"),
    ("TECHCOMBANK", "Techcombank"),
    ("MBBANK", "MB Bank"),
    ("SACOMBANK", "Sacombank"),
    ("VNPAYQR", "Ứng dụng ngân hàng quét mã VNPAY-QR"),
]
IPN_MODES = [
    ("ngay", "Gửi IPN ngay, trước khi chuyển về trang của đơn vị"),
    ("sau", "Gửi IPN 2 giây sau khi chuyển về"),
    ("mat", "Không gửi IPN (giả lập IPN bị mất)"),
]
REQUIRED = (
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_Amount",
    "vnp_CurrCode",
    "vnp_TxnRef",
    "vnp_OrderInfo",
    "vnp_OrderType",
    "vnp_Locale",
    "vnp_ReturnUrl",
    "vnp_IpAddr",
    "vnp_CreateDate",
    "vnp_ExpireDate",
)
QUERYDR_REQUEST = "vnp_RequestId|vnp_Version|vnp_Command|vnp_TmnCode|vnp_TxnRef|vnp_TransactionDate|vnp_CreateDate|vnp_IpAddr|vnp_OrderInfo"
REFUND_REQUEST = (
    "vnp_RequestId|vnp_Version|vnp_Command|vnp_TmnCode|vnp_TransactionType|vnp_TxnRef|vnp_Amount|"
    "vnp_TransactionNo|vnp_TransactionDate|vnp_CreateBy|vnp_CreateDate|vnp_IpAddr|vnp_OrderInfo"
)
REFUND_RESPONSE = (
    "vnp_ResponseId|vnp_Command|vnp_ResponseCode|vnp_Message|vnp_TmnCode|vnp_TxnRef|vnp_Amount|"
    "vnp_BankCode|vnp_PayDate|vnp_TransactionNo|vnp_TransactionType|vnp_TransactionStatus|vnp_OrderInfo"
)
QUERYDR_RESPONSE = REFUND_RESPONSE + "|vnp_PromotionCode|vnp_PromotionAmount"


# --- the protocol, written again on purpose (this script stands alone) ------------------------


def hmac512(secret: str, data: str) -> str:
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


HASH_FIELDS = ("vnp_SecureHash", "vnp_SecureHashType")


def hash_data(params: dict[str, str]) -> str:
    """Non-empty vnp_* parameters but the hash fields, sorted, key=quote_plus(value), joined by &."""
    keys = sorted(k for k, v in params.items() if k.startswith("vnp_") and v and k not in HASH_FIELDS)
    return "&".join(f"{key}={quote_plus(params[key])}" for key in keys)


def signed_query(params: dict[str, str], secret: str) -> str:
    data = hash_data(params)
    return f"{data}&vnp_SecureHash={hmac512(secret, data)}"


def same_digest(expected: str, received: object) -> bool:
    return isinstance(received, str) and hmac.compare_digest(expected.lower(), received.strip().lower())


def pipe_checksum(values: dict[str, str], fields: str, secret: str) -> str:
    return hmac512(secret, "|".join(values.get(field, "") for field in fields.split("|")))


def canonical_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def now_text() -> str:
    return datetime.now(GMT7).strftime(DATE_FORMAT)


def parse_date(text: str) -> datetime | None:
    if len(text) != 14 or not text.isascii() or not text.isdigit():
        return None
    try:
        return datetime.strptime(text, DATE_FORMAT).replace(tzinfo=GMT7)
    except ValueError:
        return None


def money(amount_dong: int) -> str:
    return f"{amount_dong:,}".replace(",", ".") + " đ"


def show_date(text: str) -> str:
    moment = parse_date(text)
    return moment.strftime("%d/%m/%Y %H:%M:%S") if moment else text


def as_text(value: object) -> str | None:
    """A JSON value as VNPay reads it; None for anything but text or a whole number."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


class PaymentRefused(Exception):
    """The payment request is refused with VNPay's error page (code and message)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --- the gateway ------------------------------------------------------------------------------


class Gateway:
    def __init__(
        self,
        *,
        tmn_code: str,
        secret: str,
        ipn_url: str,
        directory: Path,
        retry_delays: list[float],
        ipn_timeout: float,
    ) -> None:
        self.tmn_code = tmn_code
        self.secret = secret
        self.ipn_url = ipn_url
        self.retry_delays = retry_delays
        self.ipn_timeout = ipn_timeout
        self.path = directory / "transactions.jsonl"
        self.lock = threading.Lock()
        self.records: list[dict[str, str]] = []
        self.ipn_log: list[dict[str, object]] = []
        self.request_ids: set[str] = set()
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    self.records.append(json.loads(line))

    # records

    def _append(self, record: dict[str, str]) -> None:
        # Called with the lock held.
        self.records.append(record)
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")

    def _new_transaction_no(self) -> str:
        used = {record["transaction_no"] for record in self.records}
        while True:
            number = str(secrets.randbelow(90_000_000) + 10_000_000)
            if number not in used:
                return number

    def payment(self, txn_ref: str) -> dict[str, str] | None:
        return next((r for r in reversed(self.records) if r["kind"] == "pay" and r["txn_ref"] == txn_ref), None)

    def refunded(self, payment: dict[str, str]) -> int:
        """Hundredths of đồng refunded so far on a payment."""
        return sum(
            int(r["amount"])
            for r in self.records
            if r["kind"] == "refund" and r["refund_of"] == payment["transaction_no"] and r["response_code"] == "00"
        )

    # the payment page

    def check_payment(self, params: dict[str, str]) -> int:
        """Refuse a request VNPay would refuse (PaymentRefused); the amount in đồng otherwise."""
        missing = [field for field in REQUIRED if not params.get(field)]
        if missing:
            raise PaymentRefused("03", "Dữ liệu gửi sang không đúng định dạng (thiếu " + ", ".join(missing) + ").")
        if params["vnp_TmnCode"] != self.tmn_code:
            raise PaymentRefused("72", "Không tìm thấy website (mã vnp_TmnCode không đúng).")
        if not same_digest(hmac512(self.secret, hash_data(params)), params.get("vnp_SecureHash")):
            raise PaymentRefused("70", "Sai chữ ký.")
        if params["vnp_Version"] != VERSION or params["vnp_Command"] != "pay" or params["vnp_CurrCode"] != "VND":
            raise PaymentRefused("03", "Dữ liệu gửi sang không đúng định dạng (phiên bản, lệnh hoặc loại tiền).")
        raw = params["vnp_Amount"]
        if not (raw.isascii() and raw.isdigit()) or int(raw) % 100:
            raise PaymentRefused("03", "Số tiền không hợp lệ (vnp_Amount là số tiền nhân 100).")
        amount = int(raw) // 100
        if not MIN_AMOUNT_DONG <= amount < MAX_AMOUNT_DONG:
            raise PaymentRefused("03", "Số tiền giao dịch không hợp lệ. Số tiền hợp lệ từ 5.000 đ đến dưới 1 tỷ đồng.")
        created, expires = parse_date(params["vnp_CreateDate"]), parse_date(params["vnp_ExpireDate"])
        if created is None or expires is None or expires <= created:
            raise PaymentRefused("03", "Thời gian tạo hoặc hết hạn giao dịch không hợp lệ.")
        if datetime.now(GMT7) > expires:
            raise PaymentRefused("11", "Giao dịch đã quá thời gian chờ thanh toán.")  # [check] the page's code
        earlier = self.payment(params["vnp_TxnRef"])
        if earlier is not None and earlier["response_code"] == "00":
            raise PaymentRefused("01", "Giao dịch đã được thanh toán.")  # [check] VNPay: "Giao dịch đã tồn tại"
        if earlier is not None:
            raise PaymentRefused("01", "Giao dịch đã bị hủy. Vui lòng tạo giao dịch mới.")
        return amount

    def settle(self, params: dict[str, str], *, pay: bool, bank_code: str) -> dict[str, str]:
        with self.lock:
            self.check_payment(params)  # again under the lock: two submissions of one form pay once
            record = {
                "kind": "pay",
                "txn_ref": params["vnp_TxnRef"],
                "amount": params["vnp_Amount"],
                # VNPay numbers a cancelled attempt 0.
                "transaction_no": self._new_transaction_no() if pay else "0",
                "response_code": "00" if pay else "24",
                "transaction_status": "00" if pay else "02",
                "pay_date": now_text(),
                "bank_code": bank_code,
                "bank_tran_no": f"VNP{secrets.randbelow(10**8):08d}" if pay else "",
                "card_type": ("QRCODE" if bank_code == "VNPAYQR" else "ATM") if pay else "",
                "order_info": params["vnp_OrderInfo"],
                "create_date": params["vnp_CreateDate"],
                "return_url": params["vnp_ReturnUrl"],
                "tmn_code": self.tmn_code,
            }
            self._append(record)
        return record

    def result_query(self, record: dict[str, str]) -> str:
        """The signed result sent to the IPN URL and the return URL."""
        params = {
            "vnp_Amount": record["amount"],
            "vnp_BankCode": record["bank_code"],
            "vnp_BankTranNo": record["bank_tran_no"],
            "vnp_CardType": record["card_type"],
            "vnp_OrderInfo": record["order_info"],
            "vnp_PayDate": record["pay_date"],
            "vnp_ResponseCode": record["response_code"],
            "vnp_TmnCode": record["tmn_code"],
            "vnp_TransactionNo": record["transaction_no"],
            "vnp_TransactionStatus": record["transaction_status"],
            "vnp_TxnRef": record["txn_ref"],
        }
        return signed_query(params, self.secret)

    # the IPN

    def send_ipn(self, record: dict[str, str], mode: str) -> None:
        """ "ngay": the first attempt now, retries in the background; "sau": all of it in the
        background after IPN_LATER_SECONDS; "mat": nothing (the IPN is lost)."""
        if mode == "mat" or not self.ipn_url:
            return
        if mode == "sau":
            self._in_background(record, first_delay=IPN_LATER_SECONDS, delays=[0.0, *self.retry_delays])
            return
        if not self.deliver(record, attempt=1):
            self._in_background(record, first_delay=0.0, delays=self.retry_delays, first_attempt=2)

    def _in_background(
        self, record: dict[str, str], *, first_delay: float, delays: list[float], first_attempt: int = 1
    ) -> None:
        def run() -> None:
            time.sleep(first_delay)
            for attempt, delay in enumerate(delays, start=first_attempt):
                time.sleep(delay)
                if self.deliver(record, attempt=attempt):
                    return

        threading.Thread(target=run, daemon=True).start()

    def deliver(self, record: dict[str, str], *, attempt: int) -> bool:
        """One IPN attempt, logged; True when the merchant answered RspCode 00 or 02."""
        entry: dict[str, object] = {
            "txn_ref": record["txn_ref"],
            "transaction_no": record["transaction_no"],
            "response_code": record["response_code"],
            "attempt": attempt,
            "at": datetime.now(GMT7).isoformat(timespec="milliseconds"),
            "http_status": None,
            "answer": None,
            "rsp_code": None,
            "error": None,
        }
        if not self.ipn_url:
            entry["error"] = "no --ipn-url given"
        else:
            separator = "&" if "?" in self.ipn_url else "?"
            try:
                response = requests.get(
                    f"{self.ipn_url}{separator}{self.result_query(record)}", timeout=self.ipn_timeout
                )
                entry["http_status"] = response.status_code
                try:
                    answer: object = response.json()
                except ValueError:
                    answer = response.text[:500]
                entry["answer"] = answer
                if isinstance(answer, dict):
                    entry["rsp_code"] = answer.get("RspCode")
            except requests.RequestException as error:
                entry["error"] = f"{type(error).__name__}: {error}"
        with self.lock:
            self.ipn_log.append(entry)
        return entry["http_status"] == 200 and entry["rsp_code"] in ("00", "02")

    # the merchant web API

    def api(self, body: object) -> dict[str, str]:
        command = body.get("vnp_Command") if isinstance(body, dict) else None
        if not isinstance(body, dict) or command not in ("querydr", "refund"):
            return self._answer(
                "querydr" if command is None else str(command), "03", "Dữ liệu gửi sang không đúng định dạng"
            )
        values = {key: as_text(value) for key, value in body.items()}
        if any(value is None for value in values.values()):
            return self._answer(command, "03", "Dữ liệu gửi sang không đúng định dạng")
        request: dict[str, str] = {key: value for key, value in values.items() if value is not None}
        fields = QUERYDR_REQUEST if command == "querydr" else REFUND_REQUEST
        if not same_digest(pipe_checksum(request, fields, self.secret), request.get("vnp_SecureHash")):
            return self._answer(command, "97", "Chữ ký không hợp lệ")
        if request.get("vnp_TmnCode") != self.tmn_code:
            # querydr has a code for it; refund does not [check], so it falls under "other errors".
            return self._answer(command, "02" if command == "querydr" else "99", "Merchant không hợp lệ")
        if request.get("vnp_Version") != VERSION or not request.get("vnp_RequestId"):
            return self._answer(command, "03", "Dữ liệu gửi sang không đúng định dạng")
        with self.lock:
            if request["vnp_RequestId"] in self.request_ids:
                return self._answer(command, "94", "Yêu cầu bị trùng lặp trong thời gian giới hạn của API")
            self.request_ids.add(request["vnp_RequestId"])
            payment = self.payment(request.get("vnp_TxnRef", ""))
            # VNPay finds a payment by its reference and the date the merchant created it.
            if payment is None or payment["create_date"] != request.get("vnp_TransactionDate"):
                return self._answer(command, "91", "Không tìm thấy giao dịch yêu cầu", request)
            if command == "querydr":
                return self._answer(command, "00", "QueryDR Success", request, payment)
            return self._refund(request, payment)

    def _refund(self, request: dict[str, str], payment: dict[str, str]) -> dict[str, str]:
        # Called with the lock held.
        kind, raw = request.get("vnp_TransactionType", ""), request.get("vnp_Amount", "")
        if kind not in ("02", "03") or not (raw.isascii() and raw.isdigit()) or int(raw) % 100 or not int(raw):
            return self._answer("refund", "03", "Dữ liệu gửi sang không đúng định dạng", request)
        if request.get("vnp_TransactionNo") not in ("", payment["transaction_no"]):
            return self._answer("refund", "91", "Không tìm thấy giao dịch yêu cầu hoàn trả", request)
        if payment["response_code"] != "00":
            return self._answer(
                "refund", "95", "Giao dịch này không thành công bên VNPAY. VNPAY từ chối xử lý yêu cầu.", request
            )
        amount, paid, refunded = int(raw), int(payment["amount"]), self.refunded(payment)
        if amount > paid:
            message = "Số tiền hoàn trả không hợp lệ. Số tiền hoàn trả phải nhỏ hơn hoặc bằng số tiền thanh toán."
            return self._answer("refund", "93", message, request)
        if kind == "02" and refunded:
            return self._answer("refund", "04", "Không cho phép hoàn trả toàn phần sau khi hoàn trả một phần", request)
        if kind == "02" and amount != paid:
            return self._answer("refund", "03", "Hoàn trả toàn phần phải bằng số tiền thanh toán", request)
        if amount + refunded > paid:
            return self._answer("refund", "02", "Tổng số tiền hoàn trả lớn hơn số tiền gốc", request)
        record = {
            "kind": "refund",
            "txn_ref": payment["txn_ref"],
            "amount": raw,
            "transaction_no": self._new_transaction_no(),
            # The fake refunds at once; the real gateway may first answer 05 or 06 (in progress).
            "response_code": "00",
            "transaction_status": "00",
            "pay_date": now_text(),
            "bank_code": payment["bank_code"],
            "order_info": request.get("vnp_OrderInfo", ""),
            "create_date": request.get("vnp_CreateDate", ""),
            "transaction_type": kind,
            "refund_of": payment["transaction_no"],
            "created_by": request.get("vnp_CreateBy", ""),
            "request_id": request["vnp_RequestId"],
            "tmn_code": self.tmn_code,
        }
        self._append(record)
        return self._answer("refund", "00", "Refund success", request, record)

    def _answer(
        self,
        command: str,
        code: str,
        message: str,
        request: dict[str, str] | None = None,
        record: dict[str, str] | None = None,
    ) -> dict[str, str]:
        answer = {
            "vnp_ResponseId": secrets.token_hex(16),
            "vnp_Command": command,
            "vnp_ResponseCode": code,
            "vnp_Message": message,
            "vnp_TmnCode": self.tmn_code,
            "vnp_TxnRef": (request or {}).get("vnp_TxnRef", ""),
        }
        if record is not None:
            answer |= {
                "vnp_Amount": record["amount"],
                "vnp_OrderInfo": record["order_info"],
                "vnp_BankCode": record["bank_code"],
                "vnp_PayDate": record["pay_date"],
                "vnp_TransactionNo": record["transaction_no"],
                "vnp_TransactionType": record.get("transaction_type", "01"),
                "vnp_TransactionStatus": record["transaction_status"],
            }
        fields = QUERYDR_RESPONSE if command == "querydr" else REFUND_RESPONSE
        answer["vnp_SecureHash"] = pipe_checksum(answer, fields, self.secret)
        return answer

    # reconciliation

    def transactions(self, query: dict[str, str]) -> tuple[int, dict[str, object]]:
        tmn_code, day = query.get("vnp_TmnCode", ""), query.get("vnp_Date", "")
        if tmn_code != self.tmn_code:
            return 403, {"error": "unknown vnp_TmnCode"}
        if not same_digest(hmac512(self.secret, f"{tmn_code}|{day}"), query.get("vnp_SecureHash")):
            return 403, {"error": "invalid vnp_SecureHash"}
        if parse_date(day + "000000") is None:
            return 400, {"error": "vnp_Date must be yyyyMMdd"}
        with self.lock:
            items = [
                {
                    "txn_ref": r["txn_ref"],
                    "amount": r["amount"],
                    "transaction_no": r["transaction_no"],
                    "response_code": r["response_code"],
                    "transaction_status": r["transaction_status"],
                    "pay_date": r["pay_date"],
                    "bank_code": r["bank_code"],
                    "kind": r["kind"],
                }
                for r in self.records
                if r["pay_date"].startswith(day)
            ]
        signature = hmac512(self.secret, canonical_json(items))
        return 200, {"vnp_TmnCode": tmn_code, "vnp_Date": day, "transactions": items, "vnp_SecureHash": signature}


# --- pages ------------------------------------------------------------------------------------

STYLE = """
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; background: #eef2f7;
  color: #1c1c22; line-height: 1.45; }
header { background: #005baa; color: #fff; padding: 12px 16px; }
header .brand { max-width: 960px; margin: 0 auto; font-size: 18px; font-weight: 700; }
header .brand span { color: #ffd200; }
main { max-width: 560px; margin: 24px auto; padding: 0 16px; }
main.wide { max-width: 960px; }
.card { background: #fff; border-radius: 10px; box-shadow: 0 1px 4px rgba(0, 0, 0, .12); padding: 20px; }
h1 { font-size: 20px; margin: 0 0 12px; }
.sandbox { background: #fff8e1; border: 1px solid #f0d98a; border-radius: 6px; padding: 8px 10px; font-size: 14px;
  margin-bottom: 16px; }
dl { display: grid; grid-template-columns: minmax(110px, auto) 1fr; gap: 8px 12px; margin: 0 0 16px; }
dt { color: #55606e; } dd { margin: 0; overflow-wrap: anywhere; }
.amount { font-size: 28px; font-weight: 700; color: #005baa; }
label { display: block; font-weight: 600; margin: 14px 0 6px; }
select { width: 100%; min-height: 44px; font-size: 16px; padding: 6px 8px; border-radius: 6px; border: 1px solid #9aa5b1; }
.actions { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 20px; }
button { flex: 1 1 180px; min-height: 46px; font-size: 16px; border-radius: 6px; border: 1px solid #9aa5b1;
  background: #fff; cursor: pointer; }
button.primary { background: #005baa; border-color: #005baa; color: #fff; font-weight: 600; }
.error h1 { color: #b01e23; }
.code { font-family: ui-monospace, monospace; }
.table { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #e2e6ea; white-space: nowrap; }
"""


def page(title: str, body: str, *, wide: bool = False) -> bytes:
    return (
        '<!doctype html>\n<html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
        '<header><div class="brand">Cổng thanh toán <span>VNPay</span> (bản thử)</div></header>'
        f'<main class="{"wide" if wide else ""}">{body}</main></body></html>'
    ).encode()


def payment_page(params: dict[str, str], amount_dong: int) -> bytes:
    hidden = "\n".join(
        f'<input type="hidden" name="{html.escape(key)}" value="{html.escape(value)}">'
        for key, value in sorted(params.items())
        if key.startswith("vnp_")
    )
    chosen = params.get("vnp_BankCode", "")
    banks = "".join(
        f'<option value="{code}"{" selected" if code == chosen else ""}>{html.escape(name)}</option>'
        for code, name in BANKS
    )
    modes = "".join(f'<option value="{code}">{html.escape(label)}</option>' for code, label in IPN_MODES)
    expires = show_date(params["vnp_ExpireDate"])
    body = f"""<div class="card">
<h1>Thanh toán trực tuyến</h1>
<p class="sandbox">Môi trường thử nghiệm: không có tiền thật được chuyển.</p>
<dl>
<dt>Số tiền</dt><dd class="amount">{money(amount_dong)}</dd>
<dt>Nội dung</dt><dd>{html.escape(params["vnp_OrderInfo"])}</dd>
<dt>Mã giao dịch</dt><dd class="code">{html.escape(params["vnp_TxnRef"])}</dd>
<dt>Đơn vị</dt><dd class="code">{html.escape(params["vnp_TmnCode"])}</dd>
<dt>Hết hạn lúc</dt><dd>{html.escape(expires)}</dd>
</dl>
<form method="post" action="{PAYMENT_PATH}">
{hidden}
<label for="bank">Ngân hàng thanh toán</label>
<select id="bank" name="bank_code">{banks}</select>
<label for="ipn">Thông báo kết quả (IPN) cho đơn vị</label>
<select id="ipn" name="ipn">{modes}</select>
<div class="actions">
<button class="primary" type="submit" name="action" value="pay">Thanh toán</button>
<button type="submit" name="action" value="cancel">Hủy giao dịch</button>
</div>
</form></div>"""
    return page("Cổng thanh toán VNPay (bản thử)", body)


def error_page(code: str, message: str) -> bytes:
    body = f"""<div class="card error">
<h1>Thông báo</h1>
<p>{html.escape(message)}</p>
<p>Mã lỗi: <span class="code">{html.escape(code)}</span></p>
</div>"""
    return page("Cổng thanh toán VNPay (bản thử) — Lỗi", body)


def index_page(gateway: Gateway) -> bytes:
    with gateway.lock:
        records = list(reversed(gateway.records[-50:]))
    kinds = {"pay": "Thanh toán", "refund": "Hoàn tiền"}
    rows = "".join(
        "<tr>"
        f"<td>{html.escape(show_date(r['pay_date']))}</td>"
        f"<td>{kinds.get(r['kind'], r['kind'])}</td>"
        f'<td class="code">{html.escape(r["txn_ref"])}</td>'
        f'<td class="code">{html.escape(r["transaction_no"])}</td>'
        f"<td>{money(int(r['amount']) // 100)}</td>"
        f"<td>{html.escape(r['response_code'])}/{html.escape(r['transaction_status'])}</td>"
        f"<td>{html.escape(r['bank_code'])}</td>"
        "</tr>"
        for r in records
    )
    table = (
        '<div class="table"><table><thead><tr><th>Thời gian</th><th>Loại</th><th>Mã giao dịch (TxnRef)</th>'
        "<th>Số GD VNPay</th><th>Số tiền</th><th>Mã kết quả/Trạng thái</th><th>Ngân hàng</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></div>"
        if records
        else "<p>Chưa có giao dịch nào.</p>"
    )
    body = f"""<div class="card">
<h1>Giao dịch gần đây</h1>
<p class="sandbox">Mã đơn vị (vnp_TmnCode): <span class="code">{html.escape(gateway.tmn_code)}</span>.
IPN gửi tới: <span class="code">{html.escape(gateway.ipn_url or "(chưa cấu hình)")}</span>.</p>
{table}
</div>"""
    return page("Cổng thanh toán VNPay (bản thử) — Giao dịch", body, wide=True)


# --- HTTP -------------------------------------------------------------------------------------


def make_handler(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # quiet: tests read their own output
            return

        def _send(self, status: int, data: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _html(self, status: int, data: bytes) -> None:
            self._send(status, data, "text/html; charset=utf-8")

        def _json(self, status: int, body: object) -> None:
            self._send(status, json.dumps(body, ensure_ascii=False).encode(), "application/json; charset=utf-8")

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length", 0)))

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
            if url.path == PAYMENT_PATH:
                try:
                    amount = gateway.check_payment(query)
                except PaymentRefused as refusal:
                    return self._html(400, error_page(refusal.code, refusal.message))
                return self._html(200, payment_page(query, amount))
            if url.path == TRANSACTIONS_PATH:
                status, answer = gateway.transactions(query)
                return self._json(status, answer)
            if url.path == "/ipn-log":
                with gateway.lock:
                    log = list(gateway.ipn_log)
                return self._json(200, log)
            if url.path == "/":
                return self._html(200, index_page(gateway))
            return self._json(404, {"error": "not found"})

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            if url.path == PAYMENT_PATH:
                form = {k: v[0] for k, v in parse_qs(self._body().decode(), keep_blank_values=True).items()}
                params = {k: v for k, v in form.items() if k.startswith("vnp_")}
                action = form.get("action")
                if action not in ("pay", "cancel") or form.get("ipn", "ngay") not in ("ngay", "sau", "mat"):
                    return self._html(400, error_page("03", "Dữ liệu gửi sang không đúng định dạng."))
                bank_code = form.get("bank_code") or params.get("vnp_BankCode") or "NCB"
                try:
                    record = gateway.settle(params, pay=action == "pay", bank_code=bank_code)
                except PaymentRefused as refusal:
                    return self._html(400, error_page(refusal.code, refusal.message))
                gateway.send_ipn(record, form.get("ipn", "ngay"))
                back = record["return_url"]
                self.send_response(302)
                self.send_header("Location", f"{back}{'&' if '?' in back else '?'}{gateway.result_query(record)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            if url.path == API_PATH:
                try:
                    body = json.loads(self._body() or b"null")
                except ValueError:
                    body = None
                return self._json(200, gateway.api(body))
            if url.path == "/_control/resend-ipn":
                txn_ref = parse_qs(url.query).get("vnp_TxnRef", [""])[0]
                with gateway.lock:
                    stored = gateway.payment(txn_ref)
                    attempts = sum(1 for entry in gateway.ipn_log if entry["txn_ref"] == txn_ref)
                if stored is None:
                    return self._json(404, {"error": "unknown vnp_TxnRef"})
                delivered = gateway.deliver(stored, attempt=attempts + 1)
                return self._json(200, {"delivered": delivered})
            return self._json(404, {"error": "not found"})

    return Handler


def delays(text: str) -> list[float]:
    return [float(part) for part in text.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1028, help="0 takes any free port")
    parser.add_argument("--tmn-code", default="ONESTOP1", help="the merchant's vnp_TmnCode")
    parser.add_argument("--secret", default="dev-vnpay-secret", help="the merchant's hash secret")
    parser.add_argument("--ipn-url", default="", help="the merchant's IPN address (none: no IPN is sent)")
    parser.add_argument("--dir", default=str(Path(__file__).resolve().parent.parent / "var" / "vnpay"))
    parser.add_argument("--ipn-retry-delays", type=delays, default=[2.0, 10.0, 60.0], help="seconds, comma-separated")
    parser.add_argument("--ipn-timeout", type=float, default=10.0, help="seconds to wait for one IPN answer")
    args = parser.parse_args(argv)
    directory = Path(args.dir)
    directory.mkdir(parents=True, exist_ok=True)
    gateway = Gateway(
        tmn_code=args.tmn_code,
        secret=args.secret,
        ipn_url=args.ipn_url,
        directory=directory,
        retry_delays=args.ipn_retry_delays,
        ipn_timeout=args.ipn_timeout,
    )
    server = ThreadingHTTPServer((args.host, args.port), make_handler(gateway))
    server.daemon_threads = True
    print(f"fake VNPay on http://{args.host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
