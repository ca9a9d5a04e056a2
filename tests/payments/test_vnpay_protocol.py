"""The VNPay 2.1.0 wire protocol (payments/contrib/vnpay/protocol.py), without a database.

The expected digests were computed once, by hand, with hmac/hashlib over the literal strings
written next to them, from VNPay's documented algorithm; they are not produced by the code under
test. The payment example is the one in VNPay's integration guide (its query string), signed with
our own test secret.
"""

import json
import threading
import time
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from onestop_tayninh.payments.contrib.vnpay import protocol
from onestop_tayninh.payments.contrib.vnpay.protocol import (
    GMT7,
    IpnCode,
    ProtocolError,
    SignatureError,
)

SECRET = "VNPAYSECRET2026"

# VNPay's own example (sandbox.vnpayment.vn/apis/docs/huong-dan-tich-hop/), its query string
# before &vnp_SecureHash, which is exactly the text the hash covers.
GUIDE_PARAMS = {
    "vnp_Version": "2.1.0",
    "vnp_Command": "pay",
    "vnp_TmnCode": "DEMOV210",
    "vnp_Amount": "1806000",
    "vnp_CurrCode": "VND",
    "vnp_TxnRef": "5",
    "vnp_OrderInfo": "Thanh toan don hang :5",
    "vnp_OrderType": "other",
    "vnp_Locale": "vn",
    "vnp_ReturnUrl": "https://domainmerchant.vn/ReturnUrl",
    "vnp_IpAddr": "127.0.0.1",
    "vnp_CreateDate": "20210801153333",
}
GUIDE_QUERY = (
    "vnp_Amount=1806000&vnp_Command=pay&vnp_CreateDate=20210801153333&vnp_CurrCode=VND&vnp_IpAddr=127.0.0.1"
    "&vnp_Locale=vn&vnp_OrderInfo=Thanh+toan+don+hang+%3A5&vnp_OrderType=other"
    "&vnp_ReturnUrl=https%3A%2F%2Fdomainmerchant.vn%2FReturnUrl&vnp_TmnCode=DEMOV210&vnp_TxnRef=5&vnp_Version=2.1.0"
)
GUIDE_HASH = (
    "b5e502cbbba287621d503ca0eabdba77cef6397dd8945e89a5a9f09ba0b2ce4529226a93a87181433954749310bd0c52"
    "9b7a93a3777bc3f6d602ea04d6998bf7"
)

# Spaces become "+", Vietnamese letters their UTF-8 bytes in %XX (quote_plus), ":" is %3A.
VIETNAMESE_PARAMS = {"vnp_TxnRef": "HS-0001", "vnp_Amount": "5000000", "vnp_OrderInfo": "Lệ phí hộ tịch: Nguyễn Văn A"}
VIETNAMESE_QUERY = (
    "vnp_Amount=5000000&vnp_OrderInfo=L%E1%BB%87+ph%C3%AD+h%E1%BB%99+t%E1%BB%8Bch%3A+Nguy%E1%BB%85n+V%C4%83n+A"
    "&vnp_TxnRef=HS-0001"
)
VIETNAMESE_HASH = (
    "8e327da736ee0c8411e46a9a7552c7bd251d11c469a9483d9fd8a1c5175b785f015698aebe115f6e86a233fc4533e813"
    "0b207309f84bc9f49d859bfc9a56eabf"
)

