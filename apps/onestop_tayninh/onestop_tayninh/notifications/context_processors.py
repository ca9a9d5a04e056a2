"""Optional: `notifications_unread` in every template (add to TEMPLATES context_processors)."""

from .models import DeskNotification


def unread_notifications(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notifications_unread": 0}
    return {"notifications_unread": DeskNotification.objects.filter(user=user, read_at__isnull=True).count()}
