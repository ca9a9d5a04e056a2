"""Every write of the payments app: orders, payments, receipts, settlement, refunds, reconciliation.

Locks are always taken in one order, order row then transaction row then dossier row (through
dossiers.fees), so an IPN, the settling job and an officer at the counter queue up on the order
and none of them records money twice. Money is whole đồng everywhere.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop_tayninh.catalog.constants import FeeUnit
from onestop_tayninh.catalog.models import ProcedureVersion
from onestop_tayninh.core.services import task_enqueue
from onestop_tayninh.core.text import money
from onestop_tayninh.dossiers.fees import (
    dossier_payment_cancelled,
    dossier_payment_received,
    dossier_payment_refunded,
    dossier_payment_requested,
)
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.security.audit import audit_event

from .base import ProviderError, ProviderResult, SignatureError
from .constants import (
    FINAL_TRANSACTION_STATUSES,
    PAYMENT_TTL,
    SETTLE_DELAYS,
    CounterMethod,
    MismatchKind,
    NotificationOutcome,
    OrderStatus,
    RefundStatus,
    TransactionStatus,
)
from .models import (
    Mismatch,
    OrderLine,
    PaymentOrder,
    PaymentTransaction,
    ProviderNotification,
    Receipt,
    ReceiptBook,
    Reconciliation,
    Refund,
)
from .registry import providers
from .selectors import method_label

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User
    from onestop_tayninh.directory.models import Agency

logger = logging.getLogger(__name__)

COUNTER = "counter"
RECEIPT_JOB = "onestop_tayninh.payments.jobs.receipt_render"
REFUND_JOB = "onestop_tayninh.payments.jobs.refund_send"
#: Officials who may ask for a paid order's money back: whoever collects or asks for fees, and the head.
REFUND_REQUESTERS = ("collect_at_counter", "request_payment", "approve_refund")


# --- what is owed ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineSpec:
    """One line as asked for: a catalogue fee (with its quantity and any exemption) or an amount set by hand."""

    name: str
    kind: str
    unit_amount: int
    quantity: int = 1
    exemption: str = ""
    fee_id: int | None = None

    @property
    def amount(self) -> int:
        return 0 if self.exemption else self.unit_amount * self.quantity


def owed_lines(
    version: ProcedureVersion,
    *,
    quantities: Mapping[int, int] | None = None,
    exemptions: Mapping[int, str] | None = None,
) -> list[LineSpec]:
    """The lines a dossier of `version` pays at submission: every fee known in advance.

    `quantities` (fee id → copies, pages…) applies to per-copy and per-unit fees; `exemptions`
    (fee id → group) to fees the procedure exempts that group from. A fee set after appraisal is
    left out: the competent body asks for it later (`order_request`).
    """
    quantities, exemptions = quantities or {}, exemptions or {}
    lines = []
    for fee in version.fees.all():
        if fee.set_after_appraisal or fee.amount <= 0:
            continue
        quantity = 1 if fee.unit == FeeUnit.DOSSIER else max(int(quantities.get(fee.pk, 1)), 1)
        exemption = exemptions.get(fee.pk, "")
        if exemption and exemption not in fee.exempt_groups:
            raise ValidationError(
                _("“%(group)s” không thuộc đối tượng được miễn %(fee)s.") % {"group": exemption, "fee": fee.name}
            )
        lines.append(
            LineSpec(
                name=fee.name,
                kind=fee.kind,
                unit_amount=fee.amount,
                quantity=quantity,
                exemption=exemption,
                fee_id=fee.pk,
            )
        )
    return lines


def _reference(order: PaymentOrder) -> str:
    return f"TT{order.created_at:%y}{order.pk:08d}"


@transaction.atomic
def order_open(
    *,
    dossier: Dossier,
    agency: Agency,
    lines: Iterable[LineSpec],
    reason: str,
    requested_by: User | None,
    at: dt.datetime,
) -> PaymentOrder:
    """An order for `lines` on the dossier; the dossier then owes its amount (and says so in its history)."""
    lines = list(lines)
    amount = sum(line.amount for line in lines)
    if amount <= 0:
        raise ValidationError(_("Không có khoản phí, lệ phí nào phải nộp."))
    order = PaymentOrder(
        dossier=dossier,
        agency=agency,
        # Unique placeholder until the row has its id, which the reference is made of.
        reference=f"tmp{secrets.token_hex(8)}",
        amount=amount,
        reason=reason[:500],
        payer_name=(dossier.organisation_name or dossier.full_name)[:255],
        payer_identifier=(dossier.tax_code or dossier.cccd or "")[:20],
        requested_by=requested_by,
        created_at=at,
    )
    order.full_clean()
    order.save()
    order.reference = _reference(order)
    order.save(update_fields=["reference"])
    for line in lines:
        row = OrderLine(
            order=order,
            fee_id=line.fee_id,
            name=line.name[:255],
            kind=line.kind,
            unit_amount=line.unit_amount,
            quantity=line.quantity,
            exemption=line.exemption[:255],
            amount=line.amount,
        )
        row.full_clean(exclude=["order", "fee"])
        row.save()
    dossier_payment_requested(
        dossier=dossier, order=order.reference, amount=amount, reason=reason, actor=requested_by, at=at
    )
    return order


def order_for_submission(*, dossier: Dossier, at: dt.datetime) -> PaymentOrder | None:
    """The order a dossier submitted online owes at once, if its procedure is paid online and charges anything."""
    version = dossier.procedure_version
    if not version.online_payment or dossier.payment_orders.exists():
        return None
    lines = owed_lines(version)
    if sum(line.amount for line in lines) <= 0:
        return None
    return order_open(
        dossier=dossier,
        agency=dossier.receiving_agency,
        lines=lines,
        reason=_("Phí, lệ phí khi nộp hồ sơ trực tuyến"),
        requested_by=None,
        at=at,
    )


def schedule_amount(dossier: Dossier) -> int:
    """What the procedure's fee schedule asks of a dossier at the counter (quantities of one)."""
    return sum(line.amount for line in owed_lines(dossier.procedure_version))


