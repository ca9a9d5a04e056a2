"""Turn a procedure's e-form definition into a Django form (the Frappe "Web Form" equivalent).

The same form class validates in the browser (HTML attributes: required, pattern,
min, max, maxlength) and on the server (Django validators), and renders the
preview administrators see in the desk.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.utils.translation import gettext_lazy as _

from .constants import FieldType
from .models import EFormField

CCCD_PATTERN = r"\d{12}"
PHONE_PATTERN = r"(0|\+84)(3|5|7|8|9)\d{8}"

cccd_validator = RegexValidator(rf"^{CCCD_PATTERN}$", _("Số CCCD phải gồm đúng 12 chữ số."))
phone_validator = RegexValidator(rf"^{PHONE_PATTERN}$", _("Số điện thoại không hợp lệ (ví dụ 0912345678)."))
YES_NO_CHOICES = [("", "—"), ("yes", _("Có")), ("no", _("Không"))]


def _form_field(definition: EFormField) -> forms.Field:
    rules = definition.rules or {}
    common = {"label": definition.label, "required": definition.required, "help_text": definition.help_text}
    kind = definition.field_type
    attrs: dict[str, str] = {}
    field: forms.Field
    if kind in (FieldType.NUMBER, FieldType.MONEY):
        validators = []
        minimum = rules.get("min", 0 if kind == FieldType.MONEY else None)
        if minimum is not None:
            validators.append(MinValueValidator(minimum))
            attrs["min"] = str(minimum)
        if "max" in rules:
            validators.append(MaxValueValidator(rules["max"]))
            attrs["max"] = str(rules["max"])
        field_class = forms.IntegerField if kind == FieldType.MONEY else forms.DecimalField
        field = field_class(validators=validators, **common)
        attrs["inputmode"] = "numeric"
    elif kind == FieldType.DATE:
        field = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common)
    elif kind == FieldType.CHOICE:
        choices = [("", "—")] + [(c, c) for c in definition.choice_list]
        field = forms.ChoiceField(choices=choices, **common)
    elif kind == FieldType.YES_NO:
        field = forms.ChoiceField(choices=YES_NO_CHOICES, **common)
    elif kind == FieldType.CCCD:
        field = forms.CharField(max_length=12, validators=[cccd_validator], **common)
        attrs.update({"pattern": CCCD_PATTERN, "inputmode": "numeric", "autocomplete": "off"})
    elif kind == FieldType.PHONE:
        field = forms.CharField(max_length=12, validators=[phone_validator], **common)
        attrs.update({"pattern": PHONE_PATTERN.replace("\\+", "[+]"), "inputmode": "tel", "autocomplete": "tel"})
    elif kind == FieldType.EMAIL:
        field = forms.EmailField(**common)
        attrs["autocomplete"] = "email"
    elif kind in (FieldType.LONG_TEXT, FieldType.ADDRESS):
        field = forms.CharField(
            widget=forms.Textarea(attrs={"rows": 3 if kind == FieldType.ADDRESS else 5}),
            max_length=rules.get("max_length", 2000),
            min_length=rules.get("min_length"),
            **common,
        )
    else:
        field = forms.CharField(max_length=rules.get("max_length", 255), min_length=rules.get("min_length"), **common)
    if "pattern" in rules and isinstance(field, forms.CharField):
        field.validators.append(RegexValidator(f"^(?:{rules['pattern']})$", _("Giá trị không đúng định dạng yêu cầu.")))
        attrs["pattern"] = rules["pattern"]
    field.widget.attrs.update(attrs)
    return field


def build_eform(definitions: Iterable[EFormField]) -> type[forms.Form]:
    """A Form class with one field per definition, in order, keyed by the definition's key."""
    fields = {definition.key: _form_field(definition) for definition in definitions}
    return type("EForm", (forms.Form,), fields)
