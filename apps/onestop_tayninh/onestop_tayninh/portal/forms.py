from django import forms
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.catalog.constants import ServiceLevel
from onestop_tayninh.catalog.models import Sector
from onestop_tayninh.directory.constants import Tier
from onestop_tayninh.directory.models import Agency


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
    level = forms.TypedChoiceField(
        label=_("Mức độ"),
        choices=[("", _("Tất cả mức độ")), *ServiceLevel.choices],
        required=False,
        coerce=int,
        empty_value=None,
    )


class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("Mã hồ sơ"), max_length=40, widget=forms.TextInput(attrs={"placeholder": "000.00.02.H53-261128-0001"})
    )
    last_digits = forms.RegexField(
        label=_("4 số cuối CCCD hoặc số điện thoại"),
        regex=r"^\d{4}$",
        error_messages={"invalid": _("Hãy nhập đúng 4 chữ số.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": r"\d{4}", "maxlength": "4"}),
    )