@transaction.atomic
def order_for_counter(*, dossier: Dossier, officer: User, at: dt.datetime) -> PaymentOrder:
    """At the desk: the procedure's fees known in advance, as an order the officer then takes the money
    for (a walk-in or postal dossier owes what the catalogue says; an online one has its order already)."""
    if not officer.has_perm("payments.collect_at_counter"):
        raise PermissionDenied(_("Bạn không được thu phí, lệ phí tại quầy."))
    if not Dossier.objects.visible_to(officer).filter(pk=dossier.pk).exists():
        raise PermissionDenied(_("Bạn không được xem hồ sơ này."))
    locked = Dossier.objects.select_for_update().select_related("procedure_version").get(pk=dossier.pk)
    if locked.closed_at:
        raise ValidationError(_("Hồ sơ đã kết thúc; không lập yêu cầu thu mới."))
    existing = locked.payment_orders.filter(status__in=[OrderStatus.OPEN, OrderStatus.PAID], requested_by=None).first()
    if existing is not None:
        # A second click, or the order online submission opened: the same order.
        return existing
    lines = owed_lines(locked.procedure_version)
    if sum(line.amount for line in lines) <= 0:
        raise ValidationError(_("Thủ tục này không thu phí, lệ phí nào biết trước; không có gì để thu."))
    return order_open(
        dossier=locked,
        agency=locked.receiving_agency,
        lines=lines,
        reason=_("Phí, lệ phí theo biểu phí của thủ tục, thu tại bộ phận một cửa"),
        requested_by=None,
        at=at,
    )


@transaction.atomic
def order_request(
    *, dossier: Dossier, official: User, name: str, amount: int, reason: str, at: dt.datetime
) -> PaymentOrder:
    """The competent body asks for an amount known only after appraisal (a fee set after appraisal)."""
    if not official.has_perm("payments.request_payment"):
        raise PermissionDenied(_("Bạn không được yêu cầu nộp phí, lệ phí."))
    if not Dossier.objects.visible_to(official).filter(pk=dossier.pk).exists():
        raise PermissionDenied(_("Bạn không được xem hồ sơ này."))
    if dossier.closed_at:
        raise ValidationError(_("Hồ sơ đã kết thúc; không thể yêu cầu nộp thêm."))
    if amount <= 0:
        raise ValidationError(_("Số tiền phải lớn hơn 0 đồng."))
    if not reason.strip() or not name.strip():
        raise ValidationError(_("Hãy ghi tên khoản thu và căn cứ xác định số tiền."))
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    # A second click of the same request (same amount and name, still unpaid) gives the same order.
    same = locked.payment_orders.filter(status=OrderStatus.OPEN, amount=amount, lines__name=name.strip()).first()
    if same is not None:
        return same
    # The desk that received the dossier collects (and receipts) on the competent body's behalf, as it
    # does at submission: the applicant pays where they deal with the administration.
    return order_open(
        dossier=locked,
        agency=locked.receiving_agency,
        lines=[LineSpec(name=name.strip(), kind="fee", unit_amount=amount)],
        reason=reason.strip(),
        requested_by=official,
        at=at,
    )


