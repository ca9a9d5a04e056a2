"""Validation of the e-form definition and other catalogue values."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .constants import PROCEDURE_CHANNELS, FieldType, FileKind

FIELD_KEY_REGEX = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
ALLOWED_RULES = {"min", "max", "min_length", "max_length", "pattern"}


def validate_choice_list(values, *, choices, label: str) -> None:
    if not isinstance(values, list) or any(v not in choices for v in values):
        raise ValidationError(
            _("%(label)s chỉ nhận các giá trị: %(allowed)s.") % {"label": label, "allowed": ", ".join(choices)}
        )
    if len(set(values)) != len(values):
        raise ValidationError(_("%(label)s có giá trị trùng lặp.") % {"label": label})


def validate_channels(values) -> None:
    validate_choice_list(values, choices=[str(c) for c in PROCEDURE_CHANNELS], label=_("Phương thức"))


def validate_file_kinds(values) -> None:
    validate_choice_list(values, choices=FileKind.values, label=_("Loại tệp"))


def validate_field_rules(rules: dict, field_type: str) -> None:
    """Check the validation rules of one e-form field; raise with a Vietnamese message."""
    if not isinstance(rules, dict):
        raise ValidationError(_('Quy tắc kiểm tra phải là một đối tượng JSON, ví dụ {"max_length": 100}.'))
    unknown = set(rules) - ALLOWED_RULES
    if unknown:
        raise ValidationError(
            _("Quy tắc kiểm tra không hợp lệ: %(names)s. Chỉ dùng: min, max, min_length, max_length, pattern.")
            % {"names": ", ".join(sorted(unknown))}
        )
    for name in ("min", "max", "min_length", "max_length"):
        if name in rules and not isinstance(rules[name], int | float):
            raise ValidationError(_("Quy tắc %(name)s phải là một số.") % {"name": name})
    if {"min", "max"} & set(rules) and field_type not in (FieldType.NUMBER, FieldType.MONEY):
        raise ValidationError(_("Quy tắc min/max chỉ dùng cho trường số hoặc số tiền."))
    if "min" in rules and "max" in rules and rules["min"] > rules["max"]:
        raise ValidationError(_("Giá trị min phải nhỏ hơn hoặc bằng max."))
    if "min_length" in rules and "max_length" in rules and rules["min_length"] > rules["max_length"]:
        raise ValidationError(_("min_length phải nhỏ hơn hoặc bằng max_length."))
    if "pattern" in rules:
        try:
            re.compile(rules["pattern"])
        except (re.error, TypeError) as exc:
            raise ValidationError(_("Biểu thức pattern không hợp lệ: %(error)s.") % {"error": exc}) from exc
