"""Vietnamese display of money, numbers and choice lists."""

from decimal import Decimal

from django import template

from onestop_tayninh.accounts.constants import ApplicantKind
from onestop_tayninh.catalog.constants import Channel

register = template.Library()


@register.filter
def vnd(amount) -> str:
    """12000 → "12.000 đồng"; 0 → "Miễn phí"."""
    if not amount:
        return "Miễn phí"
    return f"{int(amount):,} đồng".replace(",", ".")


@register.filter
def vn_number(value) -> str:
    """Decimal 10.0 → "10", 1.5 → "1,5"."""
    value = Decimal(value)
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


@register.filter
def channel_labels(values) -> str:
    return ", ".join(str(Channel(v).label) for v in values or [])


@register.filter
def applicant_labels(values) -> str:
    return ", ".join(str(ApplicantKind(v).label) for v in values or [])