@transaction.atomic
def order_cancel(*, order: PaymentOrder, reason: str, actor: User | None, at: dt.datetime) -> PaymentOrder:
    """An unpaid order is no longer owed; a transaction still open at the provider is left to settle."""
    order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.OPEN:
        return order
    order.status = OrderStatus.CANCELLED
    order.closed_at = at
    order.save(update_fields=["status", "closed_at"])
    dossier_payment_cancelled(
        dossier=order.dossier, order=order.reference, amount=order.amount, reason=reason, actor=actor, at=at
    )
    return order


#: The most copies (pages, units) one line may ask for: a larger number is a typing mistake.
MAX_QUANTITY = 500


def adjustable_lines(order: PaymentOrder) -> list[OrderLine]:
    """The lines the payer may change before paying: per-copy or per-unit fees, and fees that exempt a group."""
    return [
        line
        for line in order.lines.select_related("fee")
        if line.fee is not None and (line.fee.unit != FeeUnit.DOSSIER or line.fee.exempt_groups)
    ]


@transaction.atomic
def order_adjust(
    *,
    order: PaymentOrder,
    payer: User,
    quantities: Mapping[int, int],
    exemptions: Mapping[int, str],
    at: dt.datetime,
) -> PaymentOrder | None:
    """The payer says how many copies (pages, units) they asked for and which exempt group they belong to,
    before paying. The order is replaced by one for the new amount (its own reference: a provider may
    have seen the old one), or cancelled when nothing is owed; the exemption claimed is written in the
    dossier's history for the desk to check against the proof. `quantities` and `exemptions` are keyed
    by line id. Returns the new order, or None when nothing is owed.
    """
    order = PaymentOrder.objects.select_for_update().select_related("dossier").get(pk=order.pk)
    if order.dossier.applicant_account_id != payer.pk:
        raise PermissionDenied(_("Bạn chỉ điều chỉnh được khoản phải nộp của hồ sơ mình."))
    if order.status != OrderStatus.OPEN:
        raise ValidationError(_("Yêu cầu thanh toán %(ref)s không còn điều chỉnh được.") % {"ref": order.reference})
    if order.transactions.filter(status=TransactionStatus.PENDING, expires_at__gt=at).exists():
        raise ValidationError(
            _("Bạn đã bắt đầu thanh toán khoản này; hãy hoàn tất hoặc chờ giao dịch hết hạn rồi điều chỉnh.")
        )
    adjustable = {line.pk: line for line in adjustable_lines(order)}
    unknown = (set(quantities) | set(exemptions)) - set(adjustable)
    if unknown:
        raise ValidationError(_("Khoản thu này không điều chỉnh được."))
    specs, claims = [], []
    for line in order.lines.select_related("fee"):
        quantity, exemption = line.quantity, line.exemption
        if line.pk in adjustable:
            fee = line.fee
            assert fee is not None
            if fee.unit != FeeUnit.DOSSIER and line.pk in quantities:
                quantity = quantities[line.pk]
                if not 1 <= quantity <= MAX_QUANTITY:
                    raise ValidationError(
                        _("Số lượng của “%(fee)s” phải từ 1 đến %(max)s.") % {"fee": line.name, "max": MAX_QUANTITY}
                    )
            if line.pk in exemptions:
                exemption = exemptions[line.pk].strip()
                if exemption and exemption not in fee.exempt_groups:
                    raise ValidationError(
                        _("“%(group)s” không thuộc đối tượng được miễn %(fee)s.")
                        % {"group": exemption, "fee": line.name}
                    )
        if exemption:
            claims.append(f"{line.name}: {exemption}")
        specs.append(
            LineSpec(
                name=line.name,
                kind=line.kind,
                unit_amount=line.unit_amount,
                quantity=quantity,
                exemption=exemption,
                fee_id=line.fee_id,
            )
        )
    unchanged = [(s.quantity, s.exemption) for s in specs] == [
        (line.quantity, line.exemption) for line in order.lines.all()
    ]
    if unchanged:
        return order
    claimed = (
        _("Người nộp khai thuộc đối tượng được miễn (%(claims)s); bộ phận một cửa kiểm tra giấy tờ chứng minh.")
        % {"claims": "; ".join(claims)}
        if claims
        else ""
    )
    reason = _("Người nộp điều chỉnh số lượng, đối tượng miễn trước khi thanh toán.")
    order_cancel(order=order, reason=f"{reason} {claimed}".strip(), actor=payer, at=at)
    if sum(spec.amount for spec in specs) <= 0:
        return None
    return order_open(
        dossier=order.dossier,
        agency=order.agency,
        lines=specs,
        reason=f"{order.reason}. {claimed}".strip() if claimed else order.reason,
        requested_by=None,
        at=at,
    )


# --- paying online -----------------------------------------------------------------------------


