"""The desk's payment forms: they parse what the official typed; the services decide."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .constants import CounterMethod

# Django's own "this field is required", in the desk's words.
REQUIRED = {"required": _("Hãy điền mục này.")}


class CounterPaymentForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Cách nộp"),
        choices=[
            (CounterMethod.CASH, _("Tiền mặt")),
            (CounterMethod.CARD, _("Thẻ")),
            (CounterMethod.TRANSFER, _("Chuyển khoản")),
        ],
        error_messages={**REQUIRED, "invalid_choice": _("Hãy chọn cách nộp: tiền mặt, thẻ hoặc chuyển khoản.")},
    )
    document_no = forms.CharField(
        label=_("Số chứng từ"),
        max_length=64,
        required=False,
        help_text=_("Số hóa đơn máy POS hoặc mã chuyển khoản, nếu có."),
    )


class OrderRequestForm(forms.Form):
    """Yêu cầu nộp phí, lệ phí sau thẩm định: an amount the competent body sets once it has appraised."""

    name = forms.CharField(label=_("Tên khoản thu"), max_length=255, error_messages=REQUIRED)
    # Typed as officials write money ("1.500.000", "1 500 000 đ"): the grouping is dropped here.
    amount = forms.CharField(
        label=_("Số tiền (đồng)"),
        max_length=30,
        error_messages=REQUIRED,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "1.500.000"}),
    )
    reason = forms.CharField(
        label=_("Căn cứ, lý do"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=REQUIRED,
    )

    def clean_amount(self) -> int:
        digits = re.sub(r"[\s.,]|đồng|đ", "", self.cleaned_data["amount"], flags=re.IGNORECASE)
        if not digits.isdigit():
            raise forms.ValidationError(_("Số tiền là số đồng, chỉ gồm chữ số."))
        amount = int(digits)
        if amount <= 0:
            raise forms.ValidationError(_("Số tiền phải lớn hơn 0 đồng."))
        if amount >= 10**12:
            raise forms.ValidationError(_("Số tiền quá lớn."))
        return amount


class RefundRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do hoàn trả"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}), error_messages=REQUIRED
    )


class MismatchResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("Cách đã xử lý"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=REQUIRED,
        help_text=_("Ví dụ: đã đối chiếu sao kê ngân hàng, cổng thanh toán xác nhận giao dịch bị hủy."),
    )
