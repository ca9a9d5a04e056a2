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