@transaction.atomic
def payment_start(
    *, order: PaymentOrder, provider_code: str, payer: User, client_ip: str, return_url: str, at: dt.datetime
) -> tuple[PaymentTransaction, str]:
    """A transaction with the provider and the address of its payment page.

    A transaction started moments ago and still open is given again (a double click, the back
    button): one order, one transaction, one payment.
    """
    order = PaymentOrder.objects.select_for_update().select_related("dossier").get(pk=order.pk)
    if order.dossier.applicant_account_id != payer.pk:
        raise PermissionDenied(_("Bạn chỉ thanh toán được hồ sơ của mình."))
    if order.status == OrderStatus.PAID:
        raise ValidationError(_("Yêu cầu thanh toán %(ref)s đã được thanh toán.") % {"ref": order.reference})
    if order.status != OrderStatus.OPEN:
        raise ValidationError(_("Yêu cầu thanh toán %(ref)s không còn hiệu lực.") % {"ref": order.reference})
    try:
        provider_class = providers.get_enabled(provider_code)
    except KeyError:
        raise ValidationError(_("Hình thức thanh toán này hiện không dùng được.")) from None
    if not provider_class.online:
        raise ValidationError(_("Hình thức thanh toán này không thanh toán trực tuyến được."))
    if order.amount < provider_class.min_amount:
        raise ValidationError(
            _("%(provider)s chỉ nhận khoản từ %(min)s đồng; xin nộp khoản này tại bộ phận một cửa.")
            % {"provider": provider_class.label, "min": money(provider_class.min_amount)}
        )
    provider = provider_class()
    open_one = (
        order.transactions.filter(provider=provider_code, status=TransactionStatus.PENDING, expires_at__gt=at)
        .order_by("-created_at")
        .first()
    )
    if open_one is None or open_one.expires_at - at < dt.timedelta(minutes=2):
        open_one = PaymentTransaction(
            order=order,
            provider=provider_code,
            txn_ref=f"{order.reference}{order.transactions.count() + 1:02d}",
            amount=order.amount,
            created_at=at,
            expires_at=at + PAYMENT_TTL,
            next_query_at=at + SETTLE_DELAYS[0],
            client_ip=client_ip or None,
        )
        open_one.full_clean()
        open_one.save()
    try:
        url = provider.start(transaction=open_one, return_url=return_url, client_ip=client_ip)
    except ProviderError as exc:
        raise ValidationError(
            _("Cổng thanh toán chưa sẵn sàng, xin thử lại sau. (%(reason)s)") % {"reason": exc}
        ) from exc
    return open_one, url


def notification_handle(
    *, provider_code: str, params: Mapping[str, str], client_ip: str | None, at: dt.datetime
) -> NotificationOutcome:
    """A provider's server-to-server notification: verified, applied exactly once, kept, answered.

    The outcome says what the provider is told (VNPay: 00, 02, 01, 04, 97, 99). The notification
    itself is kept whatever it says; anything but a recorded payment also goes to the audit trail.
    """
    provider = providers.get(provider_code)()
    txn_ref = str(params.get("vnp_TxnRef", "") or params.get("txn_ref", ""))[:100]
    try:
        result = provider.parse_notification(params)
    except SignatureError:
        outcome = NotificationOutcome.SIGNATURE
    except ProviderError:
        outcome = NotificationOutcome.ERROR
    else:
        txn_ref = result.txn_ref
        try:
            outcome = result_apply(provider_code=provider_code, result=result, at=at)
        except Exception:
            logger.exception("payment notification failed", extra={"txn_ref": txn_ref})
            outcome = NotificationOutcome.ERROR
    ProviderNotification.objects.create(
        provider=provider_code,
        received_at=at,
        params=dict(params),
        txn_ref=txn_ref,
        outcome=outcome,
        client_ip=client_ip,
    )
    if outcome not in (NotificationOutcome.RECORDED, NotificationOutcome.ALREADY):
        audit_event(
            action="payments.notification_refused",
            target=f"{provider_code} {txn_ref}",
            data={"outcome": outcome.value, "params": dict(params)},
        )
    return outcome