# "REQ1|2.1.0|querydr|ONESTOP1|HS-0001|20261207093000|20261207100000|10.0.0.5|Truy van giao dich HS-0001"
QUERYDR_HASH = (
    "a0dd630e7a877069769475892319cd21257ffb9661d2cb37f4704444e036e97068d5371f0e8882117831bb5773f8323a"
    "201ea59726517b300a7d1a03cfcc7122"
)
# "REQ2|2.1.0|refund|ONESTOP1|03|HS-0001|5000000|14123456|20261207093000|canbo01|20261208080000|10.0.0.5|Hoan phi HS-0001"
REFUND_HASH = (
    "cb99c86ded08fc21a54450168a8ee61bde30e27f0002476be9a6b95eff75962d6a9237acc7c3aa729e3536c90fd34a1a"
    "588af35a7aafd1e03de24c6c29dc4923"
)
# "RES1|querydr|00|QueryDR Success|ONESTOP1|HS-0001|10000000|NCB|20261207100501|14123456|01|00|Truy van giao dich HS-0001||"
# (the two promotion fields are absent and signed empty)
QUERYDR_ANSWER = {
    "vnp_ResponseId": "RES1",
    "vnp_Command": "querydr",
    "vnp_ResponseCode": "00",
    "vnp_Message": "QueryDR Success",
    "vnp_TmnCode": "ONESTOP1",
    "vnp_TxnRef": "HS-0001",
    "vnp_Amount": "10000000",
    "vnp_OrderInfo": "Truy van giao dich HS-0001",
    "vnp_BankCode": "NCB",
    "vnp_PayDate": "20261207100501",
    "vnp_TransactionNo": "14123456",
    "vnp_TransactionType": "01",
    "vnp_TransactionStatus": "00",
    "vnp_SecureHash": (
        "1e5674f660aeec618490b3f8a8dbc508334b42dbac0a5632b69f39b97f15973a5b293f8eab69f299796eb888856c9e7a"
        "583b769fa400d1ca2465dfa1f4cb5866"
    ),
}
# "RES2|refund|00|Refund success|ONESTOP1|HS-0001|5000000|NCB|20261208080005|14129999|03|00|Hoan phi HS-0001"
REFUND_ANSWER = {
    "vnp_ResponseId": "RES2",
    "vnp_Command": "refund",
    "vnp_ResponseCode": "00",
    "vnp_Message": "Refund success",
    "vnp_TmnCode": "ONESTOP1",
    "vnp_TxnRef": "HS-0001",
    "vnp_Amount": "5000000",
    "vnp_OrderInfo": "Hoan phi HS-0001",
    "vnp_BankCode": "NCB",
    "vnp_PayDate": "20261208080005",
    "vnp_TransactionNo": "14129999",
    "vnp_TransactionType": "03",
    "vnp_TransactionStatus": "00",
    "vnp_SecureHash": (
        "514b7b16414c11ad41f30a388b4756a4329f4d83a42760e483a2a020e92a593cc5bc2130e6ba3c9676fd7c10cb1800d6"
        "f5dd81b81d84704a356dcdc5f9dc190c"
    ),
}
# "ONESTOP1|20261207"
TRANSACTIONS_REQUEST_HASH = (
    "d52a14c77af211df6f2e4a70115a7dde30c5b75616e606637a9e5c16e1d5a0d1504f80433a318e0d3028e1079f1fdc2e"
    "1c1edd953a45f02d77f3dda61b0cc76b"
)
TRANSACTION_ITEMS = [
    {
        "txn_ref": "HS-0001",
        "amount": "10000000",
        "transaction_no": "14123456",
        "response_code": "00",
        "transaction_status": "00",
        "pay_date": "20261207100501",
        "bank_code": "NCB",
        "kind": "pay",
    }
]
TRANSACTIONS_CANONICAL = (
    '[{"amount":"10000000","bank_code":"NCB","kind":"pay","pay_date":"20261207100501","response_code":"00",'
    '"transaction_no":"14123456","transaction_status":"00","txn_ref":"HS-0001"}]'
)
TRANSACTIONS_LIST_HASH = (
    "c817e5c0199534a678f809003b72ddf45a89a69ca7ad568d7880ecce0d42865bb11678591ce9ba0091603101d1fa1da3"
    "94b955a9f33f3fcad2f4e50dd97a607d"
)


def result_params(**changes):
    """A signed payment result as VNPay sends to the return URL and the IPN."""
    params = {
        "vnp_Amount": "15000000",
        "vnp_BankCode": "NCB",
        "vnp_BankTranNo": "VNP14123456",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": "Le phi ho so HS-0001",
        "vnp_PayDate": "20261207100501",
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": "ONESTOP1",
        "vnp_TransactionNo": "14123456",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": "HS-0001",
    }
    params.update(changes)
    params["vnp_SecureHash"] = protocol.secure_hash(params, SECRET)
    return params


# --- the payment URL's signature --------------------------------------------------------------


