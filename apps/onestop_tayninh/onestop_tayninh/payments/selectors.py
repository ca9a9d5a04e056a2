"""Reads of the payments app that join or aggregate: a dossier's payments, the ledger's rows and totals."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop_tayninh.core.text import money

from .constants import CounterMethod, OrderStatus
from .models import PaymentOrder, PaymentTransaction, Refund
from .registry import providers

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User
    from onestop_tayninh.dossiers.models import Dossier


def amount_text(amount: int | None) -> str:
    """Whole đồng as the desk writes them: "1.000.000 đ"."""
    return "—" if amount is None else f"{money(amount)} đ"


def provider_label(code: str) -> str:
    try:
        return str(providers.get(code).label)
    except KeyError:  # a provider removed from the code since: its code is all we have
        return code


def counter_method_label(method: str) -> str:
    """ "tiền mặt", "thẻ ngân hàng (máy POS)": lower-cased as the middle of a phrase, acronyms kept."""
    label = str(CounterMethod(method).label)
    return label[:1].lower() + label[1:]


def method_label(txn: PaymentTransaction | None) -> str:
    """How an order was paid: the provider's name, and at the counter how ("Nộp tại quầy (tiền mặt)")."""
    if txn is None:
        return ""
    label = provider_label(txn.provider)
    if txn.counter_method:
        label = f"{label} ({counter_method_label(txn.counter_method)})"
    return label


def dossier_orders(dossier: Dossier) -> list[PaymentOrder]:
    """Every order of a dossier with its lines, transactions, receipt and refunds (five queries)."""
    return list(
        dossier.payment_orders.select_related("agency", "receipt", "paid_transaction", "requested_by")
        .prefetch_related(
            "lines",
            Prefetch(
                "transactions",
                queryset=PaymentTransaction.objects.select_related("recorded_by").order_by("created_at", "pk"),
            ),
            Prefetch("refunds", queryset=Refund.objects.select_related("requested_by", "decided_by")),
        )
        .order_by("created_at", "pk")
    )


def ledger_queryset(user: User) -> QuerySet[PaymentOrder]:
    """The ledger as `user` may read it: the collecting body's orders, with what each row shows."""
    return PaymentOrder.objects.visible_to(user).select_related(
        "dossier", "agency", "paid_transaction", "receipt", "requested_by"
    )


@dataclass(frozen=True)
class LedgerTotals:
    count: int
    asked: int
    paid: int
    refunded: int
    open: int

    # The amounts as the page writes them ("0 đ", where the portal's filter would say "Miễn phí").
    @property
    def asked_text(self) -> str:
        return amount_text(self.asked)

    @property
    def paid_text(self) -> str:
        return amount_text(self.paid)

    @property
    def refunded_text(self) -> str:
        return amount_text(self.refunded)

    @property
    def open_text(self) -> str:
        return amount_text(self.open)


def ledger_totals(orders: QuerySet[PaymentOrder]) -> LedgerTotals:
    """What a (filtered) ledger adds up to: asked in all, collected and still held, refunded, still owed."""
    rows = {
        row["status"]: row for row in orders.order_by().values("status").annotate(n=Count("pk"), total=Sum("amount"))
    }

    def total(status: str) -> int:
        return int(rows.get(status, {}).get("total") or 0)

    return LedgerTotals(
        count=sum(row["n"] for row in rows.values()),
        asked=sum(int(row["total"] or 0) for row in rows.values()),
        paid=total(OrderStatus.PAID),
        refunded=total(OrderStatus.REFUNDED),
        open=total(OrderStatus.OPEN),
    )


LEDGER_COLUMNS = [
    "Mã thanh toán",
    "Yêu cầu lúc",
    "Mã hồ sơ",
    "Người nộp tiền",
    "Số định danh",
    "Nội dung",
    "Số tiền (đồng)",
    "Trạng thái",
    "Thanh toán lúc",
    "Hình thức thanh toán",
    "Mã giao dịch",
    "Biên lai số",
    "Cơ quan thu",
]


def _naive(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def ledger_xlsx(orders: QuerySet[PaymentOrder], *, title: str) -> bytes:
    """The filtered ledger as a workbook: numbers are numbers, times Excel date-times (Vietnam time),
    and the totals under the rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sổ thu phí, lệ phí"
    sheet.append(["SỔ THU PHÍ, LỆ PHÍ"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([title])
    sheet.append(LEDGER_COLUMNS)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    statuses = dict(OrderStatus.choices)
    for order in orders.iterator(chunk_size=500):
        txn = order.paid_transaction
        receipt = getattr(order, "receipt", None)
        sheet.append(
            [
                order.reference,
                _naive(order.created_at),
                order.dossier.code,
                order.payer_name,
                order.payer_identifier,
                order.reason,
                order.amount,
                str(statuses.get(order.status, order.status)),
                _naive(order.paid_at),
                method_label(txn),
                (txn.provider_transaction_no or txn.txn_ref) if txn else "",
                receipt.reference if receipt else "",
                order.agency.name,
            ]
        )
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # a payer's name beginning with "=" stays text
                cell.data_type = "s"
            elif cell.is_date:
                cell.number_format = "hh:mm dd/mm/yyyy"
        sheet.cell(row=sheet.max_row, column=7).number_format = "#,##0"
    totals = ledger_totals(orders)
    sheet.append([])
    for label, value in [
        (_("Tổng số yêu cầu"), totals.count),
        (_("Tổng số tiền yêu cầu (đồng)"), totals.asked),
        (_("Đã thu (đồng)"), totals.paid),
        (_("Đã hoàn trả (đồng)"), totals.refunded),
        (_("Chưa thu (đồng)"), totals.open),
    ]:
        sheet.append([label, None, None, None, None, None, value])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        sheet.cell(row=sheet.max_row, column=7).number_format = "#,##0"
        sheet.cell(row=sheet.max_row, column=7).font = Font(bold=True)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    for index, width in enumerate([16, 16, 20, 26, 16, 36, 14, 16, 16, 26, 20, 26, 30], start=1):
        sheet.column_dimensions[sheet.cell(row=header_row, column=index).column_letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