@transaction.atomic
def result_apply(
    *, provider_code: str, result: ProviderResult, at: dt.datetime, actor: User | None = None
) -> NotificationOutcome:
    """What the provider says about a transaction, applied once: the one path by which money is recorded online."""
    found = (
        PaymentTransaction.objects.filter(provider=provider_code, txn_ref=result.txn_ref)
        .values_list("pk", "order_id")
        .first()
    )
    if found is None:
        return NotificationOutcome.NOT_FOUND
    txn_id, order_id = found
    order = PaymentOrder.objects.select_for_update().select_related("dossier").get(pk=order_id)
    txn = PaymentTransaction.objects.select_for_update().get(pk=txn_id)
    if result.amount != txn.amount:
        return NotificationOutcome.AMOUNT
    if txn.status in FINAL_TRANSACTION_STATUSES:
        return NotificationOutcome.ALREADY
    if not result.final:
        return NotificationOutcome.ALREADY
    txn.response_code = result.code[:8]
    txn.bank_code = result.bank_code[:20]
    txn.finished_at = at
    txn.next_query_at = None
    if not result.succeeded:
        txn.status = TransactionStatus.FAILED
        txn.save(update_fields=["status", "response_code", "bank_code", "finished_at", "next_query_at"])
        return NotificationOutcome.RECORDED
    txn.status = TransactionStatus.SUCCEEDED
    txn.provider_transaction_no = result.transaction_no or None
    txn.paid_at = result.paid_at or at
    txn.save()
    if order.status == OrderStatus.OPEN:
        _order_paid(order=order, txn=txn, at=at, actor=actor)
    else:
        # Money came for an order already paid (a second tab) or no longer owed (the dossier was
        # refused): it is recorded, and its return is asked of the head at once.
        txn.note = _("Nhận tiền khi yêu cầu đã %(state)s; đề nghị hoàn trả.") % {
            "state": order.get_status_display().lower()
        }
        txn.save(update_fields=["note"])
        _refund_open(order=order, txn=txn, reason=txn.note, actor=None, at=at)
        audit_event(
            actor=actor,
            action="payments.unexpected_payment",
            target=order,
            data={"txn_ref": txn.txn_ref, "order_status": order.status, "amount": txn.amount},
        )
    return NotificationOutcome.RECORDED


def _order_paid(*, order: PaymentOrder, txn: PaymentTransaction, at: dt.datetime, actor: User | None) -> None:
    order.status = OrderStatus.PAID
    order.paid_at = txn.paid_at or at
    order.paid_transaction = txn
    order.save(update_fields=["status", "paid_at", "paid_transaction"])
    receipt = receipt_issue(order=order, txn=txn, at=at)
    label = method_label(txn)
    dossier_payment_received(
        dossier=order.dossier,
        order=order.reference,
        amount=order.amount,
        method=txn.provider,
        method_label=label,
        transaction_no=txn.provider_transaction_no or txn.txn_ref,
        receipt=receipt.reference,
        actor=actor,
        at=at,
    )
    task_enqueue(func=RECEIPT_JOB, kwargs={"receipt_id": receipt.pk}, dedupe_key=f"payments:receipt:{receipt.pk}")


def receipt_issue(*, order: PaymentOrder, txn: PaymentTransaction, at: dt.datetime) -> Receipt:
    """The next number of the collecting body's receipt book for the year, inside the caller's transaction
    (a rolled-back payment gives its number back: no gaps, no duplicates)."""
    year = timezone.localtime(at).year
    book = ReceiptBook._meta.db_table
    with connection.cursor() as cursor:
        # One statement creates the book at number 1 or takes the next number, and keeps the row
        # locked until the payment commits: payments of one body queue up here, none is given a
        # number twice, and one rolled back gives its number back. (A read first, then a write,
        # would let two first payments of a year deadlock on the new row.)
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(book)} (agency_id, year, form_symbol, series, last_number) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, 1) ON DUPLICATE KEY UPDATE last_number = last_number + 1",
            [
                order.agency_id,
                year,
                settings.ONESTOP_RECEIPT_FORM_SYMBOL,
                settings.ONESTOP_RECEIPT_SERIES.format(yy=f"{year % 100:02d}", yyyy=year),
            ],
        )
        cursor.execute(
            f"SELECT form_symbol, series, last_number FROM {connection.ops.quote_name(book)} "  # noqa: S608
            "WHERE agency_id = %s AND year = %s",
            [order.agency_id, year],
        )
        form_symbol, series, number = cursor.fetchone()
    method = method_label(txn)
    receipt = Receipt(
        order=order,
        agency=order.agency,
        form_symbol=form_symbol,
        series=series,
        number=number,
        issued_at=at,
        payer_name=order.payer_name,
        payer_identifier=order.payer_identifier,
        amount=order.amount,
        method_label=method[:100],
        transaction_no=(txn.provider_transaction_no or txn.txn_ref)[:64],
    )
    receipt.save()
    return receipt


@transaction.atomic
def receipt_book_update(*, book: ReceiptBook, form_symbol: str, series: str, actor: User) -> ReceiptBook:
    """The system administrator corrects a book's form symbol or series, only before its first number:
    a receipt already issued keeps what it was issued under. Only those two columns are written (the
    number is the counter's)."""
    book = ReceiptBook.objects.select_for_update().get(pk=book.pk)
    if book.last_number:
        raise ValidationError(_("Quyển biên lai đã cấp số; không sửa được ký hiệu mẫu, ký hiệu."))
    old = {"form_symbol": book.form_symbol, "series": book.series}
    book.form_symbol, book.series = form_symbol.strip(), series.strip()
    book.full_clean(exclude=["agency"])
    book.save(update_fields=["form_symbol", "series"])
    audit_event(
        actor=actor,
        action="payments.receipt_book_changed",
        target=book,
        data={"old": old, "new": {"form_symbol": book.form_symbol, "series": book.series}},
    )
    return book


