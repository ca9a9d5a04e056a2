"""Choices and named numbers of the payments app."""

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    OPEN = "open", _("Chờ thanh toán")
    PAID = "paid", _("Đã thanh toán")
    CANCELLED = "cancelled", _("Đã hủy")
    REFUNDED = "refunded", _("Đã hoàn trả")


class TransactionStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ xác nhận")
    SUCCEEDED = "succeeded", _("Thành công")
    FAILED = "failed", _("Không thành công")
    EXPIRED = "expired", _("Hết hạn, không thanh toán")


#: Transactions whose outcome is known; a notification for one of them is answered "already confirmed".
FINAL_TRANSACTION_STATUSES = (TransactionStatus.SUCCEEDED, TransactionStatus.FAILED)


class CounterMethod(models.TextChoices):
    CASH = "cash", _("Tiền mặt")
    CARD = "card", _("Thẻ ngân hàng (máy POS)")
    TRANSFER = "transfer", _("Chuyển khoản")


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("Chờ lãnh đạo duyệt")
    APPROVED = "approved", _("Đã duyệt, đang gửi cổng thanh toán")
    DONE = "done", _("Đã hoàn trả")
    FAILED = "failed", _("Hoàn trả không thành công")
    REJECTED = "rejected", _("Không duyệt")


class MismatchKind(models.TextChoices):
    MISSING_HERE = "missing_here", _("Cổng thanh toán có, hệ thống không ghi nhận")
    MISSING_THERE = "missing_there", _("Hệ thống ghi nhận, cổng thanh toán không có")
    AMOUNT = "amount", _("Lệch số tiền")
    STATUS = "status", _("Lệch trạng thái")


class NotificationOutcome(models.TextChoices):
    """What the server did with a provider's notification; each provider says it in its own codes."""

    RECORDED = "recorded", _("Đã ghi nhận")
    ALREADY = "already", _("Đã xác nhận trước đó")
    NOT_FOUND = "not_found", _("Không tìm thấy giao dịch")
    AMOUNT = "amount", _("Sai số tiền")
    SIGNATURE = "signature", _("Sai chữ ký")
    ERROR = "error", _("Lỗi dữ liệu")


#: How long a started online payment may take before the provider refuses it.
PAYMENT_TTL = dt.timedelta(minutes=15)
#: A pending transaction is asked about this long after it started, then after each delay in turn;
#: after the last one it is expired (the provider's own page closed long before).
SETTLE_DELAYS = (
    dt.timedelta(minutes=15),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=1),
    dt.timedelta(hours=4),
    dt.timedelta(hours=24),
)
