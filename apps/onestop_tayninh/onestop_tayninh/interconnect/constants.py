from django.db import models
from django.utils.translation import gettext_lazy as _


class HandoverStatus(models.TextChoices):
    """Where a dossier sent to another installation stands (Handover.status)."""

    PENDING = "pending", _("Đang gửi")
    DELIVERED = "delivered", _("Bên nhận đã tiếp nhận")
    FAILED = "failed", _("Gửi không được")
    RESULT_RECEIVED = "result_received", _("Đã nhận kết quả")


class ResultStatus(models.TextChoices):
    """What the receiving installation reports back with the result (the package's `status`)."""

    RESULT = "result", _("Có kết quả giải quyết")
    REFUSED = "refused", _("Từ chối giải quyết")


#: The path of the hand-over API on every installation, under its base URL.
API_PREFIX = "/api/v1"
TOKEN_PATH = f"{API_PREFIX}/oauth/token/"
HANDOVERS_PATH = f"{API_PREFIX}/handovers/"
#: Seconds a call to another installation may take (connect, read).
TIMEOUT = (5, 60)
#: The task outbox's function names (core.models.Task.func).
DELIVER_JOB = "onestop_tayninh.interconnect.jobs.handover_deliver"
RESULT_JOB = "onestop_tayninh.interconnect.jobs.handover_result_send"
#: Step kinds (workflows.StateKind) at which the receiving side has finished: the result goes back.
FINISHED_KINDS = ("approved", "refusal_ready", "result_returned", "refused", "stopped")
REFUSED_KINDS = ("refusal_ready", "refused", "stopped")
