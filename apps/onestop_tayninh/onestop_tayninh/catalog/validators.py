"""Validation of the e-form definition and other catalogue values."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .constants import PROCEDURE_CHANNELS, VAULT_PREFILL_ATTRIBUTES, FieldType, FileKind, PrefillSource

FIELD_KEY_REGEX = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
ALLOWED_RULES = {"min", "max", "min_length", "max_length", "pattern", "not_future"}
NUMERIC_TYPES = (FieldType.NUMBER, FieldType.MONEY, FieldType.INTEGER, FieldType.YEAR)
VAULT_PREFILL_REGEX = re.compile(rf"^vault:([a-z0-9-]{{1,64}}):({'|'.join(VAULT_PREFILL_ATTRIBUTES)})$")


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
            _(
                "Quy tắc kiểm tra không hợp lệ: %(names)s. "
                "Chỉ dùng: min, max, min_length, max_length, pattern, not_future."
            )
            % {"names": ", ".join(sorted(unknown))}
        )
    for name in ("min", "max", "min_length", "max_length"):
        if name in rules and not isinstance(rules[name], int | float):
            raise ValidationError(_("Quy tắc %(name)s phải là một số.") % {"name": name})
    if {"min", "max"} & set(rules) and field_type not in NUMERIC_TYPES:
        raise ValidationError(_("Quy tắc min/max chỉ dùng cho trường số, số nguyên, năm hoặc số tiền."))
    if "not_future" in rules and (not isinstance(rules["not_future"], bool) or field_type != FieldType.DATE):
        raise ValidationError(_("Quy tắc not_future (true/false) chỉ dùng cho trường ngày."))
    if "min" in rules and "max" in rules and rules["min"] > rules["max"]:
        raise ValidationError(_("Giá trị min phải nhỏ hơn hoặc bằng max."))
    if "min_length" in rules and "max_length" in rules and rules["min_length"] > rules["max_length"]:
        raise ValidationError(_("min_length phải nhỏ hơn hoặc bằng max_length."))
    if "pattern" in rules:
        try:
            re.compile(rules["pattern"])
        except (re.error, TypeError) as exc:
            raise ValidationError(_("Biểu thức pattern không hợp lệ: %(error)s.") % {"error": exc}) from exc


def validate_prefill(value: str) -> None:
    """A prefill source: one of the account's fields, or `vault:<document type>:<number|issuer|issue_date>`."""
    if not value or value in PrefillSource.values or VAULT_PREFILL_REGEX.match(value):
        return
    raise ValidationError(
        _("Nguồn điền sẵn không hợp lệ: %(value)s. Dùng %(account)s hoặc vault:<mã loại giấy tờ>:%(attributes)s.")
        % {
            "value": value,
            "account": ", ".join(PrefillSource.values),
            "attributes": "|".join(VAULT_PREFILL_ATTRIBUTES),
        }
    )
