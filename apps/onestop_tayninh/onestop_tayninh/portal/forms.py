from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.catalog.constants import OnlineCategory
from onestop_tayninh.catalog.models import Sector
from onestop_tayninh.directory.constants import Tier
from onestop_tayninh.directory.models import Agency
from onestop_tayninh.directory.selectors import residence_units
from onestop_tayninh.dossiers.constants import ReturnMethod
from onestop_tayninh.dossiers.forms import unit_label
from onestop_tayninh.dossiers.selectors import competent_unit_field, receiving_desks_for

from .constants import RATING_MAX_SCORE, RATING_QUESTIONS


class CatalogFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm thủ tục"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Ví dụ: khai sinh, xây dựng, 1.001193")}),
    )
    sector = forms.ModelChoiceField(
        label=_("Lĩnh vực"), queryset=Sector.objects.all(), required=False, empty_label=_("Tất cả lĩnh vực")
    )
    agency = forms.ModelChoiceField(
        label=_("Cơ quan giải quyết"),
        queryset=Agency.objects.filter(competent_for__status="published").distinct(),
        required=False,
        empty_label=_("Tất cả cơ quan"),
    )
    tier = forms.ChoiceField(
        label=_("Cấp thực hiện"), choices=[("", _("Tất cả các cấp")), *Tier.choices], required=False
    )
    # The current classification (Decree 42/2022), as each procedure's badge shows it; the old level
    # 1–4 is only in the procedure's details.
    category = forms.ChoiceField(
        label=_("Dịch vụ công trực tuyến"),
        choices=[
            ("", _("Tất cả")),
            (OnlineCategory.FULL_PROCESS, _("Toàn trình")),
            (OnlineCategory.PARTIAL, _("Một phần")),
            (OnlineCategory.INFORMATION_ONLY, _("Chỉ cung cấp thông tin")),
        ],
        required=False,
    )


class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("Mã hồ sơ"), max_length=40, widget=forms.TextInput(attrs={"placeholder": "000.00.02.H53-261128-0001"})
    )
    secret = forms.RegexField(
        label=_("Mã tra cứu (6 chữ số, in trên Giấy tiếp nhận hồ sơ)"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("Hãy nhập đúng 6 chữ số của mã tra cứu.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "pattern": r"\d{6}", "maxlength": "6", "autocomplete": "off"}
        ),
    )


class KioskCodeForm(forms.Form):
    """The desk's rating tablet: the receipt's QR scanned (the scanner types the link) or the code typed."""

    code = forms.CharField(
        label=_("Mã hồ sơ"),
        max_length=500,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "off", "placeholder": "000.00.02.H53-270301-0001"}
        ),
    )


class DraftContactForm(forms.Form):
    """Where to receive, how to be reached: the part of the draft page that is not the e-form."""

    receiving_desk = forms.TypedChoiceField(label=_("Nơi nộp hồ sơ"), coerce=int, required=False, empty_value=None)
    applicant_unit = forms.TypedChoiceField(
        label=_("Nơi cư trú (xã, phường)"), coerce=int, required=False, empty_value=None
    )
    object_unit = forms.TypedChoiceField(
        label=_("Nơi có đối tượng của thủ tục (xã, phường)"), coerce=int, required=False, empty_value=None
    )
    phone = forms.CharField(
        label=_("Số điện thoại"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(
        label=_("Thư điện tử"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    address = forms.CharField(
        label=_("Địa chỉ liên hệ"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    return_method = forms.ChoiceField(label=_("Nhận kết quả"), choices=ReturnMethod.choices, widget=forms.RadioSelect)
    return_address = forms.CharField(label=_("Địa chỉ nhận qua bưu chính"), required=False, max_length=500)

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        desks = receiving_desks_for(version).select_related("unit").order_by("name")
        self.fields["receiving_desk"].choices = [("", _("— Chọn nơi nộp —"))] + [(d.pk, d.name) for d in desks]
        units = [("", _("— Chọn xã, phường —"))] + [
            (unit.pk, unit_label(unit))
            for unit in residence_units(timezone.localdate()).order_by("parent__name", "name")
        ]
        self.fields["applicant_unit"].choices = self.fields["object_unit"].choices = units
        if competent_unit_field(version) == "object_unit":
            self.fields["object_unit"].label = version.object_unit_label
        else:
            del self.fields["object_unit"]
        if not version.electronic_result_allowed:
            self.fields["return_method"].choices = [c for c in ReturnMethod.choices if c[0] != ReturnMethod.ONLINE]


class SupplementForm(forms.Form):
    requirement = forms.TypedChoiceField(
        label=_("Bổ sung cho thành phần"), coerce=int, required=False, empty_value=None
    )
    file = forms.FileField(label=_("Tệp giấy tờ bổ sung"))

    def __init__(self, *args, dossier, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirement"].choices = [("", _("Giấy tờ khác theo yêu cầu"))] + [
            (r.pk, r.name) for r in dossier.procedure_version.documents.all()
        ]


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Lý do rút hồ sơ"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class RatingForm(forms.Form):
    max_score = RATING_MAX_SCORE  # said above the questions: the scale the total is read on

    satisfied = forms.TypedChoiceField(
        label=_("Nhìn chung, bạn có hài lòng với việc giải quyết hồ sơ này không?"),
        choices=[("yes", _("Hài lòng")), ("no", _("Không hài lòng"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Góp ý thêm (không bắt buộc)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for question in RATING_QUESTIONS:
            self.fields[f"q_{question['code']}"] = forms.ChoiceField(
                label=question["label"], choices=question["options"], widget=forms.RadioSelect
            )

    def answers(self) -> dict[str, str]:
        return {q["code"]: self.cleaned_data[f"q_{q['code']}"] for q in RATING_QUESTIONS}

    def question_fields(self):
        return [self[f"q_{q['code']}"] for q in RATING_QUESTIONS]
