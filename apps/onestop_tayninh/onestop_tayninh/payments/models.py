"""Fees and charges owed, paid, receipted, refunded and reconciled (docs/domain.md §10).

An **order** (`PaymentOrder`) is one request for money on one dossier, with its **lines**; it is
paid by one **transaction**, the payment attempts with a provider being its transactions (one per
"Thanh toán" on the provider's page; the counter's one at once). The provider's notification is the
only truth: a transaction succeeds when the IPN (or a query, or the officer at the counter) says so,
and the order is then paid and its **receipt** numbered in the collecting body's **receipt book**.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.catalog.constants import FeeKind
from onestop_tayninh.catalog.models import Fee
from onestop_tayninh.directory.models import Agency
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.security.uploads import GeneratedFileField

from .constants import CounterMethod, MismatchKind, NotificationOutcome, OrderStatus, RefundStatus, TransactionStatus
from .query import MismatchQuerySet, PaymentOrderQuerySet, PaymentTransactionQuerySet, RefundQuerySet


class PaymentOrder(models.Model):
    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("hồ sơ"),
        on_delete=models.PROTECT,
        related_name="payment_orders",
        help_text=_("Hồ sơ phải nộp khoản tiền này."),
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan thu"),
        on_delete=models.PROTECT,
        related_name="payment_orders",
        help_text=_("Cơ quan thu phí, lệ phí và lập biên lai."),
    )
    reference = models.CharField(
        _("mã thanh toán"),
        max_length=20,
        unique=True,
        editable=False,
        help_text=_("Mã của yêu cầu thanh toán, ghi trên biên lai và trong giao dịch."),
    )
    amount = models.BigIntegerField(
        _("số tiền (đồng)"), validators=[MinValueValidator(1)], help_text=_("Tổng số tiền phải nộp.")
    )
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.OPEN, db_index=True
    )
    reason = models.CharField(
        _("nội dung"), max_length=500, help_text=_("Vì sao phải nộp: khi nộp hồ sơ, hoặc sau thẩm định.")
    )
    payer_name = models.CharField(_("người nộp tiền"), max_length=255, help_text=_("Tên in trên biên lai."))
    payer_identifier = models.CharField(
        _("số định danh người nộp"), max_length=20, blank=True, help_text=_("Số CCCD hoặc mã số thuế.")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người yêu cầu"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Cán bộ gửi yêu cầu nộp sau thẩm định; trống khi hệ thống tính lúc nộp hồ sơ."),
    )
    created_at = models.DateTimeField(_("yêu cầu lúc"), help_text=_("Lúc yêu cầu thanh toán được lập."))
    paid_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True, help_text=_("Lúc tiền được ghi nhận."))
    closed_at = models.DateTimeField(
        _("hủy, hoàn trả lúc"), null=True, blank=True, help_text=_("Lúc yêu cầu bị hủy hoặc tiền được hoàn trả.")
    )
    paid_transaction = models.OneToOneField(
        "PaymentTransaction",
        verbose_name=_("giao dịch đã thanh toán"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Giao dịch đã trả yêu cầu này; chỉ một."),
    )

    objects = PaymentOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("yêu cầu thanh toán")
        verbose_name_plural = _("sổ thu phí, lệ phí")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["agency", "created_at"], name="payment_order_agency_idx"),
            models.Index(fields=["status", "created_at"], name="payment_order_status_idx"),
        ]
        permissions = [
            ("collect_at_counter", _("Được thu phí, lệ phí tại quầy")),
            ("request_payment", _("Được yêu cầu nộp phí, lệ phí sau thẩm định")),
            ("approve_refund", _("Được duyệt hoàn trả phí, lệ phí")),
            ("resolve_mismatch", _("Được xử lý chênh lệch đối soát")),
        ]

    def __str__(self) -> str:
        return self.reference


class OrderLine(models.Model):
    order = models.ForeignKey(
        PaymentOrder, verbose_name=_("yêu cầu thanh toán"), on_delete=models.CASCADE, related_name="lines"
    )
    fee = models.ForeignKey(
        Fee,
        verbose_name=_("khoản thu trong danh mục"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Khoản phí, lệ phí của thủ tục; trống với khoản cơ quan xác định sau thẩm định."),
    )
    name = models.CharField(_("tên khoản thu"), max_length=255, help_text=_("Tên in trên biên lai."))
    kind = models.CharField(_("loại"), max_length=16, choices=FeeKind.choices, default=FeeKind.CHARGE)
    unit_amount = models.BigIntegerField(_("mức thu (đồng)"), validators=[MinValueValidator(0)])
    quantity = models.PositiveIntegerField(_("số lượng"), default=1, validators=[MinValueValidator(1)])
    exemption = models.CharField(
        _("miễn theo đối tượng"), max_length=255, blank=True, help_text=_("Nhóm được miễn mà người nộp thuộc về.")
    )
    amount = models.BigIntegerField(_("thành tiền (đồng)"), validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("khoản thu")
        verbose_name_plural = _("các khoản thu")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class PaymentTransaction(models.Model):
    order = models.ForeignKey(
        PaymentOrder, verbose_name=_("yêu cầu thanh toán"), on_delete=models.PROTECT, related_name="transactions"
    )
    provider = models.CharField(
        _("hình thức thanh toán"), max_length=32, help_text=_("Mã cổng thanh toán: vnpay, paygov, counter.")
    )
    txn_ref = models.CharField(
        _("mã giao dịch của hệ thống"),
        max_length=40,
        unique=True,
        help_text=_("Mã gửi cổng thanh toán (vnp_TxnRef); mỗi lần thanh toán một mã."),
    )
    amount = models.BigIntegerField(_("số tiền (đồng)"), validators=[MinValueValidator(1)])
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=TransactionStatus.choices, default=TransactionStatus.PENDING
    )
    provider_transaction_no = models.CharField(
        _("mã giao dịch của cổng"),
        max_length=64,
        null=True,
        blank=True,
        help_text=_("Mã giao dịch do cổng thanh toán cấp (vnp_TransactionNo), hoặc số chứng từ tại quầy."),
    )
    counter_method = models.CharField(
        _("cách nộp tại quầy"),
        max_length=16,
        choices=CounterMethod.choices,
        blank=True,
        help_text=_("Chỉ khi nộp tại quầy."),
    )
    bank_code = models.CharField(_("ngân hàng"), max_length=20, blank=True)
    response_code = models.CharField(_("mã phản hồi"), max_length=8, blank=True)
    created_at = models.DateTimeField(_("bắt đầu lúc"))
    expires_at = models.DateTimeField(_("hết hạn lúc"), null=True, blank=True)
    paid_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    #: The reconciliation asks the provider about a pending transaction at this time.
    next_query_at = models.DateTimeField(_("hỏi lại cổng lúc"), null=True, blank=True)
    queries = models.PositiveSmallIntegerField(_("số lần hỏi cổng"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ thu"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Cán bộ ghi nhận tiền nộp tại quầy."),
    )
    client_ip = models.GenericIPAddressField(_("địa chỉ IP người nộp"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    objects = PaymentTransactionQuerySet.as_manager()

    class Meta:
        verbose_name = _("giao dịch thanh toán")
        verbose_name_plural = _("giao dịch thanh toán")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A provider's transaction is recorded once (a NULL is not a duplicate).
            models.UniqueConstraint(
                fields=["provider", "provider_transaction_no"], name="payment_provider_transaction_once"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_query_at"], name="payment_txn_pending_idx"),
            models.Index(fields=["provider", "paid_at"], name="payment_txn_paid_idx"),
        ]

    def __str__(self) -> str:
        return self.txn_ref


class ReceiptBook(models.Model):
    """The collecting body's book of electronic receipts for one year: its form and series, its last number."""

    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan thu"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    form_symbol = models.CharField(
        _("ký hiệu mẫu biên lai"), max_length=20, help_text=_("Theo Nghị định 123/2020/NĐ-CP, ví dụ 01BLP0-001.")
    )
    series = models.CharField(_("ký hiệu biên lai"), max_length=20, help_text=_("Ký hiệu của quyển, ví dụ TN-26E."))
    last_number = models.PositiveIntegerField(_("số đã cấp gần nhất"), default=0)

    class Meta:
        verbose_name = _("quyển biên lai điện tử")
        verbose_name_plural = _("quyển biên lai điện tử")
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="payment_receipt_book_once")]

    def __str__(self) -> str:
        return f"{self.form_symbol} · {self.series}"


