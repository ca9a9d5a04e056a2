"""The inbox counts on the desk's home page."""

from django import template
from django.utils import timezone

from onestop_tayninh.dossiers.selectors import inbox_counts

register = template.Library()


@register.inclusion_tag("dossiers/admin/inbox_counts.html", takes_context=True)
def desk_inbox(context):
    user = context["request"].user
    if getattr(user, "official", None) is None:
        return {"buckets": []}
    return {"buckets": inbox_counts(user=user, at=timezone.now())}
