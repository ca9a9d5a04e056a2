"""Turn a procedure's e-form definition into a Django form (the Frappe "Web Form" equivalent).

The same form class validates in the browser (HTML attributes: required, pattern,
min, max, maxlength) and on the server (Django validators), and renders the
preview administrators see in the desk.

Forms that catch mistakes: a date may be refused in the future (`not_future`), a year is a
whole number no later than this year, whole numbers are integers, ethnic groups, nationalities
and communes are picked from closed lists (catalog.closed_lists, the directory), and every
text is cleaned of invisible and direction-changing characters (zero-width spaces, bidi
overrides: they make two spellings of one name and can reorder what an officer reads).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.directory.constants import Tier
from onestop_tayninh.directory.selectors import residence_units

from .closed_lists import ethnic_group_names, nationality_names
from .constants import FieldType
from .models import EFormField

CCCD_PATTERN = r"\d{12}"
PHONE_PATTERN = r"(0|\+84)(3|5|7|8|9)\d{8}"

cccd_validator = RegexValidator(rf"^{CCCD_PATTERN}$", _("Số CCCD phải gồm đúng 12 chữ số."))
phone_validator = RegexValidator(rf"^{PHONE_PATTERN}$", _("Số điện thoại không hợp lệ (ví dụ 0912345678)."))
YES_NO_CHOICES = [("", "—"), ("yes", _("Có")), ("no", _("Không"))]
EARLIEST_YEAR = 1900

# Unicode "format" characters (category Cf: zero-width space and joiners, the byte order mark,
# left-to-right and right-to-left marks, embeddings, overrides and isolates, the soft hyphen)
# are invisible; controls (Cc) other than line breaks and tabs have no place in a form either.
_KEEP_CONTROLS = {"\n", "\t"}
_NAME_REGEX = re.compile(r"^[^\W\d_]+(?:[ '’.-][^\W\d_]+)*\.?$")
NAME_MESSAGE = _("Họ, chữ đệm và tên chỉ gồm chữ cái, dấu cách và dấu nháy (') hoặc gạch nối (-).")


def strip_invisible(text: str, *, multiline: bool = False) -> str:
    """`text` in composed form (NFC) without invisible or direction-changing characters; a single
    line also has its runs of spaces folded into one."""
    composed = unicodedata.normalize("NFC", text)
    kept = "".join(
        ch for ch in composed if ch in _KEEP_CONTROLS or unicodedata.category(ch) not in ("Cf", "Cc", "Co", "Cs")
    )
    if multiline:
        return "\n".join(line.strip() for line in kept.splitlines()).strip()
    return " ".join(kept.split())


class CleanCharField(forms.CharField):
    """A CharField that drops invisible and direction-changing characters before validating."""

    def __init__(self, *args: Any, multiline: bool = False, **kwargs: Any):
        self.multiline = multiline
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        return strip_invisible(text, multiline=self.multiline) if text else text


class ClosedChoiceField(forms.ChoiceField):
    """A choice among a closed list, with a message that says so (also for a value typed by hand)."""

    default_error_messages = {
        "invalid_choice": _("“%(value)s” không có trong danh mục; hãy chọn một giá trị trong danh sách."),
    }

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        return strip_invisible(text) if text else text


def not_future(value: dt.date) -> None:
    if value > timezone.localdate():
        raise ValidationError(_("Ngày không được sau ngày hôm nay."), code="future_date")


def year_not_future(value: int) -> None:
    if value > timezone.localdate().year:
        raise ValidationError(_("Năm không được sau năm nay."), code="future_year")


def _unit_label(unit) -> str:
    parent = unit.parent
    return f"{unit.name} — {parent.name}" if parent is not None and parent.tier == Tier.DISTRICT else unit.name


def _closed(choices: list[str], common: dict[str, Any]) -> forms.Field:
    return ClosedChoiceField(choices=[("", "—")] + [(c, c) for c in choices], **common)


def _form_field(definition: EFormField, *, units: list[str] | None = None) -> forms.Field:
    rules = definition.rules or {}
    common = {"label": definition.label, "required": definition.required, "help_text": definition.help_text}
    kind = definition.field_type
    attrs: dict[str, str] = {}
    field: forms.Field
    if kind in (FieldType.INTEGER, FieldType.YEAR):
        validators: list[Any] = []
        minimum = rules.get("min", EARLIEST_YEAR if kind == FieldType.YEAR else None)
        maximum = rules.get("max")
        if minimum is not None:
            validators.append(MinValueValidator(minimum))
            attrs["min"] = str(minimum)
        if maximum is not None:
            validators.append(MaxValueValidator(maximum))
            attrs["max"] = str(maximum)
        if kind == FieldType.YEAR:
            validators.append(year_not_future)
            attrs.setdefault("max", str(timezone.localdate().year))
        field = forms.IntegerField(
            validators=validators, error_messages={"invalid": _("Hãy nhập một số nguyên, ví dụ 2.")}, **common
        )
        attrs.update({"inputmode": "numeric", "step": "1"})
    elif kind in (FieldType.NUMBER, FieldType.MONEY):
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
        field = forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            error_messages={"invalid": _("Ngày không hợp lệ; hãy nhập theo dạng ngày/tháng/năm.")},
            **common,
        )
        if rules.get("not_future"):
            field.validators.append(not_future)
            attrs["max"] = timezone.localdate().isoformat()
    elif kind == FieldType.CHOICE:
        field = _closed(definition.choice_list, common)
    elif kind == FieldType.ETHNICITY:
        field = _closed(ethnic_group_names(), common)
    elif kind == FieldType.NATIONALITY:
        field = _closed(nationality_names(), common)
    elif kind == FieldType.ADMIN_UNIT:
        field = _closed(units if units is not None else [], common)
    elif kind == FieldType.PERSON_NAME:
        field = CleanCharField(
            max_length=rules.get("max_length", 100),
            validators=[RegexValidator(_NAME_REGEX, NAME_MESSAGE)],
            **common,
        )
        attrs["autocomplete"] = "off"
    elif kind == FieldType.YES_NO:
        field = forms.ChoiceField(choices=YES_NO_CHOICES, **common)
    elif kind == FieldType.CCCD:
        field = CleanCharField(max_length=12, validators=[cccd_validator], **common)
        attrs.update({"pattern": CCCD_PATTERN, "inputmode": "numeric", "autocomplete": "off"})
    elif kind == FieldType.PHONE:
        field = CleanCharField(max_length=12, validators=[phone_validator], **common)
        attrs.update({"pattern": PHONE_PATTERN.replace("\\+", "[+]"), "inputmode": "tel", "autocomplete": "tel"})
    elif kind == FieldType.EMAIL:
        field = forms.EmailField(**common)
        attrs["autocomplete"] = "email"
    elif kind in (FieldType.LONG_TEXT, FieldType.ADDRESS):
        field = CleanCharField(
            widget=forms.Textarea(attrs={"rows": 3 if kind == FieldType.ADDRESS else 5}),
            max_length=rules.get("max_length", 2000),
            min_length=rules.get("min_length"),
            multiline=True,
            **common,
        )
    else:
        field = CleanCharField(max_length=rules.get("max_length", 255), min_length=rules.get("min_length"), **common)
    if "pattern" in rules and isinstance(field, forms.CharField):
        field.validators.append(RegexValidator(f"^(?:{rules['pattern']})$", _("Giá trị không đúng định dạng yêu cầu.")))
        attrs["pattern"] = rules["pattern"]
    field.widget.attrs.update(attrs)
    # The part of the official form the field belongs to (templates start a new group where it changes).
    field.section = definition.section  # type: ignore[attr-defined]
    # Where a first value came from ("account", "vault" or ""), so the page can say it was prefilled.
    field.prefilled_from = definition.prefill.split(":", 1)[0] if definition.prefill else ""  # type: ignore[attr-defined]
    return field


def build_eform(definitions: Iterable[EFormField]) -> type[forms.Form]:
    """A Form class with one field per definition, in order, keyed by the definition's key."""
    definitions = list(definitions)
    units = None
    if any(d.field_type == FieldType.ADMIN_UNIT for d in definitions):
        units = [_unit_label(u) for u in residence_units(timezone.localdate()).order_by("parent__name", "name")]
    fields = {definition.key: _form_field(definition, units=units) for definition in definitions}
    return type("EForm", (forms.Form,), fields)
