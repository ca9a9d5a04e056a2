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


@register.inclusion_tag("dossiers/admin/receive_link.html", takes_context=True)
def desk_receive_link(context):
    """ "Tiếp nhận hồ sơ" on the desk's home page, for a receiving officer: the work of the counter."""
    from onestop_tayninh.directory.constants import RoleCode
    from onestop_tayninh.directory.selectors import user_role_codes

    user = context["request"].user
    return {"can_receive": user.is_authenticated and RoleCode.RECEIVING_OFFICER in user_role_codes(user)}