# --- paying at the counter ---------------------------------------------------------------------


@transaction.atomic
def counter_payment_record(
    *, order: PaymentOrder, officer: User, method: str, document_no: str, at: dt.datetime
) -> PaymentTransaction:
    """The officer took the money at the desk: recorded once, receipted, never edited afterwards."""
    if not officer.has_perm("payments.collect_at_counter"):
        raise PermissionDenied(_("Bạn không được thu phí, lệ phí tại quầy."))
    if not PaymentOrder.objects.visible_to(officer).filter(pk=order.pk).exists():
        raise PermissionDenied(_("Yêu cầu thanh toán này không thuộc cơ quan của bạn."))
    if method not in CounterMethod.values:
        raise ValidationError(_("Hãy chọn cách nộp: tiền mặt, thẻ hoặc chuyển khoản."))
    order = PaymentOrder.objects.select_for_update().select_related("dossier").get(pk=order.pk)
    if order.status != OrderStatus.OPEN:
        raise ValidationError(
            _("Yêu cầu %(ref)s %(state)s; không thu thêm.")
            % {"ref": order.reference, "state": order.get_status_display().lower()}
        )
    txn = PaymentTransaction(
        order=order,
        provider=COUNTER,
        txn_ref=f"{order.reference}{order.transactions.count() + 1:02d}",
        amount=order.amount,
        status=TransactionStatus.SUCCEEDED,
        provider_transaction_no=document_no.strip()[:64] or None,
        counter_method=method,
        created_at=at,
        paid_at=at,
        finished_at=at,
        recorded_by=officer,
    )
    txn.full_clean()
    try:
        with transaction.atomic():
            txn.save()
    except IntegrityError:
        raise ValidationError(_("Số chứng từ “%(no)s” đã được ghi cho một khoản khác.") % {"no": document_no}) from None
    _order_paid(order=order, txn=txn, at=at, actor=officer)
    audit_event(
        actor=officer,
        action="payments.counter_payment",
        target=order,
        data={"amount": order.amount, "method": method, "document_no": document_no},
    )
    return txn


# --- settling what the notification did not tell -----------------------------------------------


def transaction_settle(*, transaction_id: int, at: dt.datetime) -> str:
    """Ask the provider about a transaction still pending; record the answer, or ask again later, or expire it."""
    txn = PaymentTransaction.objects.get(pk=transaction_id)
    if txn.status != TransactionStatus.PENDING:
        return txn.status
    provider = providers.get(txn.provider)()
    try:
        result = provider.query(txn)
    except ProviderError as exc:
        logger.warning("payment query failed: %s", exc, extra={"txn_ref": txn.txn_ref})
        result = None
    if result is not None and result.final:
        outcome = result_apply(provider_code=txn.provider, result=result, at=at)
        if outcome == NotificationOutcome.AMOUNT:
            audit_event(
                action="payments.query_amount_mismatch",
                target=txn,
                data={"ours": txn.amount, "theirs": result.amount},
            )
        return PaymentTransaction.objects.values_list("status", flat=True).get(pk=transaction_id)
    with transaction.atomic():
        txn = PaymentTransaction.objects.select_for_update().get(pk=transaction_id)
        if txn.status != TransactionStatus.PENDING:
            return txn.status
        txn.queries += 1
        if txn.queries >= len(SETTLE_DELAYS) and result is not None:
            # The provider still knows no payment a day later: nobody paid.
            txn.status = TransactionStatus.EXPIRED
            txn.finished_at = at
            txn.next_query_at = None
        else:
            txn.next_query_at = at + SETTLE_DELAYS[min(txn.queries, len(SETTLE_DELAYS) - 1)]
        txn.save(update_fields=["queries", "status", "finished_at", "next_query_at"])
        return txn.status


def pending_settle(*, at: dt.datetime, limit: int = 500) -> int:
    """The cron's sweep: every pending transaction whose time has come is asked about once."""
    ids = list(
        PaymentTransaction.objects.due_for_query(at=at).order_by("next_query_at").values_list("pk", flat=True)[:limit]
    )
    for transaction_id in ids:
        transaction_settle(transaction_id=transaction_id, at=at)
    return len(ids)


# --- refunds -----------------------------------------------------------------------------------


