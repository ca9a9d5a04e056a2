"""The electronic fee receipt (payments.receipts): its PDF carries the fields of Decree 123/2020, is drawn
once by the job the payment wrote, and goes into the payer's vault when the dossier has an account."""

import datetime as dt
import subprocess

import pytest

from django.contrib.auth.models import Permission

from onestop_tayninh.core.models import Task
from onestop_tayninh.core.services import tasks_run
from onestop_tayninh.payments import receipts, services
from onestop_tayninh.payments.base import ProviderResult
from onestop_tayninh.payments.constants import CounterMethod, NotificationOutcome, TransactionStatus
from onestop_tayninh.payments.models import PaymentTransaction, Receipt
from onestop_tayninh.portal.services import draft_submit
from onestop_tayninh.vault.constants import VaultSource
from onestop_tayninh.vault.models import VaultDocument
from tests.factories import CitizenFactory
from tests.portal import conftest as portal
from tests.portal.conftest import filled_draft
from tests.workflows import conftest as workflows
from tests.workflows.conftest import local, receive, user

pytestmark = pytest.mark.django_db

world = workflows.world
online = portal.online

CLERK = "tiepnhan.tinh"
# 17:30 UTC on 1 March is 00:30 on 2 March in Viet Nam: the receipt is dated in Vietnam time.
PAID_AT = dt.datetime(2027, 3, 1, 17, 30, tzinfo=dt.UTC)


def collector():
    """The receiving officer of the provincial centre, allowed to take money at the counter."""
    clerk = user(CLERK)
    clerk.user_permissions.add(
        Permission.objects.get(content_type__app_label="payments", codename="collect_at_counter")
    )
    return user(CLERK)  # fetched again: the permission cache of the first instance is stale


def submitted(world, *, name="Trần Văn Bé"):
    """A level-4 dossier submitted online: it owes its 8.000 đ charge at once (payments.subscribers)."""
    citizen = CitizenFactory(user__full_name=name).user
    at = local(2027, 3, 1, 8, 0)
    dossier = draft_submit(draft=filled_draft(world, citizen, at=at), citizen=citizen, at=at)
    return dossier, citizen


def pdf_text(receipt: Receipt) -> str:
    """The PDF's text in reading order, runs of white space made one space."""
    with receipt.file.open("rb") as handle:
        out = subprocess.run(["pdftotext", "-", "-"], input=handle.read(), capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def receipt_task(receipt: Receipt) -> Task:
    return Task.objects.get(dedupe_key=f"payments:receipt:{receipt.pk}")


def test_a_receipt_paid_at_the_counter_carries_every_legal_field(online):
    dossier, citizen = submitted(online)
    order = dossier.payment_orders.get()
    assert order.amount == 8000

    services.counter_payment_record(
        order=order, officer=collector(), method=CounterMethod.CASH, document_no="PT-000123", at=PAID_AT
    )
    receipt = Receipt.objects.get(order=order)
    assert not receipt.file
    assert tasks_run(task_ids=[receipt_task(receipt).pk])["done"] == 1

    receipt.refresh_from_db()
    assert receipt.file.name.endswith("bien-lai-TN-27E-0000001.pdf")
    assert len(receipt.sha256) == 64
    text = pdf_text(receipt)
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BIÊN LAI THU PHÍ, LỆ PHÍ",
        "(Bản thể hiện của biên lai điện tử)",
        "Ký hiệu mẫu: 01BLP0-001",
        "Ký hiệu: TN-27E",
        "Số: 0000001",
        "Ngày 02 tháng 3 năm 2027",
        f"Đơn vị thu: {order.agency.name}",
        "Mã số thuế:",
        "Người nộp tiền: Trần Văn Bé",
        f"mã thanh toán {order.reference}",
        f"(mã thủ tục {dossier.procedure_version.procedure.code})",
        "Hình thức thanh toán: Nộp tại quầy (tiền mặt); mã giao dịch PT-000123",
        "00 giờ 30 phút, ngày 02/03/2027",
        "Lệ phí",
        "Tổng số tiền: 8.000 đồng",
        "Số tiền viết bằng chữ: Tám nghìn đồng",
        "NGƯỜI THU TIỀN (Chưa ký số: cơ quan thu chưa có chứng thư số) Nguyễn Thị Lan",
    ]:
        assert expected in text, expected
    if order.payer_identifier:
        assert f"Số định danh cá nhân/Mã số thuế: {order.payer_identifier}" in text

    kept = VaultDocument.objects.get(owner=citizen, source=VaultSource.RECEIPT)
    assert kept.file.name == receipt.file.name
    assert kept.sha256 == receipt.sha256
    assert kept.source_dossier == dossier
    assert kept.get_source_display() == "Biên lai thu phí, lệ phí"
    assert kept.original_name == "bien-lai-TN-27E-0000001.pdf"
    assert kept.issue_date == dt.date(2027, 3, 2)


