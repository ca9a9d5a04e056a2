"""The portal's menu: what it shows beside its items for the logged-in citizen."""

from django import template

from onestop_tayninh.notifications.selectors import citizen_unread_count

register = template.Library()


@register.simple_tag
def unread_notices(user) -> int:
    """The number of unread notices, for the badge beside "Thông báo" (0 for anyone but a citizen)."""
    if not getattr(user, "is_authenticated", False) or user.kind != "citizen":
        return 0
    return citizen_unread_count(user)