def test_the_hashed_text_is_the_query_string_of_vnpays_example():
    assert protocol.hash_data(GUIDE_PARAMS) == GUIDE_QUERY


def test_the_secure_hash_matches_a_fixed_vector():
    assert protocol.secure_hash(GUIDE_PARAMS, SECRET) == GUIDE_HASH


def test_empty_foreign_and_hash_parameters_are_not_signed():
    noisy = {
        **GUIDE_PARAMS,
        "vnp_BankCode": "",
        "utm_source": "zalo",
        "vnp_SecureHashType": "HmacSHA512",
        "vnp_SecureHash": "00",
    }
    assert protocol.secure_hash(noisy, SECRET) == GUIDE_HASH


def test_spaces_and_vietnamese_letters_are_encoded_like_quote_plus():
    assert protocol.hash_data(VIETNAMESE_PARAMS) == VIETNAMESE_QUERY
    assert protocol.secure_hash(VIETNAMESE_PARAMS, SECRET) == VIETNAMESE_HASH


def test_the_payment_url_carries_the_documented_parameters_and_a_valid_hash():
    created = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)  # 09:30 in Tây Ninh
    url = protocol.payment_url(
        "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html",
        tmn_code="ONESTOP1",
        secret=SECRET,
        txn_ref="HS-0001-1",
        amount_dong=150_000,
        order_info="Le phi ho so HS-0001",
        return_url="https://motcua.tayninh.gov.vn/thanh-toan/vnpay/ket-qua/",
        ip_addr="113.161.1.2",
        created_at=created,
        expire_at=created + timedelta(minutes=15),
    )
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    params = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert params == {
        "vnp_Version": "2.1.0",
        "vnp_Command": "pay",
        "vnp_TmnCode": "ONESTOP1",
        "vnp_Amount": "15000000",
        "vnp_CurrCode": "VND",
        "vnp_TxnRef": "HS-0001-1",
        "vnp_OrderInfo": "Le phi ho so HS-0001",
        "vnp_OrderType": "other",
        "vnp_Locale": "vn",
        "vnp_ReturnUrl": "https://motcua.tayninh.gov.vn/thanh-toan/vnpay/ket-qua/",
        "vnp_IpAddr": "113.161.1.2",
        "vnp_CreateDate": "20261207093000",
        "vnp_ExpireDate": "20261207094500",
        "vnp_SecureHash": params["vnp_SecureHash"],
    }
    # The query string is the signed text itself, the hash last.
    signed, _sep, digest = parts.query.rpartition("&vnp_SecureHash=")
    assert signed == protocol.hash_data(params) and digest == protocol.secure_hash(params, SECRET)
    assert protocol.verify(params, SECRET)


def test_a_chosen_bank_is_sent_and_signed():
    created = datetime(2026, 12, 7, 9, 30, tzinfo=GMT7)
    url = protocol.payment_url(
        "http://127.0.0.1:1028/paymentv2/vpcpay.html",
        tmn_code="ONESTOP1",
        secret=SECRET,
        txn_ref="HS-0001-2",
        amount_dong=5_000,
        order_info="Le phi",
        return_url="http://127.0.0.1:8000/ket-qua/",
        ip_addr="127.0.0.1",
        created_at=created,
        expire_at=created + timedelta(minutes=15),
        bank_code="VNPAYQR",
        locale="en",
    )
    params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert params["vnp_BankCode"] == "VNPAYQR" and params["vnp_Locale"] == "en"
    assert params["vnp_CreateDate"] == "20261207093000" and protocol.verify(params, SECRET)


@pytest.mark.parametrize("amount", [0, -5_000, 1.5, True, "150000"])
def test_a_payment_url_needs_a_positive_whole_amount(amount):
    created = datetime(2026, 12, 7, 9, 30, tzinfo=GMT7)
    with pytest.raises(ValueError):
        protocol.payment_url(
            "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html",
            tmn_code="ONESTOP1",
            secret=SECRET,
            txn_ref="X",
            amount_dong=amount,
            order_info="x",
            return_url="https://x/",
            ip_addr="127.0.0.1",
            created_at=created,
            expire_at=created + timedelta(minutes=15),
        )


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        protocol.format_date(datetime(2026, 12, 7, 9, 30))


