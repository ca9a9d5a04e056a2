"""The ledger (sổ thu phí, lệ phí) and its Excel export, refunds decided by the head, reconciliation differences."""

import datetime as dt
import io

import pytest

from django.utils import timezone

from onestop_tayninh.directory.models import Agency
from onestop_tayninh.payments import jobs
from onestop_tayninh.payments.constants import MismatchKind, OrderStatus, RefundStatus
from onestop_tayninh.payments.models import Mismatch, PaymentOrder, ReceiptBook, Reconciliation, Refund
from onestop_tayninh.security.models import AuditEvent
from tests.factories import OfficialFactory
from tests.payments.test_desk_counter import CLERK, STRANGER, online, pay_at_counter, said, submit_online, world
from tests.workflows.conftest import local, user

__all__ = ["online", "world"]  # the fixtures, used by name

CENTRE = "000.01.01.H53"


@pytest.fixture
def centre_head(world):
    """The provincial centre's head: the centre collects online fees, so its head decides their refunds."""
    return OfficialFactory(agency=Agency.objects.get(code=CENTRE), roles=["agency_head"]).user


def paid_orders(world, client, count=2):
    client.force_login(user(CLERK))
    orders = []
    for day in range(count):
        order = submit_online(world, at=local(2027, 3, 1 + day, 8, 0)).payment_orders.get()
        said(pay_at_counter(client, order))
        orders.append(PaymentOrder.objects.get(pk=order.pk))
    return orders


@pytest.mark.django_db
def test_the_ledger_lists_the_collecting_bodys_orders_with_how_they_were_paid(
    online, client, django_assert_max_num_queries
):
    paid, _second = paid_orders(online, client)
    unpaid = submit_online(online, at=local(2027, 3, 5, 8, 0)).payment_orders.get()
    with django_assert_max_num_queries(20):
        page = client.get("/desk/payments/paymentorder/")
    assert page.status_code == 200
    html = page.content.decode()
    assert paid.reference in html and unpaid.reference in html
    assert (
        "8.000 đ" in html
        and "Nộp tại quầy (tiền mặt)" in html
        and f"{paid.receipt.series} · {paid.receipt.number:07d}" in html
    )
    assert "Xuất Excel" in html and "đã thu <strong>16.000 đ</strong>" in html
    only_open = client.get("/desk/payments/paymentorder/", {"status__exact": OrderStatus.OPEN}).content.decode()
    assert unpaid.reference in only_open and paid.reference not in only_open
    by_search = client.get("/desk/payments/paymentorder/", {"q": paid.reference}).content.decode()
    assert paid.reference in by_search and unpaid.reference not in by_search
    # Read-only: the order's page shows its lines and transaction, and nothing may be added or changed.
    order_page = client.get(f"/desk/payments/paymentorder/{paid.pk}/change/").content.decode()
    assert "Phí, lệ phí khi nộp hồ sơ trực tuyến" in order_page and 'name="_save"' not in order_page
    assert client.get("/desk/payments/paymentorder/add/").status_code == 403

    client.force_login(user(STRANGER))
    assert paid.reference not in client.get("/desk/payments/paymentorder/").content.decode()


@pytest.mark.django_db
def test_the_excel_export_has_the_filtered_rows_and_the_totals(online, client):
    from openpyxl import load_workbook

    first, second = paid_orders(online, client)
    unpaid = submit_online(online, at=local(2027, 3, 5, 8, 0)).payment_orders.get()
    response = client.get("/desk/payments/paymentorder/xuat-excel/")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [row for row in sheet.iter_rows(values_only=True)]
    references = {row[0] for row in rows}
    assert {first.reference, second.reference, unpaid.reference} <= references
    totals = {row[0]: row[6] for row in rows if row[0] and str(row[0]).startswith(("Tổng", "Đã", "Chưa"))}
    assert totals == {
        "Tổng số yêu cầu": 3,
        "Tổng số tiền yêu cầu (đồng)": 24000,
        "Đã thu (đồng)": 16000,
        "Đã hoàn trả (đồng)": 0,
        "Chưa thu (đồng)": 8000,
    }
    assert AuditEvent.objects.filter(action="download", data__rows=3).exists()

    # The filters on the page are the export's.
    response = client.get("/desk/payments/paymentorder/xuat-excel/", {"status__exact": OrderStatus.OPEN})
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert unpaid.reference in {row[0] for row in rows} and first.reference not in {row[0] for row in rows}
    assert ("Chưa thu (đồng)", 8000) in {(row[0], row[6]) for row in rows}


