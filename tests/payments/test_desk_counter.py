"""The dossier's payments page at the desk: paying at the counter, after-appraisal fees, the payment guard."""

import pytest

from django.contrib.messages import get_messages

from onestop_tayninh.dossiers.actions import dossier_transition
from onestop_tayninh.dossiers.constants import ReceiptDecision
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.services import dossier_check
from onestop_tayninh.payments.constants import OrderStatus, TransactionStatus
from onestop_tayninh.payments.models import PaymentOrder, Receipt
from onestop_tayninh.portal.services import draft_submit
from onestop_tayninh.workflows.models import Transition
from tests.factories import CitizenFactory
from tests.portal import conftest as portal
from tests.portal.conftest import filled_draft
from tests.workflows import conftest as workflows
from tests.workflows.conftest import local, user

world = workflows.world
online = portal.online

CLERK = "tiepnhan.tinh"  # receiving officer of the provincial centre, which collects online fees
STRANGER = "tiepnhan.tanbien"  # receiving officer of another agency


def submit_online(world, *, at=None):
    """A level-4 dossier sent online: it owes the procedure's 8.000 đồng at once."""
    at = at or local(2027, 3, 1, 8, 0)
    citizen = CitizenFactory(user__full_name="Trần Văn Bé").user
    return draft_submit(draft=filled_draft(world, citizen, at=at), citizen=citizen, at=at)


def accepted_online(world):
    dossier = submit_online(world)
    dossier_check(
        dossier=dossier, officer=user(CLERK), uploads=[], decision=ReceiptDecision.ACCEPT, at=local(2027, 3, 1, 9, 0)
    )
    return Dossier.objects.get(pk=dossier.pk)


def said(response) -> list[str]:
    """The messages this response added (earlier ones, not yet shown, travel in the same cookie)."""
    shown = [str(message) for message in get_messages(response.wsgi_request)]
    response.client.cookies.pop("messages", None)
    return shown


def pay_at_counter(client, order, *, method="cash", document_no=""):
    return client.post(f"/desk/thu-phi/{order.pk}/thu-tai-quay/", {"method": method, "document_no": document_no})