class Receipt(models.Model):
    """Biên lai thu phí, lệ phí điện tử: the legal fields as issued, and its PDF."""

    order = models.OneToOneField(
        PaymentOrder, verbose_name=_("yêu cầu thanh toán"), on_delete=models.PROTECT, related_name="receipt"
    )
    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan thu"), on_delete=models.PROTECT, related_name="+")
    form_symbol = models.CharField(_("ký hiệu mẫu"), max_length=20)
    series = models.CharField(_("ký hiệu"), max_length=20)
    number = models.PositiveIntegerField(_("số"))
    issued_at = models.DateTimeField(_("lập lúc"))
    payer_name = models.CharField(_("người nộp tiền"), max_length=255)
    payer_identifier = models.CharField(_("số định danh người nộp"), max_length=20, blank=True)
    amount = models.BigIntegerField(_("số tiền (đồng)"))
    method_label = models.CharField(_("hình thức thanh toán"), max_length=100)
    transaction_no = models.CharField(_("mã giao dịch"), max_length=64, blank=True)
    file = GeneratedFileField(
        _("tệp PDF"), upload_to="receipts/%Y/%m/", blank=True, help_text=_("Biên lai điện tử, lập sau khi cấp số.")
    )
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, blank=True)
    signer = models.CharField(
        _("ký số bởi"),
        max_length=255,
        blank=True,
        help_text=_("Người giữ chứng thư số đã ký biên lai; trống khi cơ quan thu chưa có chứng thư số."),
    )

    class Meta:
        verbose_name = _("biên lai điện tử")
        verbose_name_plural = _("biên lai điện tử")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "form_symbol", "series", "number"], name="payment_receipt_number_once"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"{self.form_symbol}, {self.series}, số {self.number:07d}"


