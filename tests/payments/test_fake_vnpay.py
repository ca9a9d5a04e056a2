"""The stand-in VNPay gateway (scripts/fake_vnpay.py) against our protocol module, over real HTTP:
the payment page, the signed redirect and IPN (lost, late, retried, replayed), querydr, refunds
and the day's reconciliation list. No database: the IPN receiver is a small server in the test."""

import json
import subprocess
import threading
import time
import uuid
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from onestop_tayninh.payments.contrib.vnpay import protocol
from onestop_tayninh.payments.contrib.vnpay.protocol import GMT7, ProtocolError, SignatureError
from tests.payments import support

TMN_CODE = "ONESTOP1"
SECRET = "bi-mat-vnpay-thu"
RETURN_URL = "http://127.0.0.1:9/thanh-toan/vnpay/ket-qua/"


class IpnReceiver:
    """Our IPN endpoint's stand-in: keeps what VNPay sent, answers RspCode 00 unless a test scripted
    other answers for a transaction ("html" answers a page instead of JSON)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[dict[str, str]] = []
        self.scripts: dict[str, list[str]] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):
                return

            def do_GET(self):
                params = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                with receiver.lock:
                    receiver.received.append(params)
                    script = receiver.scripts.get(params.get("vnp_TxnRef", ""), [])
                    answer = script.pop(0) if script else "00"
                if answer == "html":
                    body = "<html>Lỗi máy chủ</html>".encode()
                else:
                    body = json.dumps({"RspCode": answer, "Message": "test"}).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/thanh-toan/vnpay/ipn/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def of(self, txn_ref: str) -> list[dict[str, str]]:
        with self.lock:
            return [params for params in self.received if params.get("vnp_TxnRef") == txn_ref]

    def wait_for(self, txn_ref: str, count: int, timeout: float = 5) -> list[dict[str, str]]:
        deadline = time.monotonic() + timeout
        while len(self.of(txn_ref)) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.of(txn_ref)


def start_gateway(directory: Path, ipn_url: str = "") -> tuple[subprocess.Popen, str]:
    return support.start_gateway(directory, ipn_url=ipn_url, tmn_code=TMN_CODE, secret=SECRET, retry_delays="0.2,0.2")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def receiver():
    receiver = IpnReceiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return tmp_path_factory.mktemp("vnpay")


@pytest.fixture(scope="module")
def gateway(receiver, store):
    process, address = start_gateway(store, receiver.url)
    try:
        yield address
    finally:
        stop(process)


class Payment:
    """One payment attempt: its reference, creation time and signed URL."""

    def __init__(
        self, gateway: str, *, amount_dong: int = 150_000, created_ago=timedelta(0), lasts=timedelta(minutes=15)
    ):
        self.gateway = gateway
        self.txn_ref = f"HS-{uuid.uuid4().hex[:10]}"
        self.amount_dong = amount_dong
        self.created_at = datetime.now(GMT7).replace(microsecond=0) - created_ago
        self.url = protocol.payment_url(
            gateway + protocol.PAYMENT_PATH,
            tmn_code=TMN_CODE,
            secret=SECRET,
            txn_ref=self.txn_ref,
            amount_dong=amount_dong,
            order_info=f"Lệ phí hồ sơ {self.txn_ref}",
            return_url=RETURN_URL,
            ip_addr="127.0.0.1",
            created_at=self.created_at,
            expire_at=self.created_at + lasts,
        )
        self.params = {k: v[0] for k, v in parse_qs(urlsplit(self.url).query).items()}

    def submit(self, action: str = "pay", ipn: str = "ngay", bank_code: str = "NCB") -> requests.Response:
        """The citizen presses a button on the payment page."""
        form = {**self.params, "action": action, "ipn": ipn, "bank_code": bank_code}
        return requests.post(self.gateway + protocol.PAYMENT_PATH, data=form, allow_redirects=False, timeout=10)

    def result(self, response: requests.Response) -> protocol.PaymentResult:
        """The signed result the browser is sent back with to our return URL."""
        assert response.status_code == 302, response.text
        location = response.headers["Location"]
        assert location.startswith(RETURN_URL + "?")
        params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        return protocol.read_result(params, SECRET)

    def query(self, secret: str = SECRET) -> protocol.QueryResult:
        return protocol.query(
            self.gateway + protocol.API_PATH,
            tmn_code=TMN_CODE,
            secret=secret,
            txn_ref=self.txn_ref,
            transaction_date=self.created_at,
            ip_addr="127.0.0.1",
            order_info=f"Truy van {self.txn_ref}",
        )

    def refund(self, amount_dong: int, *, transaction_no: str, full: bool) -> protocol.RefundResult:
        return protocol.refund(
            self.gateway + protocol.API_PATH,
            tmn_code=TMN_CODE,
            secret=SECRET,
            txn_ref=self.txn_ref,
            amount_dong=amount_dong,
            transaction_no=transaction_no,
            transaction_date=self.created_at,
            created_by="canbo.motcua",
            ip_addr="127.0.0.1",
            order_info=f"Hoan phi {self.txn_ref}",
            full=full,
        )


def ipn_log(gateway: str, txn_ref: str) -> list[dict]:
    return [entry for entry in requests.get(f"{gateway}/ipn-log", timeout=10).json() if entry["txn_ref"] == txn_ref]


# --- the payment page -------------------------------------------------------------------------


def test_a_signed_request_shows_the_payment_page(gateway):
    payment = Payment(gateway, amount_dong=1_000_000)
    page = requests.get(payment.url, timeout=10)
    assert page.status_code == 200
    for text in ("Cổng thanh toán VNPay (bản thử)", "1.000.000 đ", f"Lệ phí hồ sơ {payment.txn_ref}", "Thanh toán"):
        assert text in page.text
    assert "Hủy giao dịch" in page.text and 'value="NCB"' in page.text and 'value="BIDV"' in page.text
    assert 'name="viewport"' in page.text


def test_a_bad_signature_shows_vnpays_code_70(gateway):
    payment = Payment(gateway)
    tampered = payment.url.replace("vnp_Amount=15000000", "vnp_Amount=1500000")
    page = requests.get(tampered, timeout=10)
    assert page.status_code == 400 and "Sai chữ ký" in page.text and "70" in page.text


def test_another_merchant_code_is_refused(gateway):
    payment = Payment(gateway)
    params = {**payment.params, "vnp_TmnCode": "KHAC0001"}
    params["vnp_SecureHash"] = protocol.secure_hash(params, SECRET)
    page = requests.get(gateway + protocol.PAYMENT_PATH, params=params, timeout=10)
    assert page.status_code == 400 and "Không tìm thấy website" in page.text


def test_an_expired_payment_is_refused(gateway):
    payment = Payment(gateway, created_ago=timedelta(minutes=30), lasts=timedelta(minutes=15))
    page = requests.get(payment.url, timeout=10)
    assert page.status_code == 400 and "Giao dịch đã quá thời gian chờ thanh toán" in page.text
    assert payment.submit().status_code == 400  # nor can the old form be sent


def test_an_amount_below_vnpays_minimum_is_refused(gateway):
    page = requests.get(Payment(gateway, amount_dong=2_000).url, timeout=10)
    assert page.status_code == 400 and "Số tiền giao dịch không hợp lệ" in page.text


# --- paying, cancelling and the IPN -----------------------------------------------------------


def test_paying_sends_the_ipn_then_redirects_with_the_same_signed_result(gateway, receiver):
    payment = Payment(gateway)
    result = payment.result(payment.submit(bank_code="VIETCOMBANK"))

    assert result.succeeded and result.txn_ref == payment.txn_ref and result.amount_dong == 150_000
    assert len(result.transaction_no) == 8 and result.transaction_no.isdigit()
    assert result.bank_code == "VIETCOMBANK" and result.tmn_code == TMN_CODE
    assert result.pay_date is not None and abs(result.pay_date - datetime.now(GMT7)) < timedelta(minutes=1)
    # "ngay": the IPN was sent before the browser was redirected.
    [ipn] = receiver.of(payment.txn_ref)
    assert protocol.verify(ipn, SECRET) and protocol.parse_result(ipn) == result
    [attempt] = ipn_log(gateway, payment.txn_ref)
    assert attempt["rsp_code"] == "00" and attempt["attempt"] == 1


def test_cancelling_answers_code_24(gateway, receiver):
    payment = Payment(gateway)
    result = payment.result(payment.submit(action="cancel"))
    assert (result.response_code, result.transaction_status) == ("24", "02") and not result.succeeded
    [ipn] = receiver.wait_for(payment.txn_ref, 1)
    assert protocol.read_result(ipn, SECRET).response_code == "24"


def test_a_lost_ipn_is_never_sent(gateway, receiver):
    payment = Payment(gateway)
    assert payment.result(payment.submit(ipn="mat")).succeeded
    time.sleep(0.8)  # longer than all the retries
    assert receiver.of(payment.txn_ref) == [] and ipn_log(gateway, payment.txn_ref) == []


def test_a_late_ipn_arrives_after_the_redirect(gateway, receiver):
    payment = Payment(gateway)
    assert payment.result(payment.submit(ipn="sau")).succeeded
    assert receiver.of(payment.txn_ref) == []
    [ipn] = receiver.wait_for(payment.txn_ref, 1, timeout=5)
    assert protocol.verify(ipn, SECRET)


def test_the_ipn_is_retried_until_the_merchant_confirms(gateway, receiver):
    payment = Payment(gateway)
    receiver.scripts[payment.txn_ref] = ["html", "99", "00"]
    payment.submit()
    assert len(receiver.wait_for(payment.txn_ref, 3)) == 3
    time.sleep(0.5)
    attempts = ipn_log(gateway, payment.txn_ref)
    assert [(a["attempt"], a["rsp_code"]) for a in attempts] == [(1, None), (2, "99"), (3, "00")]
    assert len(receiver.of(payment.txn_ref)) == 3  # confirmed: no fourth attempt


def test_already_confirmed_stops_the_retries(gateway, receiver):
    payment = Payment(gateway)
    receiver.scripts[payment.txn_ref] = ["02"]
    payment.submit()
    time.sleep(0.6)
    assert len(receiver.of(payment.txn_ref)) == 1


def test_paying_the_same_order_twice_is_refused(gateway, receiver):
    payment = Payment(gateway)
    assert payment.result(payment.submit()).succeeded
    again = payment.submit()
    assert again.status_code == 400 and "Giao dịch đã được thanh toán" in again.text
    assert "Giao dịch đã được thanh toán" in requests.get(payment.url, timeout=10).text
    assert len(receiver.of(payment.txn_ref)) == 1


def test_an_ipn_can_be_sent_again_as_a_replay(gateway, receiver):
    payment = Payment(gateway)
    payment.submit()
    answer = requests.post(f"{gateway}/_control/resend-ipn", params={"vnp_TxnRef": payment.txn_ref}, timeout=10)
    assert answer.json() == {"delivered": True}
    first, second = receiver.wait_for(payment.txn_ref, 2)
    assert first == second
    unknown = requests.post(f"{gateway}/_control/resend-ipn", params={"vnp_TxnRef": "khong-co"}, timeout=10)
    assert unknown.status_code == 404


# --- querydr ----------------------------------------------------------------------------------


def test_querydr_finds_a_paid_payment(gateway):
    payment = Payment(gateway)
    paid = payment.result(payment.submit())
    result = payment.query()
    assert result.found and result.succeeded
    assert (result.txn_ref, result.amount_dong, result.transaction_no) == (
        payment.txn_ref,
        150_000,
        paid.transaction_no,
    )
    assert result.pay_date == paid.pay_date and result.bank_code == "NCB"


def test_querydr_of_an_unknown_payment_answers_91(gateway):
    result = Payment(gateway).query()  # never sent to the gateway
    assert result.response_code == "91" and not result.found and not result.succeeded


def test_querydr_needs_the_payments_creation_date(gateway):
    payment = Payment(gateway)
    payment.submit()
    payment.created_at -= timedelta(seconds=1)
    assert payment.query().response_code == "91"


def test_querydr_with_a_wrong_checksum_answers_97(gateway):
    body = protocol.querydr_request(
        tmn_code=TMN_CODE,
        secret="sai-bi-mat",
        txn_ref="HS-0001",
        transaction_date=datetime.now(GMT7),
        ip_addr="127.0.0.1",
        order_info="x",
    )
    answer = requests.post(gateway + protocol.API_PATH, json=body, timeout=10).json()
    assert protocol.parse_query_response(answer, SECRET).response_code == "97"
    # Our side, with the wrong secret, cannot trust the gateway's answer either.
    with pytest.raises(SignatureError):
        Payment(gateway).query(secret="sai-bi-mat")


def test_a_repeated_request_id_answers_94(gateway):
    payment = Payment(gateway)
    payment.submit()
    body = protocol.querydr_request(
        tmn_code=TMN_CODE,
        secret=SECRET,
        txn_ref=payment.txn_ref,
        transaction_date=payment.created_at,
        ip_addr="127.0.0.1",
        order_info="x",
    )
    first, second = (requests.post(gateway + protocol.API_PATH, json=body, timeout=10).json() for _ in range(2))
    assert protocol.parse_query_response(first, SECRET).found
    assert protocol.parse_query_response(second, SECRET).response_code == "94"


# --- refunds ----------------------------------------------------------------------------------


def test_a_full_refund_then_nothing_more(gateway):
    payment = Payment(gateway)
    paid = payment.result(payment.submit())
    refund = payment.refund(150_000, transaction_no=paid.transaction_no, full=True)
    assert refund.succeeded and refund.amount_dong == 150_000
    assert refund.transaction_no not in ("", paid.transaction_no)
    more = payment.refund(5_000, transaction_no=paid.transaction_no, full=False)
    assert more.response_code == "02" and not more.succeeded


def test_partial_refunds_up_to_the_amount_paid(gateway):
    payment = Payment(gateway)
    paid = payment.result(payment.submit())
    assert payment.refund(100_000, transaction_no=paid.transaction_no, full=False).succeeded
    assert payment.refund(60_000, transaction_no=paid.transaction_no, full=False).response_code == "02"
    assert payment.refund(150_000, transaction_no=paid.transaction_no, full=True).response_code == "04"
    assert payment.refund(50_000, transaction_no=paid.transaction_no, full=False).succeeded


def test_a_refund_above_the_payment_is_refused(gateway):
    payment = Payment(gateway)
    paid = payment.result(payment.submit())
    assert payment.refund(150_100, transaction_no=paid.transaction_no, full=False).response_code == "93"


def test_a_cancelled_payment_cannot_be_refunded(gateway):
    payment = Payment(gateway)
    payment.submit(action="cancel")
    assert payment.refund(150_000, transaction_no="0", full=True).response_code == "95"


# --- reconciliation and storage ---------------------------------------------------------------


def test_the_days_transactions_are_signed_and_verified(gateway):
    payment = Payment(gateway)
    paid = payment.result(payment.submit())
    refund = payment.refund(50_000, transaction_no=paid.transaction_no, full=False)
    day = paid.pay_date.date()

    lines = protocol.transactions(gateway, tmn_code=TMN_CODE, secret=SECRET, day=day)
    mine = [line for line in lines if line.txn_ref == payment.txn_ref]
    assert [(line.kind, line.amount_dong, line.transaction_no) for line in mine] == [
        ("pay", 150_000, paid.transaction_no),
        ("refund", 50_000, refund.transaction_no),
    ]
    assert protocol.transactions(gateway, tmn_code=TMN_CODE, secret=SECRET, day=day - timedelta(days=400)) == []
    with pytest.raises(ProtocolError):
        protocol.transactions(gateway, tmn_code=TMN_CODE, secret="sai-bi-mat", day=day)


def test_transactions_survive_a_restart(gateway, store):
    payment = Payment(gateway)
    paid = payment.result(payment.submit())
    process, address = start_gateway(store)
    try:
        payment.gateway = address
        result = payment.query()
        assert result.succeeded and result.transaction_no == paid.transaction_no
        index = requests.get(address + "/", timeout=10)
        assert index.status_code == 200 and "Giao dịch gần đây" in index.text and payment.txn_ref in index.text
    finally:
        stop(process)
