"""Statuses, header names and the retry policy of the webhooks (README "Webhook")."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Chờ gửi")
    SENDING = "sending", _("Đang gửi")
    DELIVERED = "delivered", _("Đã gửi được")
    FAILED = "failed", _("Gửi không được")


#: Headers of every POST. The delivery id stays the same on every attempt and on a replay, so a
#: receiver dedupes on it; the signature header carries the time it was signed (Stripe's format).
DELIVERY_HEADER = "Onestop-Delivery"
EVENT_HEADER = "Onestop-Event"
SIGNATURE_HEADER = "Onestop-Signature"
#: The scheme's version in the signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256>`.
SIGNATURE_SCHEME = "v1"
#: How old a signature a receiver should accept (seconds); our reference verifier's default.
SIGNATURE_TOLERANCE_SECONDS = 300
#: A generated secret starts with this, so one pasted in the wrong place is recognised.
SECRET_PREFIX = "whsec_"

#: Answers worth trying again besides 5xx: the receiver timed out reading (408), asks us to slow
#: down (429) or is not ready yet (425). Any other 3xx or 4xx is final: the same bytes would be
#: refused the same way, so the delivery fails at once and waits for an administrator's "Gửi lại".
RETRYABLE_STATUS_CODES = frozenset({408, 425, 429})
#: The longest wait between two attempts, however many came before (seconds).
MAX_BACKOFF_SECONDS = 6 * 3600