class Refund(models.Model):
    order = models.ForeignKey(
        PaymentOrder, verbose_name=_("yêu cầu thanh toán"), on_delete=models.PROTECT, related_name="refunds"
    )
    transaction = models.ForeignKey(
        PaymentTransaction, verbose_name=_("giao dịch hoàn"), on_delete=models.PROTECT, related_name="refunds"
    )
    amount = models.BigIntegerField(_("số tiền hoàn (đồng)"), validators=[MinValueValidator(1)])
    reason = models.CharField(_("lý do"), max_length=500)
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=RefundStatus.choices, default=RefundStatus.REQUESTED, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đề nghị"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Trống khi hệ thống tự đề nghị (từ chối, rút hồ sơ, nộp trùng)."),
    )
    requested_at = models.DateTimeField(_("đề nghị lúc"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lãnh đạo duyệt"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("duyệt lúc"), null=True, blank=True)
    provider_transaction_no = models.CharField(_("mã giao dịch hoàn của cổng"), max_length=64, blank=True)
    finished_at = models.DateTimeField(_("hoàn tất lúc"), null=True, blank=True)
    error = models.CharField(_("lỗi"), max_length=500, blank=True)

    objects = RefundQuerySet.as_manager()

    class Meta:
        verbose_name = _("hoàn trả phí, lệ phí")
        verbose_name_plural = _("hoàn trả phí, lệ phí")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.order.reference}: {self.amount:,} đ".replace(",", ".")


class ProviderNotification(models.Model):
    """Every notification a provider sent us, as received, and what we answered (kept for disputes)."""

    provider = models.CharField(_("cổng thanh toán"), max_length=32)
    received_at = models.DateTimeField(_("nhận lúc"), db_index=True)
    params = models.JSONField(_("dữ liệu nhận được"), default=dict)
    txn_ref = models.CharField(_("mã giao dịch"), max_length=100, blank=True, db_index=True)
    outcome = models.CharField(_("kết quả xử lý"), max_length=16, choices=NotificationOutcome.choices)
    answer = models.CharField(_("mã trả lời"), max_length=8, blank=True)
    client_ip = models.GenericIPAddressField(_("địa chỉ IP gửi"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo từ cổng thanh toán")
        verbose_name_plural = _("thông báo từ cổng thanh toán")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.provider} {self.txn_ref}"


class Reconciliation(models.Model):
    """One day's comparison of a provider's transaction list with ours."""

    provider = models.CharField(_("cổng thanh toán"), max_length=32)
    day = models.DateField(_("ngày giao dịch"))
    ran_at = models.DateTimeField(_("đối soát lúc"))
    theirs = models.PositiveIntegerField(_("số giao dịch của cổng"), default=0)
    ours = models.PositiveIntegerField(_("số giao dịch của hệ thống"), default=0)
    matched = models.PositiveIntegerField(_("số giao dịch khớp"), default=0)

    class Meta:
        verbose_name = _("đối soát giao dịch")
        verbose_name_plural = _("đối soát giao dịch")
        ordering = ["-day", "provider"]
        constraints = [models.UniqueConstraint(fields=["provider", "day"], name="payment_reconciliation_once")]

    def __str__(self) -> str:
        return f"{self.provider} {self.day:%d/%m/%Y}"


class Mismatch(models.Model):
    reconciliation = models.ForeignKey(
        Reconciliation, verbose_name=_("đợt đối soát"), on_delete=models.CASCADE, related_name="mismatches"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan thu"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("loại chênh lệch"), max_length=16, choices=MismatchKind.choices)
    txn_ref = models.CharField(_("mã giao dịch"), max_length=100)
    ours_amount = models.BigIntegerField(_("số tiền hệ thống ghi"), null=True, blank=True)
    theirs_amount = models.BigIntegerField(_("số tiền cổng ghi"), null=True, blank=True)
    detail = models.CharField(_("chi tiết"), max_length=500, blank=True)
    resolved_at = models.DateTimeField(_("xử lý lúc"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xử lý"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolution = models.CharField(_("cách xử lý"), max_length=500, blank=True)

    objects = MismatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("chênh lệch đối soát")
        verbose_name_plural = _("chênh lệch đối soát")
        ordering = ["resolved_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["reconciliation", "txn_ref", "kind"], name="payment_mismatch_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.txn_ref}"