def test_plain_text_drops_vietnamese_diacritics():
    assert protocol.plain_text("Lệ phí đăng ký khai sinh – Đồng Khởi") == "Le phi dang ky khai sinh – Dong Khoi"


# --- return URL and IPN -----------------------------------------------------------------------


def test_verify_accepts_a_signed_result_in_either_case_of_hex():
    params = result_params()
    assert protocol.verify(params, SECRET)
    assert protocol.verify({**params, "vnp_SecureHash": params["vnp_SecureHash"].upper()}, SECRET)


@pytest.mark.parametrize(
    "field, value",
    [("vnp_Amount", "1500000000"), ("vnp_ResponseCode", "24"), ("vnp_TxnRef", "HS-0002"), ("vnp_BankCode", "VCB")],
)
def test_verify_rejects_a_tampered_result(field, value):
    params = result_params()
    params[field] = value
    assert not protocol.verify(params, SECRET)


def test_verify_rejects_a_missing_hash_and_another_secret():
    params = result_params()
    assert not protocol.verify({k: v for k, v in params.items() if k != "vnp_SecureHash"}, SECRET)
    assert not protocol.verify(params, "another-secret")


def test_a_result_is_read_into_a_record():
    result = protocol.read_result(result_params(), SECRET)
    assert result == protocol.PaymentResult(
        txn_ref="HS-0001",
        amount_dong=150_000,
        response_code="00",
        transaction_status="00",
        transaction_no="14123456",
        bank_code="NCB",
        pay_date=datetime(2026, 12, 7, 10, 5, 1, tzinfo=GMT7),
        tmn_code="ONESTOP1",
        order_info="Le phi ho so HS-0001",
        bank_tran_no="VNP14123456",
        card_type="ATM",
    )
    assert result.succeeded
    assert result.pay_date == datetime(2026, 12, 7, 3, 5, 1, tzinfo=UTC)


def test_a_cancelled_payment_did_not_succeed():
    result = protocol.read_result(
        result_params(vnp_ResponseCode="24", vnp_TransactionStatus="02", vnp_TransactionNo="0"), SECRET
    )
    assert not result.succeeded and result.response_code == protocol.ResponseCode.CUSTOMER_CANCELLED


def test_a_wrong_signature_is_a_signature_error():
    params = result_params()
    params["vnp_Amount"] = "100"
    with pytest.raises(SignatureError):
        protocol.read_result(params, SECRET)


@pytest.mark.parametrize(
    "amount", ["", "abc", "15000050", "-15000000", "1.5e7", "150000.00", "１５００００００", " 100"]
)
def test_garbage_amounts_are_refused(amount):
    with pytest.raises(ProtocolError):
        protocol.parse_result(result_params(vnp_Amount=amount))


@pytest.mark.parametrize(
    "changes",
    [
        {"vnp_TxnRef": ""},
        {"vnp_ResponseCode": ""},
        {"vnp_ResponseCode": "0"},
        {"vnp_TransactionStatus": "ok"},
        {"vnp_PayDate": "2026-12-07"},
        {"vnp_PayDate": "20261399100501"},
    ],
)
def test_missing_or_garbage_fields_are_refused(changes):
    with pytest.raises(ProtocolError):
        protocol.parse_result(result_params(**changes))


def test_the_ipn_answers_are_vnpays():
    assert protocol.ipn_answer(IpnCode.RECORDED) == {"RspCode": "00", "Message": "Confirm Success"}
    assert protocol.ipn_answer(IpnCode.ORDER_NOT_FOUND) == {"RspCode": "01", "Message": "Order not found"}
    assert protocol.ipn_answer(IpnCode.ALREADY_CONFIRMED) == {"RspCode": "02", "Message": "Order already confirmed"}
    assert protocol.ipn_answer(IpnCode.INVALID_AMOUNT) == {"RspCode": "04", "Message": "Invalid amount"}
    assert protocol.ipn_answer(IpnCode.INVALID_SIGNATURE) == {"RspCode": "97", "Message": "Invalid Checksum"}
    assert protocol.ipn_answer(IpnCode.OTHER_ERROR) == {"RspCode": "99", "Message": "Unknown error"}


# --- querydr and refund -----------------------------------------------------------------------