def _refund_open(
    *, order: PaymentOrder, txn: PaymentTransaction, reason: str, actor: User | None, at: dt.datetime
) -> Refund:
    existing = order.refunds.filter(transaction=txn).exclude(status=RefundStatus.REJECTED).first()
    if existing is not None:
        return existing
    refund = Refund(
        order=order,
        transaction=txn,
        amount=txn.amount,
        reason=reason[:500],
        requested_by=actor,
        requested_at=at,
    )
    refund.full_clean()
    refund.save()
    audit_event(
        actor=actor, action="payments.refund_requested", target=order, data={"amount": refund.amount, "reason": reason}
    )
    return refund


@transaction.atomic
def refund_request(*, order: PaymentOrder, reason: str, actor: User | None, at: dt.datetime) -> Refund:
    """Ask for the money of a paid order back (a refusal, a withdrawal, a mistake); the head decides.

    `actor` None is the system itself (a refusal, a withdrawal); an official must be one who handles
    the agency's fees and sees the order.
    """
    if actor is not None:
        if not any(actor.has_perm(f"payments.{perm}") for perm in REFUND_REQUESTERS):
            raise PermissionDenied(_("Bạn không được đề nghị hoàn trả phí, lệ phí."))
        if not PaymentOrder.objects.visible_to(actor).filter(pk=order.pk).exists():
            raise PermissionDenied(_("Yêu cầu thanh toán này không thuộc cơ quan của bạn."))
    order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.PAID or order.paid_transaction is None:
        raise ValidationError(_("Chỉ hoàn trả được khoản đã thanh toán."))
    if not reason.strip():
        raise ValidationError(_("Hãy ghi lý do hoàn trả."))
    return _refund_open(order=order, txn=order.paid_transaction, reason=reason.strip(), actor=actor, at=at)


@transaction.atomic
def refund_decide(*, refund: Refund, head: User, approve: bool, at: dt.datetime) -> Refund:
    """The head approves (the refund is sent through the provider by a worker) or turns it down."""
    if not head.has_perm("payments.approve_refund"):
        raise PermissionDenied(_("Chỉ lãnh đạo được duyệt hoàn trả phí, lệ phí."))
    if not Refund.objects.visible_to(head).filter(pk=refund.pk).exists():
        raise PermissionDenied(_("Khoản hoàn trả này không thuộc cơ quan của bạn."))
    refund = Refund.objects.select_for_update().get(pk=refund.pk)
    if refund.status != RefundStatus.REQUESTED:
        raise ValidationError(_("Đề nghị hoàn trả này đã được xử lý."))
    refund.status = RefundStatus.APPROVED if approve else RefundStatus.REJECTED
    refund.decided_by, refund.decided_at = head, at
    refund.save(update_fields=["status", "decided_by", "decided_at"])
    audit_event(
        actor=head, action="payments.refund_approved" if approve else "payments.refund_rejected", target=refund.order
    )
    if approve:
        task_enqueue(func=REFUND_JOB, kwargs={"refund_id": refund.pk}, dedupe_key=f"payments:refund:{refund.pk}")
    return refund


def refund_send(*, refund_id: int, at: dt.datetime) -> str:
    """Send an approved refund through its provider and record the answer (a worker; safe to run twice)."""
    refund = Refund.objects.select_related("transaction", "order").get(pk=refund_id)
    if refund.status != RefundStatus.APPROVED:
        return refund.status
    provider = providers.get(refund.transaction.provider)()
    try:
        result = provider.refund(refund)
    except ProviderError as exc:
        # Unreachable or unreadable: the job is retried; nothing is recorded as returned.
        raise RuntimeError(f"Không gửi được đề nghị hoàn trả: {exc}") from exc
    with transaction.atomic():
        order = PaymentOrder.objects.select_for_update().get(pk=refund.order_id)
        refund = Refund.objects.select_for_update().get(pk=refund_id)
        if refund.status != RefundStatus.APPROVED:
            return refund.status
        refund.finished_at = at
        if not result.succeeded:
            refund.status = RefundStatus.FAILED
            refund.error = (result.message or result.code)[:500]
            refund.save(update_fields=["status", "finished_at", "error"])
            audit_event(
                action="payments.refund_failed", target=order, data={"code": result.code, "message": result.message}
            )
            return refund.status
        refund.status = RefundStatus.DONE
        refund.provider_transaction_no = result.transaction_no[:64]
        refund.save(update_fields=["status", "finished_at", "provider_transaction_no"])
        if order.paid_transaction_id == refund.transaction_id:
            order.status = OrderStatus.REFUNDED
            order.closed_at = at
            order.save(update_fields=["status", "closed_at"])
        dossier_payment_refunded(
            dossier=order.dossier,
            order=order.reference,
            amount=refund.amount,
            transaction_no=refund.provider_transaction_no,
            reason=refund.reason,
            actor=None,
            at=at,
        )
        audit_event(action="payments.refunded", target=order, data={"amount": refund.amount})
        return refund.status


