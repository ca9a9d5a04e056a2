"""Choices and named numbers of the feedback app (PAKN: phản ánh, kiến nghị; docs/domain.md §11)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.catalog.constants import Channel


class FeedbackKind(models.TextChoices):
    #: Something went wrong (a delay, a demand for papers the law does not ask for, an official's conduct).
    COMPLAINT = "complaint", _("Phản ánh")
    #: A proposal: change a procedure, a form, the opening hours.
    RECOMMENDATION = "recommendation", _("Kiến nghị")


class FeedbackChannel(models.TextChoices):
    """How a PAKN reached the body; the values are the dossier channels' where they mean the same."""

    ONLINE = Channel.ONLINE.value, _("Cổng dịch vụ công")
    ZALO = Channel.ZALO.value, _("Zalo")
    DESK = Channel.DESK.value, _("Trực tiếp tại Bộ phận Một cửa")


class FeedbackStatus(models.TextChoices):
    RECEIVED = "received", _("Chờ tiếp nhận")
    ACCEPTED = "accepted", _("Đang xử lý")
    REJECTED = "rejected", _("Không tiếp nhận")
    INFO_REQUESTED = "info_requested", _("Chờ công dân bổ sung thông tin")
    ANSWERED = "answered", _("Đã trả lời")
    PUBLISHED = "published", _("Đã trả lời và công khai")


class FeedbackStep(models.TextChoices):
    """The steps that have a deadline; the deadline scan escalates each step once."""

    ACCEPT = "accept", _("tiếp nhận hoặc từ chối")
    ANSWER = "answer", _("trả lời")
    PUBLISH = "publish", _("công khai câu trả lời")


#: Working days, counted from the day after receipt (Civil Code art. 147), as the national rules set them.
ACCEPT_WORKING_DAYS = 2
INFO_REQUEST_WORKING_DAYS = 5
ANSWER_WORKING_DAYS = 15
#: Counted from the day after the answer.
PUBLISH_WORKING_DAYS = 2

CONTENT_MAX_LENGTH = 5000
TITLE_MAX_LENGTH = 200
ANSWER_MAX_LENGTH = 10000
#: A code is PAKN-<YYMM>-<six digits>, numbered per month.
CODE_PREFIX = "PAKN"
CODE_DIGITS = 6

#: Still waiting for the body (the citizen may not rate, the answer is not out).
OPEN_STATUSES = (FeedbackStatus.RECEIVED, FeedbackStatus.ACCEPTED, FeedbackStatus.INFO_REQUESTED)

#: Permissions (Feedback.Meta.permissions), granted to the roles in directory/roles.py.
HANDLE_PERMISSION = "feedback.handle_feedback"
ASSIGN_PERMISSION = "feedback.assign_feedback"
PUBLISH_PERMISSION = "feedback.publish_feedback"
