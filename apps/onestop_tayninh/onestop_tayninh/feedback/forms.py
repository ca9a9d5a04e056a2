"""Forms of the feedback app: the portal's (send, track, rate, more information) and the desk's steps."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.directory.models import Agency

from .constants import ANSWER_MAX_LENGTH, CONTENT_MAX_LENGTH, TITLE_MAX_LENGTH, FeedbackKind

TOO_LONG = _("Nội dung dài %(show_value)s ký tự, vượt quá %(limit_value)s ký tự cho phép. Hãy rút gọn rồi gửi lại.")


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        return obj.name


class FeedbackForm(forms.Form):
    """/phan-anh-kien-nghi/gui/: what, about which dossier or body, who (prefilled for a logged-in citizen)."""

    kind = forms.ChoiceField(
        label=_("Loại"), choices=FeedbackKind.choices, initial=FeedbackKind.COMPLAINT, widget=forms.RadioSelect
    )
    title = forms.CharField(
        label=_("Tiêu đề"),
        max_length=TITLE_MAX_LENGTH,
        help_text=_("Nội dung chính, trong một dòng."),
        error_messages={"required": _("Hãy nhập tiêu đề."), "max_length": TOO_LONG},
    )
    content = forms.CharField(
        label=_("Nội dung"),
        max_length=CONTENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Tối đa 5.000 ký tự. Không ghi số CCCD hay thông tin riêng tư không cần thiết."),
        error_messages={"required": _("Hãy nhập nội dung phản ánh, kiến nghị."), "max_length": TOO_LONG},
    )
    dossier_code = forms.CharField(
        label=_("Mã hồ sơ (nếu phản ánh về một hồ sơ)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "000.00.02.H53-261128-0001", "autocomplete": "off"}),
    )
    dossier_secret = forms.RegexField(
        label=_("Mã tra cứu (6 chữ số, in trên Giấy tiếp nhận hồ sơ)"),
        regex=r"^\d{6}$",
        required=False,
        help_text=_("Không cần với hồ sơ của chính bạn khi đã đăng nhập."),
        error_messages={"invalid": _("Hãy nhập đúng 6 chữ số của mã tra cứu.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": "6", "autocomplete": "off"}),
    )
    agency = AgencyChoiceField(
        label=_("Cơ quan tiếp nhận (khi không nêu hồ sơ)"),
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
        required=False,
        empty_label=_("— Chọn cơ quan —"),
    )
    full_name = forms.CharField(label=_("Họ và tên"), max_length=255, required=False)
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Thư điện tử (để nhận câu trả lời)"),
        required=False,
        error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ, ví dụ ten@example.vn.")},
    )
    publish_consent = forms.BooleanField(
        label=_(
            "Tôi đồng ý công khai nội dung và câu trả lời trên Cổng (không kèm họ tên đầy đủ, số điện thoại, thư điện tử)."
        ),
        required=False,
    )

    def __init__(self, *args, anonymous: bool = True, own_dossier=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.anonymous = anonymous
        self.own_dossier = own_dossier
        if own_dossier is not None:
            # Sent from the citizen's own dossier page: the dossier is known, so is its body.
            for name in ("dossier_code", "dossier_secret", "agency"):
                del self.fields[name]
            self.fields["own_dossier"] = forms.IntegerField(widget=forms.HiddenInput, initial=own_dossier.pk)
        if anonymous:
            self.fields["full_name"].required = True
            self.fields["phone"].required = True
            self.fields["full_name"].error_messages["required"] = _("Hãy nhập họ và tên.")
            self.fields["phone"].error_messages["required"] = _("Hãy nhập số điện thoại để cơ quan liên hệ khi cần.")

    def clean(self):
        data = super().clean()
        if self.own_dossier is None and not (data.get("dossier_code") or "").strip() and not data.get("agency"):
            self.add_error("agency", _("Hãy nêu mã hồ sơ hoặc chọn cơ quan tiếp nhận."))
        return data


class TrackerForm(forms.Form):
    code = forms.CharField(
        label=_("Mã phản ánh, kiến nghị"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "PAKN-2612-000123", "autocomplete": "off"}),
    )
    secret = forms.RegexField(
        label=_("Mã tra cứu (6 chữ số, để xem câu trả lời chưa công khai)"),
        regex=r"^\d{6}$",
        required=False,
        error_messages={"invalid": _("Hãy nhập đúng 6 chữ số của mã tra cứu.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": "6", "autocomplete": "off"}),
    )


class PublicSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm trong các câu trả lời đã công khai"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Ví dụ: khai sinh, chậm trả kết quả")}),
    )


class InfoReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Thông tin bổ sung"),
        max_length=CONTENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Hãy nhập thông tin bổ sung."), "max_length": TOO_LONG},
    )


# --- the desk -----------------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do không tiếp nhận"),
        max_length=CONTENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Hãy nêu lý do không tiếp nhận phản ánh, kiến nghị.")},
    )


class InfoRequestForm(forms.Form):
    question = forms.CharField(
        label=_("Thông tin cần công dân bổ sung"),
        max_length=CONTENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Hãy ghi rõ thông tin cần công dân bổ sung.")},
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Cán bộ xử lý"),
        queryset=None,
        empty_label=_("— Chọn cán bộ —"),
        error_messages={"required": _("Hãy chọn cán bộ xử lý.")},
    )

    def __init__(self, *args, officials, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = officials
        self.fields["assignee"].label_from_instance = lambda user: user.get_full_name() or user.get_username()


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Nội dung trả lời"),
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Hãy nhập nội dung trả lời."), "max_length": TOO_LONG},
    )


class DeskRecordForm(forms.Form):
    """A PAKN handed in at the desk or the body's office, typed in by one of its officials."""

    kind = forms.ChoiceField(label=_("Loại"), choices=FeedbackKind.choices, initial=FeedbackKind.COMPLAINT)
    title = forms.CharField(label=_("Tiêu đề"), max_length=TITLE_MAX_LENGTH)
    content = forms.CharField(
        label=_("Nội dung"),
        max_length=CONTENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"max_length": TOO_LONG},
    )
    dossier_code = forms.CharField(
        label=_("Mã hồ sơ (nếu về một hồ sơ)"),
        max_length=40,
        required=False,
        help_text=_("Để trống khi phản ánh, kiến nghị về thủ tục, dịch vụ nói chung của cơ quan."),
    )
    full_name = forms.CharField(label=_("Họ và tên người gửi"), max_length=255)
    phone = forms.CharField(label=_("Số điện thoại"), max_length=20)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    publish_consent = forms.BooleanField(label=_("Người gửi đồng ý công khai nội dung và câu trả lời"), required=False)
