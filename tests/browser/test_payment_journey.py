"""In Chromium at phone width, a citizen pays a dossier's fees through the VNPay stand-in: the dossier's
page → "Thanh toán" → the pay page → VNPay's page (a bank chosen, paid, the IPN sent 2 seconds after the
browser is sent back) → the return page waiting for the IPN, then reloading itself into "Đã thanh toán"
→ the receipt once the worker has drawn it. The desk's side: nothing more is owed. The journey starts
from a dossier already submitted online (the submission itself is test_citizen_portal's journey); the
receipt is the real one the worker draws."""

import pytest

from django.utils import timezone

from onestop_tayninh.core.jobs import run_tasks
from onestop_tayninh.core.models import Task
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.payments.constants import OrderStatus, TransactionStatus
from onestop_tayninh.payments.models import PaymentOrder
from onestop_tayninh.payments.services import RECEIPT_JOB
from tests.dossiers.test_online_first import submit_online
from tests.payments.support import point_at, start_gateway
from tests.portal import conftest as portal
from tests.workflows import conftest as workflows

from .conftest import DESKTOP, PHONE, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

world = workflows.world
online = portal.online


@pytest.fixture
def vnpay(live_server, settings, tmp_path):
    """The stand-in gateway, sending its IPN to the live server as VNPay would to the deployment."""
    process, address = start_gateway(tmp_path / "vnpay", ipn_url=f"{live_server.url}/thanh-toan/ipn/vnpay/")
    point_at(settings, address)
    try:
        yield address
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_citizen_pays_online_and_gets_the_receipt(
    live_server, browser, official_login, screenshot, vnpay, online, message_templates
):
    dossier = submit_online(online, at=timezone.now())
    order = PaymentOrder.objects.get(dossier=dossier)
    citizen = dossier.applicant_account
    assert order.amount == 8000 and dossier.fees_due == 8000

    # The pay page on a wide screen, for the record.
    wide = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    session_cookie(wide, live_server, citizen)
    desktop = wide.new_page()
    desktop.goto(f"{live_server.url}/thanh-toan/{order.reference}/")
    assert "8.000 đồng" in desktop.inner_text("main")
    screenshot(desktop, "payment-pay-1366")
    wide.close()

    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    session_cookie(context, live_server, citizen)
    page = context.new_page()
    page.goto(f"{live_server.url}/ho-so-cua-toi/{dossier.pk}/")
    panel = page.locator("section", has=page.get_by_role("heading", name="Phí, lệ phí"))
    assert "8.000 đồng" in panel.inner_text() and "Chờ thanh toán" in panel.inner_text()
    screenshot(page, "payment-dossier-open-390")

    panel.get_by_role("link", name="Thanh toán").click()
    page.wait_for_url(f"**/thanh-toan/{order.reference}/")
    assert "Lệ phí" in page.inner_text("table") and "8.000 đồng" in page.inner_text("table")
    screenshot(page, "payment-pay-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_role("button", name="Thanh toán qua VNPay").click()
    page.wait_for_url(f"{vnpay}/paymentv2/vpcpay.html?**")
    assert "8.000" in page.inner_text("body")
    page.get_by_label("Ngân hàng thanh toán").select_option("VIETCOMBANK")
    page.get_by_label("Thông báo kết quả (IPN) cho đơn vị").select_option("sau")  # the IPN 2 s after the redirect
    screenshot(page, "payment-vnpay-390")
    page.get_by_role("button", name="Thanh toán", exact=True).click()

    page.wait_for_url("**/thanh-toan/ket-qua/vnpay/?**")
    if page.get_by_text("Đang chờ xác nhận từ cổng thanh toán").count():
        screenshot(page, "payment-return-waiting-390")
    # The page reloads itself until the IPN has been recorded.
    page.get_by_role("heading", name="Đã thanh toán").wait_for(timeout=20_000)
    assert "Biên lai đang được lập" in page.inner_text("main")
    screenshot(page, "payment-return-paid-390")

    # The worker draws the receipt; the page then offers it.
    run_tasks(list(Task.objects.filter(func=RECEIPT_JOB).values_list("pk", flat=True)))
    page.reload()
    link = page.get_by_role("link", name="Tải biên lai (PDF)")
    assert link.count() == 1
    screenshot(page, "payment-return-receipt-390")
    download = page.request.get(live_server.url + link.get_attribute("href"))
    assert download.status == 200 and download.body().startswith(b"%PDF")
    assert "bien-lai-" in download.headers["content-disposition"]

    page.goto(f"{live_server.url}/ho-so-cua-toi/{dossier.pk}/")
    panel = page.locator("section", has=page.get_by_role("heading", name="Phí, lệ phí"))
    assert "Đã thanh toán" in panel.inner_text() and panel.get_by_role("link", name="Tải biên lai").count() == 1
    screenshot(page, "payment-dossier-paid-390")
    context.close()

    # The desk's side: the receiving officer sees on the dossier that nothing more is owed, and the
    # payment with its receipt on the dossier's payments page.
    desk_context, desk = official_login("tiepnhan.tinh")
    desk.goto(f"{live_server.url}/desk/dossiers/dossier/{dossier.pk}/change/")
    assert "Đã nộp đủ" in desk.inner_text("body")
    desk.get_by_role("link", name="Chi tiết, thu tại quầy").click()
    desk.wait_for_url(f"**/desk/thu-phi/ho-so/{dossier.pk}/")
    body = desk.inner_text("body")
    assert order.reference in body and "Đã thanh toán" in body and "VNPay" in body
    screenshot(desk, "payment-desk-dossier-paid-1366")
    desk_context.close()

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.paid_transaction.status == TransactionStatus.SUCCEEDED
    assert order.paid_transaction.bank_code == "VIETCOMBANK"
    assert Dossier.objects.get(pk=dossier.pk).fees_due == 0