def test_running_the_job_twice_keeps_one_file_and_one_vault_row(online, tmp_path):
    dossier, citizen = submitted(online)
    order = dossier.payment_orders.get()
    services.counter_payment_record(
        order=order, officer=collector(), method=CounterMethod.CARD, document_no="POS-7781", at=PAID_AT
    )
    receipt = Receipt.objects.get(order=order)
    first = receipts.receipt_render(receipt_id=receipt.pk)
    again = receipts.receipt_render(receipt_id=receipt.pk)

    assert again.file.name == first.file.name
    assert again.sha256 == first.sha256
    stored = list((tmp_path / "files").rglob("*.pdf"))
    assert [path.name for path in stored if path.name.startswith("bien-lai")] == ["bien-lai-TN-27E-0000001.pdf"]
    assert VaultDocument.objects.filter(owner=citizen, source=VaultSource.RECEIPT).count() == 1
    # The task the payment wrote finds the work done and changes nothing.
    assert tasks_run(task_ids=[receipt_task(receipt).pk])["done"] == 1
    assert Receipt.objects.get(pk=receipt.pk).file.name == first.file.name
    assert VaultDocument.objects.filter(owner=citizen, source=VaultSource.RECEIPT).count() == 1


def test_a_receipt_paid_online_names_the_gateway_and_its_transaction_number(online):
    dossier, citizen = submitted(online, name="Nguyễn Thị Ánh")
    order = dossier.payment_orders.get()
    txn = PaymentTransaction.objects.create(
        order=order,
        provider="vnpay",
        txn_ref=f"{order.reference}01",
        amount=order.amount,
        created_at=PAID_AT - dt.timedelta(minutes=3),
        expires_at=PAID_AT + dt.timedelta(minutes=12),
    )
    result = ProviderResult(
        txn_ref=txn.txn_ref,
        amount=8000,
        succeeded=True,
        final=True,
        transaction_no="14226112",
        bank_code="NCB",
        paid_at=PAID_AT,
        code="00",
    )
    assert services.result_apply(provider_code="vnpay", result=result, at=PAID_AT) == NotificationOutcome.RECORDED
    txn.refresh_from_db()
    assert txn.status == TransactionStatus.SUCCEEDED

    receipt = receipts.receipt_render(receipt_id=Receipt.objects.get(order=order).pk)
    text = pdf_text(receipt)
    assert "Người nộp tiền: Nguyễn Thị Ánh" in text
    assert "Hình thức thanh toán: VNPay (thẻ ATM, thẻ quốc tế, mã QR); mã giao dịch 14226112" in text
    assert "Số: 0000001" in text
    assert "Tám nghìn đồng" in text
    assert VaultDocument.objects.filter(owner=citizen, source=VaultSource.RECEIPT).count() == 1


def test_a_walk_in_receipt_lists_each_line_and_its_exemption_and_stays_out_of_any_vault(world, settings):
    settings.ONESTOP_RECEIPT_TAX_CODE = "3900123456"
    dossier = receive(world)
    order = services.order_open(
        dossier=dossier,
        agency=dossier.receiving_agency,
        lines=[
            services.LineSpec(name="Phí thẩm định hồ sơ", kind="fee", unit_amount=50000, quantity=2),
            services.LineSpec(
                name="Lệ phí cấp bản sao", kind="charge", unit_amount=3000, exemption="Người có công với cách mạng"
            ),
        ],
        reason="Phí thẩm định sau khi tiếp nhận",
        requested_by=None,
        at=PAID_AT,
    )
    assert order.amount == 100000
    services.counter_payment_record(
        order=order, officer=collector(), method=CounterMethod.TRANSFER, document_no="UNC-55", at=PAID_AT
    )
    receipt = receipts.receipt_render(receipt_id=Receipt.objects.get(order=order).pk)
    text = pdf_text(receipt)
    assert "Mã số thuế: 3900123456" in text
    assert f"mã hồ sơ {dossier.code}" in text
    assert "1 Phí thẩm định hồ sơ Phí 2 50.000 100.000" in text
    assert "2 Lệ phí cấp bản sao Lệ phí 1 3.000 0" in text
    assert "Miễn: Người có công với cách mạng" in text
    assert "Tổng số tiền: 100.000 đồng" in text
    assert "Số tiền viết bằng chữ: Một trăm nghìn đồng" in text
    assert "Hình thức thanh toán: Nộp tại quầy (chuyển khoản); mã giao dịch UNC-55" in text
    assert not dossier.applicant_account_id
    assert not VaultDocument.objects.filter(source=VaultSource.RECEIPT).exists()


def test_a_body_with_a_certificate_signs_its_receipts_and_one_without_says_so(online, signing_keys):
    from onestop_tayninh.signing.verification import verify_pdf

    unsigned_dossier, _citizen = submitted(online, name="Lê Văn Chưa Ký")
    order = unsigned_dossier.payment_orders.get()
    services.counter_payment_record(
        order=order, officer=collector(), method=CounterMethod.CASH, document_no="", at=PAID_AT
    )
    first = Receipt.objects.get(order=order)
    tasks_run(task_ids=[receipt_task(first).pk])
    first.refresh_from_db()
    assert first.signer == "" and "Chưa ký số" in pdf_text(first)
    with first.file.open("rb") as handle:
        assert verify_pdf(handle.read()).verdict == "unsigned"

    # The collecting body is given its certificate: its next receipt is signed and checks out.
    signing_keys.issue(order.agency.code, order.agency.name)
    dossier, _citizen = submitted(online, name="Phạm Thị Có Ký")
    order = dossier.payment_orders.get()
    services.counter_payment_record(
        order=order, officer=collector(), method=CounterMethod.CASH, document_no="", at=PAID_AT
    )
    receipt = Receipt.objects.get(order=order)
    tasks_run(task_ids=[receipt_task(receipt).pk])
    receipt.refresh_from_db()
    assert receipt.signer and "(Ký điện tử)" in pdf_text(receipt)
    with receipt.file.open("rb") as handle:
        verification = verify_pdf(handle.read())
    assert verification.genuine, verification.message
