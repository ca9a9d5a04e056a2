"""Choices and named numbers of the Zalo app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventStatus(models.TextChoices):
    RECEIVED = "received", _("Đã nhận, chờ xử lý")
    PROCESSED = "processed", _("Đã xử lý")
    IGNORED = "ignored", _("Bỏ qua")
    FAILED = "failed", _("Xử lý không được")


#: The OA's menu, in the order the citizen reads it (issue #20, point 2).
MENU_ITEMS = (
    _("Tìm thủ tục"),
    _("Nộp hồ sơ"),
    _("Tra cứu hồ sơ"),
    _("Hồ sơ của tôi"),
    _("Đánh giá"),
    _("Hướng dẫn"),
)

#: Zalo's error codes saying the access token is expired or invalid [check: -216 seen in the OA
#: API's answers, -124 in older documents]: the client refreshes once and tries again.
TOKEN_ERRORS = frozenset({-216, -124})

#: An access token is refreshed this long before Zalo says it expires, so none is used at its edge.
ACCESS_TOKEN_MARGIN_SECONDS = 300