# --- reconciliation ----------------------------------------------------------------------------


def reconcile(*, provider_code: str, day: dt.date, at: dt.datetime) -> Reconciliation:
    """Compare the provider's list of `day`'s transactions with ours; every difference becomes a mismatch row.

    Run again for the same day, it replaces the unresolved mismatches and keeps the resolved ones.
    """
    provider = providers.get(provider_code)()
    theirs = {line.txn_ref: line for line in provider.transactions(day) if not line.is_refund}
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = start + dt.timedelta(days=1)
    ours_rows = list(
        PaymentTransaction.objects.filter(provider=provider_code, created_at__gte=start, created_at__lt=end)
        .exclude(status=TransactionStatus.FAILED)
        .values_list("txn_ref", "amount", "status", "order__agency_id")
    )
    # A transaction started late on the day before and paid today is in their list of today.
    missing_refs = set(theirs) - {row[0] for row in ours_rows}
    if missing_refs:
        ours_rows += list(
            PaymentTransaction.objects.filter(provider=provider_code, txn_ref__in=missing_refs).values_list(
                "txn_ref", "amount", "status", "order__agency_id"
            )
        )
    ours = {ref: (amount, status, agency_id) for ref, amount, status, agency_id in ours_rows}
    found: list[Mismatch] = []
    matched = 0
    for ref, line in theirs.items():
        mine = ours.get(ref)
        if mine is None:
            if line.succeeded:
                found.append(Mismatch(kind=MismatchKind.MISSING_HERE, txn_ref=ref, theirs_amount=line.amount))
            continue
        amount, status, agency_id = mine
        if amount != line.amount:
            found.append(
                Mismatch(
                    kind=MismatchKind.AMOUNT,
                    txn_ref=ref,
                    agency_id=agency_id,
                    ours_amount=amount,
                    theirs_amount=line.amount,
                )
            )
        elif line.succeeded != (status == TransactionStatus.SUCCEEDED):
            found.append(
                Mismatch(
                    kind=MismatchKind.STATUS,
                    txn_ref=ref,
                    agency_id=agency_id,
                    ours_amount=amount,
                    theirs_amount=line.amount,
                    detail=_("Cổng: %(theirs)s; hệ thống: %(ours)s")
                    % {
                        "theirs": _("thành công") if line.succeeded else _("không thành công"),
                        "ours": TransactionStatus(status).label,
                    },
                )
            )
        else:
            matched += 1
    for ref, (amount, status, agency_id) in ours.items():
        if ref not in theirs and status == TransactionStatus.SUCCEEDED:
            found.append(
                Mismatch(kind=MismatchKind.MISSING_THERE, txn_ref=ref, agency_id=agency_id, ours_amount=amount)
            )
    with transaction.atomic():
        run, _created = Reconciliation.objects.select_for_update().get_or_create(
            provider=provider_code, day=day, defaults={"ran_at": at}
        )
        run.ran_at, run.theirs, run.ours, run.matched = at, len(theirs), len(ours), matched
        run.save()
        run.mismatches.filter(resolved_at__isnull=True).delete()
        kept = set(run.mismatches.values_list("txn_ref", "kind"))
        for mismatch in found:
            if (mismatch.txn_ref, mismatch.kind) not in kept:
                mismatch.reconciliation = run
        Mismatch.objects.bulk_create([m for m in found if m.reconciliation_id])
    return run


@transaction.atomic
def mismatch_resolve(*, mismatch: Mismatch, official: User, resolution: str, at: dt.datetime) -> Mismatch:
    """An official says how a difference was settled; audited, and never undone."""
    if not official.has_perm("payments.resolve_mismatch"):
        raise PermissionDenied(_("Bạn không được xử lý chênh lệch đối soát."))
    if not Mismatch.objects.visible_to(official).filter(pk=mismatch.pk).exists():
        raise PermissionDenied(_("Chênh lệch này không thuộc cơ quan của bạn."))
    if not resolution.strip():
        raise ValidationError(_("Hãy ghi cách đã xử lý chênh lệch."))
    mismatch = Mismatch.objects.select_for_update().get(pk=mismatch.pk)
    if mismatch.resolved_at:
        raise ValidationError(_("Chênh lệch này đã được xử lý."))
    mismatch.resolved_at, mismatch.resolved_by, mismatch.resolution = at, official, resolution.strip()[:500]
    mismatch.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    audit_event(
        actor=official,
        action="payments.mismatch_resolved",
        target=mismatch,
        data={"txn_ref": mismatch.txn_ref, "kind": mismatch.kind, "resolution": mismatch.resolution},
    )
    return mismatch


def describe_amount(amount: int) -> str:
    return f"{money(amount)} đồng"
