from urllib.parse import urlencode

from django import template

register = template.Library()


@register.filter
def with_query(query: dict, other: dict | None) -> str:
    """The page's query string with `other`'s keys replacing its own (a drill-down keeps the period)."""
    merged = {key: value for key, value in query.items() if key not in ("don_vi", "ma") or not other}
    merged.update(other or {})
    return urlencode(merged)


@register.filter
def export_query(query: dict, table_id: str) -> str:
    return urlencode({**query, "xuat": table_id})


@register.filter
def urlencode_dict(values: dict) -> str:
    return urlencode(values)