def test_a_querydr_request_is_signed_in_the_documented_order():
    body = protocol.querydr_request(
        tmn_code="ONESTOP1",
        secret=SECRET,
        txn_ref="HS-0001",
        transaction_date=datetime(2026, 12, 7, 2, 30, tzinfo=UTC),
        ip_addr="10.0.0.5",
        order_info="Truy van giao dich HS-0001",
        request_id="REQ1",
        now=datetime(2026, 12, 7, 10, 0, tzinfo=GMT7),
    )
    assert body == {
        "vnp_RequestId": "REQ1",
        "vnp_Version": "2.1.0",
        "vnp_Command": "querydr",
        "vnp_TmnCode": "ONESTOP1",
        "vnp_TxnRef": "HS-0001",
        "vnp_OrderInfo": "Truy van giao dich HS-0001",
        "vnp_TransactionDate": "20261207093000",
        "vnp_CreateDate": "20261207100000",
        "vnp_IpAddr": "10.0.0.5",
        "vnp_SecureHash": QUERYDR_HASH,
    }


def test_a_refund_request_is_signed_in_the_documented_order():
    body = protocol.refund_request(
        tmn_code="ONESTOP1",
        secret=SECRET,
        txn_ref="HS-0001",
        amount_dong=50_000,
        transaction_no="14123456",
        transaction_date="20261207093000",
        created_by="canbo01",
        ip_addr="10.0.0.5",
        order_info="Hoan phi HS-0001",
        full=False,
        request_id="REQ2",
        now=datetime(2026, 12, 8, 8, 0, tzinfo=GMT7),
    )
    assert body["vnp_TransactionType"] == "03" and body["vnp_Amount"] == "5000000"
    assert body["vnp_SecureHash"] == REFUND_HASH
    assert json.loads(json.dumps(body)) == body  # plain JSON strings


def test_request_ids_are_fresh_and_short_enough():
    first, second = (
        protocol.querydr_request(
            tmn_code="ONESTOP1",
            secret=SECRET,
            txn_ref="HS-0001",
            transaction_date="20261207093000",
            ip_addr="10.0.0.5",
            order_info="x",
        )["vnp_RequestId"]
        for _ in range(2)
    )
    assert first != second and len(first) <= 32 and first.isalnum()


def test_a_signed_querydr_answer_is_read():
    result = protocol.parse_query_response(QUERYDR_ANSWER, SECRET, txn_ref="HS-0001")
    assert result.found and result.succeeded
    assert (result.amount_dong, result.transaction_no, result.transaction_status) == (100_000, "14123456", "00")
    assert result.pay_date == datetime(2026, 12, 7, 10, 5, 1, tzinfo=GMT7)


def test_a_querydr_answer_may_give_the_amount_as_a_number():
    assert protocol.parse_query_response({**QUERYDR_ANSWER, "vnp_Amount": 10000000}, SECRET).amount_dong == 100_000


@pytest.mark.parametrize(
    "changes",
    [{"vnp_Amount": "1000000000"}, {"vnp_TransactionStatus": "02"}, {"vnp_SecureHash": ""}, {"vnp_PromotionCode": "X"}],
)
def test_a_tampered_or_unsigned_querydr_answer_is_refused(changes):
    with pytest.raises(SignatureError):
        protocol.parse_query_response({**QUERYDR_ANSWER, **changes}, SECRET)


def test_a_querydr_answer_about_another_payment_is_refused():
    with pytest.raises(ProtocolError):
        protocol.parse_query_response(QUERYDR_ANSWER, SECRET, txn_ref="HS-0002")


@pytest.mark.parametrize("body", [None, [], "00", {"vnp_ResponseCode": "00"}])
def test_a_querydr_answer_that_is_not_a_signed_object_is_refused(body):
    with pytest.raises(ProtocolError):
        protocol.parse_query_response(body, SECRET)


def test_a_querydr_not_found_answer_is_read():
    answer = {"vnp_ResponseId": "RES3", "vnp_Command": "querydr", "vnp_ResponseCode": "91", "vnp_TmnCode": "ONESTOP1"}
    answer["vnp_SecureHash"] = protocol.checksum(answer, protocol.QUERYDR_RESPONSE_FIELDS, SECRET)
    result = protocol.parse_query_response(answer, SECRET, txn_ref="HS-0009")
    assert not result.found and not result.succeeded and result.amount_dong is None