@pytest.mark.django_db
def test_the_counter_records_the_payment_once_and_numbers_the_receipt(online, client):
    dossier = submit_online(online)
    order = dossier.payment_orders.get()
    assert (order.amount, order.status, Dossier.objects.get(pk=dossier.pk).fees_due) == (8000, OrderStatus.OPEN, 8000)
    client.force_login(user(CLERK))

    page = client.get(f"/desk/thu-phi/ho-so/{dossier.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "8.000 đồng" in html and "Thu tại quầy" in html and "Tiền mặt" in html and "Chuyển khoản" in html

    response = pay_at_counter(client, order, method="card", document_no="POS-0001")
    assert response.status_code == 302 and response["Location"] == f"/desk/thu-phi/ho-so/{dossier.pk}/"
    receipt = Receipt.objects.get(order=order)
    assert receipt.number == 1 and receipt.amount == 8000
    assert said(response) == [f"Đã thu 8.000 đồng (mã thanh toán {order.reference}); biên lai số {receipt.reference}."]
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.paid_transaction.counter_method == "card"
    assert Dossier.objects.get(pk=dossier.pk).fees_due == 0

    # A second click (or a colleague at the next window) is refused in words, and nothing is recorded twice.
    again = pay_at_counter(client, order)
    assert again.status_code == 302
    assert said(again) == [f"Yêu cầu {order.reference} đã thanh toán; không thu thêm."]
    assert order.transactions.filter(status=TransactionStatus.SUCCEEDED).count() == 1
    assert Receipt.objects.count() == 1

    page = client.get(f"/desk/thu-phi/ho-so/{dossier.pk}/").content.decode()
    assert "Đã nộp đủ" in page and receipt.reference in page and "Thu tại quầy" not in page


@pytest.mark.django_db
def test_an_unknown_counter_method_is_refused_in_vietnamese(online, client):
    order = submit_online(online).payment_orders.get()
    client.force_login(user(CLERK))
    response = pay_at_counter(client, order, method="bitcoin")
    assert response.status_code == 302
    assert said(response) == ["Hãy chọn cách nộp: tiền mặt, thẻ hoặc chuyển khoản."]
    assert PaymentOrder.objects.get(pk=order.pk).status == OrderStatus.OPEN


@pytest.mark.django_db
def test_an_official_of_another_agency_gets_404_everywhere(online, client):
    dossier = submit_online(online)
    order = dossier.payment_orders.get()
    client.force_login(user(CLERK))
    said(pay_at_counter(client, order))
    receipt = Receipt.objects.get(order=order)
    client.force_login(user(STRANGER))
    assert client.get(f"/desk/thu-phi/ho-so/{dossier.pk}/").status_code == 404
    assert pay_at_counter(client, order).status_code == 404
    assert client.get(f"/desk/thu-phi/bien-lai/{receipt.pk}/").status_code == 404
    assert client.get(f"/desk/payments/paymentorder/{order.pk}/change/").status_code == 404
    assert client.get(f"/desk/payments/receipt/{receipt.pk}/change/").status_code == 404
    assert order.reference not in client.get("/desk/payments/paymentorder/").content.decode()


@pytest.mark.django_db
def test_a_receipt_not_yet_drawn_is_404_and_a_drawn_one_is_an_audited_pdf(online, client):
    from django.core.files.base import ContentFile

    from onestop_tayninh.security.models import AuditEvent
    from tests.support import tiny_pdf

    order = submit_online(online).payment_orders.get()
    client.force_login(user(CLERK))
    pay_at_counter(client, order)
    receipt = Receipt.objects.get(order=order)
    assert client.get(f"/desk/thu-phi/bien-lai/{receipt.pk}/").status_code == 404
    receipt.file.save("bien-lai.pdf", ContentFile(tiny_pdf("bien-lai")), save=True)
    response = client.get(f"/desk/thu-phi/bien-lai/{receipt.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action="download", data__receipt=receipt.reference).exists()


@pytest.mark.django_db
def test_a_handling_officers_after_appraisal_request_makes_an_order_and_the_dossier_owes_more(world, client):
    dossier = workflows.receive(world)
    dossier = dossier_transition(
        dossier=dossier, actor=user(CLERK), transition="chuyen-xu-ly", at=local(2027, 3, 1, 9, 0)
    )
    assert dossier.fees_due == 0
    client.force_login(user("chuyenvien.tuphap"))
    page = client.get(f"/desk/thu-phi/ho-so/{dossier.pk}/").content.decode()
    assert "Yêu cầu nộp phí, lệ phí sau thẩm định" in page and "Thu tại quầy" not in page

    refused = client.post(
        f"/desk/thu-phi/ho-so/{dossier.pk}/",
        {"action": "request", "name": "Phí thẩm định", "amount": "mười", "reason": "x"},
    )
    assert refused.status_code == 200 and "Số tiền là số đồng, chỉ gồm chữ số." in refused.content.decode()

    response = client.post(
        f"/desk/thu-phi/ho-so/{dossier.pk}/",
        {
            "action": "request",
            "name": "Phí thẩm định hồ sơ",
            "amount": "1.500.000",
            "reason": "Điều 4 Thông tư 106/2021",
        },
    )
    assert response.status_code == 302
    order = PaymentOrder.objects.get(dossier=dossier)
    assert (order.amount, order.requested_by.username, order.lines.get().name) == (
        1_500_000,
        "chuyenvien.tuphap",
        "Phí thẩm định hồ sơ",
    )
    assert Dossier.objects.get(pk=dossier.pk).fees_due == 1_500_000
    assert said(response)[0].startswith("Đã yêu cầu nộp 1.500.000 đồng")

    # The receiving officer has no such permission: the form is not offered, and a forged post is refused.
    client.force_login(user(CLERK))
    assert "sau thẩm định" not in client.get(f"/desk/thu-phi/ho-so/{dossier.pk}/").content.decode()
    forged = client.post(
        f"/desk/thu-phi/ho-so/{dossier.pk}/", {"action": "request", "name": "Phí", "amount": "1000", "reason": "x"}
    )
    assert said(forged) == ["Bạn không được yêu cầu nộp phí, lệ phí."]
    assert Dossier.objects.get(pk=dossier.pk).fees_due == 1_500_000


@pytest.mark.django_db
def test_a_step_that_requires_payment_waits_for_the_counter(online, client):
    dossier = accepted_online(online)
    hand_over = Transition.objects.get(version=dossier.workflow_version, code="chuyen-xu-ly")
    hand_over.requires_payment = True
    hand_over.save(update_fields=["requires_payment"])
    client.force_login(user(CLERK))

    refused = client.post(f"/desk/dossiers/dossier/{dossier.pk}/act/chuyen-xu-ly/", {"comment": ""})
    assert said(refused) == ["Hồ sơ còn 8.000 đồng phí, lệ phí chưa nộp; chưa thể “Chuyển cơ quan giải quyết”."]
    assert Dossier.objects.get(pk=dossier.pk).state.code == "tiep-nhan"
    page = client.get(f"/desk/dossiers/dossier/{dossier.pk}/change/").content.decode()
    assert "Còn phải nộp 8.000 đồng" in page and f"/desk/thu-phi/ho-so/{dossier.pk}/" in page

    pay_at_counter(client, dossier.payment_orders.get())
    passed = client.post(f"/desk/dossiers/dossier/{dossier.pk}/act/chuyen-xu-ly/", {"comment": ""})
    assert Dossier.objects.get(pk=dossier.pk).state.code == "cho-phan-cong", said(passed)
    assert "Đã nộp đủ" in client.get(f"/desk/dossiers/dossier/{dossier.pk}/change/").content.decode()


@pytest.mark.django_db
def test_a_walk_in_dossier_is_charged_the_fee_schedule_at_the_counter_once(online, client):
    dossier = workflows.receive(online, procedure="online")
    assert not dossier.payment_orders.exists()  # received at the counter: nothing asked online
    client.force_login(user(CLERK))
    page = client.get(f"/desk/thu-phi/ho-so/{dossier.pk}/").content.decode()
    assert "Thu phí, lệ phí theo biểu phí của thủ tục" in page

    first = client.post(f"/desk/thu-phi/ho-so/{dossier.pk}/", {"action": "schedule"})
    again = client.post(f"/desk/thu-phi/ho-so/{dossier.pk}/", {"action": "schedule"})  # a double click

    order = PaymentOrder.objects.get(dossier=dossier)
    assert first.status_code == again.status_code == 302
    assert order.amount == 8000 and order.status == OrderStatus.OPEN and order.agency == dossier.receiving_agency
    assert Dossier.objects.get(pk=dossier.pk).fees_due == 8000
    page = client.get(f"/desk/thu-phi/ho-so/{dossier.pk}/").content.decode()
    assert "Thu phí, lệ phí theo biểu phí của thủ tục" not in page and "Thu tại quầy" in page

    pay_at_counter(client, order, method="cash")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and Dossier.objects.get(pk=dossier.pk).fees_due == 0


@pytest.mark.django_db
def test_an_official_who_does_not_collect_cannot_open_a_counter_order(online, client):
    dossier = workflows.receive(online, procedure="online")
    client.force_login(user("chuyenvien.tuphap"))
    client.post(f"/desk/thu-phi/ho-so/{dossier.pk}/", {"action": "schedule"})
    assert not PaymentOrder.objects.filter(dossier=dossier).exists()