@pytest.mark.django_db
def test_a_refund_is_asked_approved_by_the_head_and_sent_back_at_the_counter(online, client, centre_head):
    order, _other = paid_orders(online, client)
    page = client.get(f"/desk/payments/paymentorder/{order.pk}/change/").content.decode()
    assert "Đề nghị hoàn trả" in page
    asked = client.post(f"/desk/payments/paymentorder/{order.pk}/hoan-tra/", {"reason": "Nộp nhầm hai lần"})
    assert said(asked) == ["Đã đề nghị hoàn trả 8.000 đồng; chờ lãnh đạo duyệt."]
    refund = Refund.objects.get(order=order)
    assert (refund.status, refund.requested_by.username) == (RefundStatus.REQUESTED, CLERK)
    # Only a head decides: the officer sees no buttons, and a forged post is refused in words.
    assert "Duyệt hoàn trả" not in client.get(f"/desk/payments/refund/{refund.pk}/change/").content.decode()
    forged = client.post(f"/desk/payments/refund/{refund.pk}/quyet-dinh/", {"decision": "approve"})
    assert said(forged) == ["Chỉ lãnh đạo được duyệt hoàn trả phí, lệ phí."]

    client.force_login(centre_head)
    listed = client.get("/desk/payments/refund/", {"status__exact": RefundStatus.REQUESTED}).content.decode()
    assert order.reference in listed
    page = client.get(f"/desk/payments/refund/{refund.pk}/change/").content.decode()
    assert "Duyệt hoàn trả" in page and "Không duyệt" in page
    approved = client.post(f"/desk/payments/refund/{refund.pk}/quyet-dinh/", {"decision": "approve"})
    assert said(approved)[0].startswith("Đã duyệt hoàn trả 8.000 đồng")
    refund.refresh_from_db()
    assert (refund.status, refund.decided_by) == (RefundStatus.APPROVED, centre_head)

    jobs.refund_send(refund_id=refund.pk)  # the worker: the counter hands the cash back
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.DONE


@pytest.mark.django_db
def test_a_difference_is_resolved_in_writing_and_audited(online, client, centre_head):
    (order,) = paid_orders(online, client, count=1)
    run = Reconciliation.objects.create(provider="vnpay", day=dt.date(2027, 3, 1), ran_at=timezone.now())
    mismatch = Mismatch.objects.create(
        reconciliation=run,
        agency=order.agency,
        kind=MismatchKind.AMOUNT,
        txn_ref=f"{order.reference}01",
        ours_amount=8000,
        theirs_amount=80000,
    )
    settled = Mismatch.objects.create(
        reconciliation=run,
        kind=MismatchKind.MISSING_HERE,
        txn_ref="TT9",
        theirs_amount=1000,
        resolved_at=timezone.now(),
    )
    client.force_login(centre_head)
    listing = client.get("/desk/payments/mismatch/").content.decode()
    assert listing.index(mismatch.txn_ref) < listing.index(settled.txn_ref)  # unresolved first

    empty = client.post(f"/desk/payments/mismatch/{mismatch.pk}/xu-ly/", {"resolution": " "})
    assert said(empty) == ["Hãy điền mục này."]
    done = client.post(
        f"/desk/payments/mismatch/{mismatch.pk}/xu-ly/", {"resolution": "Cổng ghi nhầm; đã đối chiếu sao kê."}
    )
    assert said(done) == ["Đã ghi cách xử lý chênh lệch."]
    mismatch.refresh_from_db()
    assert mismatch.resolved_by == centre_head and mismatch.resolution == "Cổng ghi nhầm; đã đối chiếu sao kê."
    event = AuditEvent.objects.get(action="payments.mismatch_resolved")
    assert event.actor == centre_head and event.data["txn_ref"] == mismatch.txn_ref
    # Settled once: the form is gone and a second post says so.
    assert "Ghi cách xử lý" not in client.get(f"/desk/payments/mismatch/{mismatch.pk}/change/").content.decode()
    again = client.post(f"/desk/payments/mismatch/{mismatch.pk}/xu-ly/", {"resolution": "Lần hai"})
    assert said(again) == ["Chênh lệch này đã được xử lý."]

    # The head of another agency does not see it.
    client.force_login(user("lanhdao.tuphap"))
    assert client.get(f"/desk/payments/mismatch/{mismatch.pk}/change/").status_code == 404


@pytest.mark.django_db
def test_a_receipt_books_symbols_are_corrected_only_before_its_first_number(online, client):
    book = ReceiptBook.objects.create(
        agency=Agency.objects.get(code=CENTRE), year=2030, form_symbol="01BLP0-001", series="TN-30E"
    )
    client.force_login(user("quantri"))
    page = client.get(f"/desk/payments/receiptbook/{book.pk}/change/")
    assert page.status_code == 200 and 'name="series"' in page.content.decode()
    client.post(f"/desk/payments/receiptbook/{book.pk}/change/", {"form_symbol": "01BLP0-002", "series": "TN-30P"})
    book.refresh_from_db()
    assert (book.form_symbol, book.series, book.last_number) == ("01BLP0-002", "TN-30P", 0)
    assert AuditEvent.objects.filter(action="payments.receipt_book_changed").exists()

    ReceiptBook.objects.filter(pk=book.pk).update(last_number=3)
    page = client.get(f"/desk/payments/receiptbook/{book.pk}/change/").content.decode()
    assert 'name="series"' not in page and "Đã cấp 3 số" in page
    client.post(f"/desk/payments/receiptbook/{book.pk}/change/", {"form_symbol": "X", "series": "Y"})
    book.refresh_from_db()
    assert (book.form_symbol, book.series, book.last_number) == ("01BLP0-002", "TN-30P", 3)
    # The administrator reads no citizen's money.
    assert client.get("/desk/payments/paymentorder/").status_code == 403