def test_a_signed_refund_answer_is_read():
    result = protocol.parse_refund_response(REFUND_ANSWER, SECRET, txn_ref="HS-0001")
    assert result.succeeded and result.transaction_no == "14129999" and result.amount_dong == 50_000
    with pytest.raises(SignatureError):
        protocol.parse_refund_response({**REFUND_ANSWER, "vnp_Amount": "15000000"}, SECRET)
    # The refund answer has no promotion fields: signing them would be querydr's order.
    with pytest.raises(SignatureError):
        protocol.parse_query_response({**REFUND_ANSWER, "vnp_Command": "querydr"}, SECRET)


# --- reconciliation list ----------------------------------------------------------------------


def test_the_reconciliation_hashes_match_fixed_vectors():
    assert protocol.transactions_request_hash("ONESTOP1", date(2026, 12, 7), SECRET) == TRANSACTIONS_REQUEST_HASH
    assert protocol.canonical_json(TRANSACTION_ITEMS) == TRANSACTIONS_CANONICAL
    assert protocol.transactions_list_hash(TRANSACTION_ITEMS, SECRET) == TRANSACTIONS_LIST_HASH


def test_a_reconciliation_answer_is_checked_and_read():
    body = {
        "vnp_TmnCode": "ONESTOP1",
        "vnp_Date": "20261207",
        "transactions": TRANSACTION_ITEMS,
        "vnp_SecureHash": TRANSACTIONS_LIST_HASH,
    }
    [line] = protocol.parse_transactions(body, SECRET, tmn_code="ONESTOP1", day=date(2026, 12, 7))
    assert line.succeeded and line.kind == "pay" and line.amount_dong == 100_000
    tampered = {**body, "transactions": [{**TRANSACTION_ITEMS[0], "amount": "20000000"}]}
    with pytest.raises(SignatureError):
        protocol.parse_transactions(tampered, SECRET, tmn_code="ONESTOP1", day=date(2026, 12, 7))
    with pytest.raises(ProtocolError):
        protocol.parse_transactions(body, SECRET, tmn_code="ONESTOP1", day=date(2026, 12, 8))


def test_the_reconciliation_endpoint_sits_beside_the_api():
    assert (
        protocol.transactions_url("https://sandbox.vnpayment.vn/merchant_webapi/api/transaction")
        == "https://sandbox.vnpayment.vn/merchant_webapi/transactions"
    )
    assert protocol.transactions_url("http://127.0.0.1:1028") == "http://127.0.0.1:1028/merchant_webapi/transactions"


# --- the HTTP calls against a gateway that misbehaves -----------------------------------------


@pytest.fixture(scope="module")
def broken_gateway():
    """A local server answering querydr slowly, in HTML, or unsigned, by path."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):
            return

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path == "/slow":
                time.sleep(1.5)
            body = b"<html>Bao tri</html>" if self.path == "/html" else json.dumps({"vnp_ResponseCode": "00"}).encode()
            self.send_response(503 if self.path == "/down" else 200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def ask(url, timeout=5):
    return protocol.query(
        url,
        tmn_code="ONESTOP1",
        secret=SECRET,
        txn_ref="HS-0001",
        transaction_date="20261207093000",
        ip_addr="10.0.0.5",
        order_info="x",
        timeout=timeout,
    )


@pytest.mark.parametrize(
    "path, error",
    [("/slow", "did not answer"), ("/html", "not JSON"), ("/down", "HTTP 503"), ("/unsigned", "not signed")],
)
def test_a_misbehaving_gateway_raises_a_protocol_error(broken_gateway, path, error):
    with pytest.raises(ProtocolError, match=error):
        ask(broken_gateway + path, timeout=0.5)


def test_an_unreachable_gateway_raises_a_protocol_error():
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = server.server_address[1]
    server.server_close()  # nothing listens there any more
    with pytest.raises(ProtocolError, match="could not be reached"):
        ask(f"http://127.0.0.1:{port}/merchant_webapi/api/transaction")
