"""The citizen's payment pages: the pay page, the POST that sends the citizen to VNPay (once, however
often it is clicked), and the page the browser comes back to, which shows what the server knows and
records nothing."""

import datetime as dt
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from django.contrib.auth.models import Permission
from django.utils import timezone

from onestop_tayninh.payments import services
from onestop_tayninh.payments.constants import OrderStatus, TransactionStatus
from onestop_tayninh.payments.contrib.vnpay import protocol
from onestop_tayninh.payments.models import PaymentTransaction, ProviderNotification
from tests.payments import support
from tests.payments.support import SECRET, TMN_CODE
from tests.portal import conftest as portal
from tests.workflows import conftest as workflows
from tests.workflows.conftest import user

pytestmark = pytest.mark.django_db

world = workflows.world
online = portal.online
other_citizen = portal.other_citizen
gateway = support.gateway
vnpay = support.vnpay
order = support.order


@pytest.fixture
def citizen(order):
    """The applicant who submitted the dossier and owes its order."""
    return order.dossier.applicant_account


def cashier():
    """The provincial centre's receiving officer, allowed to take money at the counter."""
    officer = user("tiepnhan.tinh")
    officer.user_permissions.add(Permission.objects.get(codename="collect_at_counter"))
    return user("tiepnhan.tinh")  # a fresh instance: permissions are cached on the user


def start(client, order):
    return client.post(f"/thanh-toan/{order.reference}/", {"provider": "vnpay"})


def result_params(txn, *, pay=True):
    """What VNPay signs and sends back, to the browser and in the IPN, for `txn`."""
    params = {
        "vnp_TmnCode": TMN_CODE,
        "vnp_Amount": protocol.amount_field(txn.amount),
        "vnp_BankCode": "NCB",
        "vnp_OrderInfo": f"Thanh toan phi, le phi {txn.order.reference}",
        "vnp_PayDate": protocol.format_date(timezone.now()),
        "vnp_ResponseCode": "00" if pay else "24",
        "vnp_TransactionNo": "14000001" if pay else "0",
        "vnp_TransactionStatus": "00" if pay else "02",
        "vnp_TxnRef": txn.txn_ref,
    }
    return dict(parse_qsl(protocol.signed_query(params, SECRET)))


def test_the_pay_page_lists_the_lines_the_total_and_the_vnpay_button(client, vnpay, order, citizen):
    client.force_login(citizen)
    page = client.get(f"/thanh-toan/{order.reference}/")
    assert page.status_code == 200
    text = page.content.decode()
    line = order.lines.get()
    assert line.name in text and line.get_kind_display() in text
    assert "8.000 đồng" in text
    assert 'name="provider" value="vnpay"' in text and "Thanh toán qua VNPay" in text


def test_without_an_online_provider_the_page_sends_the_citizen_to_the_desk(client, order, citizen, settings):
    settings.ONESTOP_VNPAY_TMN_CODE = ""  # VNPay is not configured in the test settings
    client.force_login(citizen)
    text = client.get(f"/thanh-toan/{order.reference}/").content.decode()
    assert 'name="provider"' not in text
    assert "Bộ phận Một cửa" in text and order.dossier.receiving_desk.name in text


def test_paying_sends_the_citizen_to_vnpay_with_a_signed_request(client, vnpay, order, citizen):
    client.force_login(citizen)
    answer = start(client, order)
    assert answer.status_code == 302
    url = answer["Location"]
    assert url.startswith(f"{vnpay}/paymentv2/vpcpay.html?")
    params = dict(parse_qsl(urlsplit(url).query))
    assert protocol.verify(params, SECRET)
    assert params["vnp_Amount"] == "800000" and params["vnp_ReturnUrl"].endswith("/thanh-toan/ket-qua/vnpay/")
    # The stand-in checks the request as VNPay does and shows its payment page.
    page = requests.get(url, timeout=10)
    assert page.status_code == 200 and "Thanh toán trực tuyến" in page.text


def test_a_double_click_starts_one_transaction(client, vnpay, order, citizen):
    client.force_login(citizen)
    first, second = start(client, order), start(client, order)
    assert first.status_code == second.status_code == 302
    assert PaymentTransaction.objects.filter(order=order).count() == 1
    assert first["Location"] == second["Location"]


def test_another_citizens_order_is_not_found(client, vnpay, order, other_citizen):
    client.force_login(other_citizen)
    assert client.get(f"/thanh-toan/{order.reference}/").status_code == 404
    assert start(client, order).status_code == 404
    assert client.get(f"/thanh-toan/{order.reference}/bien-lai/").status_code == 404
    assert not PaymentTransaction.objects.exists()


def test_the_pages_ask_a_visitor_to_log_in(client, vnpay, order):
    answer = client.get(f"/thanh-toan/{order.reference}/")
    assert answer.status_code == 302 and "/dang-nhap/" in answer["Location"]


def test_a_paid_order_shows_its_state_and_no_button(client, vnpay, order, citizen, online):
    services.counter_payment_record(
        order=order, officer=cashier(), method="cash", document_no="PT-1", at=timezone.now()
    )
    client.force_login(citizen)
    text = client.get(f"/thanh-toan/{order.reference}/").content.decode()
    assert "Đã thanh toán" in text and 'name="provider"' not in text
    assert "Biên lai đang được lập" in text  # the worker has not drawn the PDF yet
    refused = start(client, order)
    assert refused.status_code == 400 and "đã được thanh toán" in refused.content.decode()
    assert PaymentTransaction.objects.filter(order=order, provider="vnpay").count() == 0


def test_a_tampered_return_is_refused_and_records_nothing(client, vnpay, order, citizen):
    client.force_login(citizen)
    start(client, order)
    txn = PaymentTransaction.objects.get(order=order)
    params = result_params(txn)
    params["vnp_Amount"] = "100"  # signed for 8.000 đ
    answer = client.get("/thanh-toan/ket-qua/vnpay/", params)
    assert answer.status_code == 400
    assert "không xác nhận được" in answer.content.decode().lower()
    txn.refresh_from_db()
    order.refresh_from_db()
    assert txn.status == TransactionStatus.PENDING and order.status == OrderStatus.OPEN
    assert not ProviderNotification.objects.exists()


def test_the_return_page_waits_for_the_ipn_then_shows_the_payment(client, vnpay, order, citizen):
    client.force_login(citizen)
    start(client, order)
    txn = PaymentTransaction.objects.get(order=order)
    params = result_params(txn)
    waiting = client.get("/thanh-toan/ket-qua/vnpay/", params).content.decode()
    assert "Đang chờ xác nhận từ cổng thanh toán" in waiting
    assert '<meta http-equiv="refresh"' in waiting
    # The browser's word records nothing: a return saying "paid" leaves the transaction pending.
    txn.refresh_from_db()
    assert txn.status == TransactionStatus.PENDING
    outcome = services.notification_handle(provider_code="vnpay", params=params, client_ip=None, at=timezone.now())
    assert outcome == "recorded"
    paid = client.get("/thanh-toan/ket-qua/vnpay/", params).content.decode()
    assert "Đã thanh toán" in paid and "8.000 đồng" in paid
    assert '<meta http-equiv="refresh"' not in paid
    assert "Biên lai đang được lập" in paid


def test_a_cancelled_payment_offers_to_try_again(client, vnpay, order, citizen):
    client.force_login(citizen)
    start(client, order)
    txn = PaymentTransaction.objects.get(order=order)
    params = result_params(txn, pay=False)
    services.notification_handle(provider_code="vnpay", params=params, client_ip=None, at=timezone.now())
    text = client.get("/thanh-toan/ket-qua/vnpay/", params).content.decode()
    assert "Giao dịch không thành công/đã hủy" in text and f"/thanh-toan/{order.reference}/" in text
    assert '<meta http-equiv="refresh"' not in text


def test_the_return_page_stops_refreshing_long_after_the_payment_expired(client, vnpay, order, citizen):
    client.force_login(citizen)
    start(client, order)
    txn = PaymentTransaction.objects.get(order=order)
    PaymentTransaction.objects.filter(pk=txn.pk).update(expires_at=timezone.now() - dt.timedelta(hours=1))
    text = client.get("/thanh-toan/ket-qua/vnpay/", result_params(txn)).content.decode()
    assert "Đang chờ xác nhận" in text and '<meta http-equiv="refresh"' not in text


def test_the_dossier_page_lists_the_order_with_its_pay_button(client, vnpay, order, citizen):
    client.force_login(citizen)
    text = client.get(f"/ho-so-cua-toi/{order.dossier.pk}/").content.decode()
    assert "Phí, lệ phí" in text and "8.000 đồng" in text and "Chờ thanh toán" in text
    assert f'href="/thanh-toan/{order.reference}/"' in text
